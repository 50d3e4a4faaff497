"""`import_responses --replace` into a cycle whose results are published needs `--republish` too:
a reader who kept the first version could compare it with the second (SECURITY.md, "What a reader
of two versions can learn")."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from reports.models import CycleSummary
from surveys.models import Answer, Cycle
from surveys.services.answers import ImportRefused, answers_import, cycle_refusal
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

REFUSED = (
    r"cycle 2025-Q3's results are published: replacing its answers publishes a second version, "
    r"and whoever kept the first can compare the two\. If the first was wrong, add --republish"
)


@pytest.fixture
def answers_csv(org, tmp_path):
    EmployeeFactory(department=org["sales"], employee_id="E1")
    path = tmp_path / "answers.csv"
    path.write_text("rater_employee_id,provider_department,dimension,score\nE1,IT,willingness,4\nE1,IT,courtesy,2\n")
    return path


def _import(path, **options):
    out = io.StringIO()
    call_command("import_responses", str(path), cycle="2025-Q3", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def _shown(cycle: Cycle, status=None) -> Cycle:
    """The cycle as once rolled up (and, with `status`, published): its results are shown."""
    if status is not None:
        Cycle.objects.filter(pk=cycle.pk).update(status=status, published_at=timezone.now())
    CycleSummary.objects.create(cycle=cycle, computed_at=timezone.now(), answers_count=cycle.answers.count())
    return Cycle.objects.get(pk=cycle.pk)


@pytest.mark.parametrize("how", ["imported history, rolled up", "surveyed and published"])
def test_replace_of_a_published_cycle_is_refused_without_republish_and_changes_nothing(answers_csv, how):
    _import(answers_csv)
    cycle = Cycle.objects.get(name="2025-Q3")
    if how == "imported history, rolled up":
        _shown(cycle)  # history is shown as soon as it is rolled up
    else:
        Cycle.objects.filter(pk=cycle.pk).update(is_historical=False)
        _shown(cycle, status=Cycle.Status.PUBLISHED)
    before = sorted(Answer.objects.values_list("respondent", "score"))

    with pytest.raises(CommandError, match=REFUSED):
        _import(answers_csv, replace=True)
    with pytest.raises(CommandError, match=REFUSED):
        _import(answers_csv, replace=True, dry_run=True)
    assert sorted(Answer.objects.values_list("respondent", "score")) == before  # not even new keys

    out = _import(answers_csv, replace=True, republish=True)
    assert "replacing 2 answers" in out
    assert Answer.objects.count() == 2
    assert sorted(Answer.objects.values_list("respondent", "score")) != before  # new answers, new keys


def test_replace_of_a_cycle_not_published_yet_needs_no_republish(answers_csv):
    _import(answers_csv)
    # Closed after a survey, rolled up, but not published: nothing of it was shown.
    Cycle.objects.filter(name="2025-Q3").update(is_historical=False)
    _shown(Cycle.objects.get(name="2025-Q3"))
    assert "replacing 2 answers" in _import(answers_csv, replace=True)


def test_republish_without_replace_is_refused_clearly(answers_csv):
    with pytest.raises(CommandError, match="--republish goes with --replace"):
        _import(answers_csv, republish=True)
    assert not Cycle.objects.exists()


def test_the_service_refuses_too_even_when_the_cycle_was_published_after_the_first_check(answers_csv, monkeypatch):
    from surveys.importers import org_lookup, parse_responses

    _import(answers_csv)
    _shown(Cycle.objects.get(name="2025-Q3"))
    assert cycle_refusal(cycle_name="2025-Q3", replace=True) is not None
    assert cycle_refusal(cycle_name="2025-Q3", replace=True, republish=True) is None
    frame = parse_responses(answers_csv.read_bytes(), lookup=org_lookup()).data
    # The check under the cycle's lock, as when the results were shown between the first check and the write.
    monkeypatch.setattr("surveys.services.answers.cycle_refusal", lambda **kwargs: None)
    with pytest.raises(ImportRefused, match=REFUSED):
        answers_import(frame, cycle_name="2025-Q3", replace=True, dry_run=False)
    assert Answer.objects.count() == 2
