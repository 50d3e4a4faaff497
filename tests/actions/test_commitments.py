"""Commitments: the rules of writing them (services), the cascade from the top with a frozen clock,
the verdict from real snapshots, and who may do what on the pages."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from actions import verdicts
from actions.cascade import cascade_for
from actions.models import Commitment
from actions.services import CommitmentError, Draft, commitment_create, commitment_publish, progress_add
from surveys.models import Cycle

pytestmark = pytest.mark.django_db


def draft(owner, *, scope="supplier", dimension="ownership", due=None, **more) -> Draft:
    return Draft(
        scope=scope,
        dimension=dimension,
        text="We answer every request within a day.",
        owner=owner,
        due=due or timezone.localdate() + datetime.timedelta(days=60),
        **more,
    )


def test_the_verdict_reads_the_next_cycles_scorecard_row(company):
    it = company["it"]
    made = commitment_create(cycle=company["q1"], department=it, draft=draft(company["it_manager"]), by=None)
    commitment_publish(commitment=made, by=None)
    j = verdicts.judgements([made])[made.id]
    assert j.follow_up_cycle == "2026-Q2"
    assert j.verdict == verdicts.IMPROVED
    assert j.delta == pytest.approx(j.after_mean - j.before_mean) and j.delta > 1.5
    on_q2 = commitment_create(cycle=company["q2"], department=it, draft=draft(company["it_manager"]), by=None)
    assert verdicts.judgements([on_q2])[on_q2.id].verdict == verdicts.PENDING


def test_a_scope_without_enough_ratings_can_commit_but_is_not_measurable(company):
    # Nobody in Finance rated its management: the management row is absent in both cycles.
    from tests.factories import EmployeeFactory

    owner = EmployeeFactory(department=company["finance"], role="manager")
    made = commitment_create(
        cycle=company["q1"], department=company["finance"], draft=draft(owner, scope="management"), by=None
    )
    assert verdicts.judgements([made])[made.id].verdict == verdicts.NOT_MEASURABLE


@pytest.mark.parametrize(
    "change, message",
    [
        ({"due": datetime.date(2020, 1, 1)}, "before the results were published"),
        ({"due": timezone.localdate() + datetime.timedelta(days=800)}, "more than a year"),
        ({"dimension": "expectation"}, "six dimensions"),
        ({"scope": "everyone"}, "Choose a scope"),
    ],
)
def test_bad_commitments_are_refused_with_a_clear_message_and_nothing_written(company, change, message):
    with pytest.raises(CommitmentError, match=message):
        commitment_create(
            cycle=company["q2"], department=company["it"], draft=draft(company["it_manager"], **change), by=None
        )
    assert not Commitment.objects.exists()


def test_the_owner_must_be_of_the_department_and_text_is_limited(company):
    with pytest.raises(CommitmentError, match="owner must be an active person of IT"):
        commitment_create(cycle=company["q2"], department=company["it"], draft=draft(company["manager"]), by=None)
    too_long = Draft(**{**draft(company["it_manager"]).__dict__, "text": "x" * 1001})
    with pytest.raises(CommitmentError, match="1000 characters"):
        commitment_create(cycle=company["q2"], department=company["it"], draft=too_long, by=None)


def test_commitments_on_an_unpublished_or_open_cycle_are_refused(company):
    closed = Cycle.objects.create(name="2026-Q3", status=Cycle.Status.CLOSED)
    with pytest.raises(CommitmentError, match="not published"):
        commitment_create(cycle=closed, department=company["it"], draft=draft(company["it_manager"]), by=None)


def test_the_cascade_starts_at_the_top_and_opens_to_all_after_the_days(company, settings):
    settings.CHAINSURVEY_CASCADE_DAYS = 7
    q2, it = company["q2"], company["it"]
    published = q2.published_at
    with time_machine.travel(published + datetime.timedelta(days=1), tick=False):
        assert cascade_for(cycle=q2, department_id=company["executive_office"].id).may_publish
        waiting = cascade_for(cycle=q2, department_id=it.id)
        assert not waiting.may_publish
        assert "once the top of the company has published" in waiting.explanation
        made = commitment_create(cycle=q2, department=it, draft=draft(company["it_manager"]), by=None)
        with pytest.raises(CommitmentError, match="Draft now"):
            commitment_publish(commitment=made, by=None)
        assert Commitment.objects.published().count() == 0
    with time_machine.travel(published + datetime.timedelta(days=7, seconds=1), tick=False):
        assert cascade_for(cycle=q2, department_id=it.id).may_publish
        commitment_publish(commitment=made, by=None)
    assert Commitment.objects.get(pk=made.pk).is_published


def test_once_the_top_publishes_every_department_may(company):
    q2 = company["q2"]
    assert not cascade_for(cycle=q2, department_id=company["it"].id).may_publish
    commitment_create(
        cycle=q2,
        department=company["executive_office"],
        draft=draft(company["executive"], scope="management"),
        by=None,
        publish=True,
    )
    state = cascade_for(cycle=q2, department_id=company["it"].id)
    assert state.may_publish and state.top_published


def test_progress_updates_only_on_published_commitments(company):
    made = commitment_create(
        cycle=company["q2"], department=company["executive_office"], draft=draft(company["executive"]), by=None
    )
    with pytest.raises(CommitmentError, match="published commitments"):
        progress_add(commitment=made, text="Started", by=None)
    commitment_publish(commitment=made, by=None)
    progress_add(commitment=made, text="Started weekly office hours", by=None)
    assert made.updates.get().text == "Started weekly office hours"


# ---- Pages and rights ----


def page(cycle, department):
    return f"/actions/{cycle.name}/departments/{department.slug}/"


def form_data(owner, **more):
    return {
        "scope": "supplier",
        "dimension": "ownership",
        "text": "Every request gets a named owner the same day.",
        "owner": owner.pk,
        "due": (timezone.localdate() + datetime.timedelta(days=60)).isoformat(),
        **more,
    }


@pytest.mark.parametrize(
    "who, department, expected",
    [
        ("it_manager", "it", 200),
        ("it_manager", "sales", 403),
        ("manager", "it", 403),
        ("employee", "sales", 403),
        ("executive", "executive_office", 200),
        ("executive", "it", 403),
        ("hr", "it", 200),
        ("hr", "sales", 200),
    ],
)
def test_who_may_open_a_departments_commitments_page(client, company, who, department, expected):
    client.force_login(company[who].user)
    assert client.get(page(company["q2"], company[department])).status_code == expected


def test_a_manager_drafts_then_everyone_reads_it_once_published(client, company):
    cache.clear()
    q2, eo = company["q2"], company["executive_office"]
    client.force_login(company["executive"].user)
    response = client.post(page(q2, eo), form_data(company["executive"], scope="management", dimension="communication"))
    assert response.status_code == 302
    made = Commitment.objects.get()
    assert not made.is_published
    client.force_login(company["employee"].user)
    assert "named owner" not in client.get("/actions/").content.decode()
    client.force_login(company["executive"].user)
    client.post(f"{page(q2, eo)}{made.pk}/publish/")
    client.force_login(company["employee"].user)
    body = client.get("/actions/").content.decode()
    assert "named owner" in body and "top of the company" in body
    # An employee reads, never writes.
    assert client.post(f"{page(q2, eo)}{made.pk}/status/", {"status": "done"}).status_code == 403
    assert Commitment.objects.get().status == "open"


def test_the_form_refuses_tampered_and_bad_input_and_keeps_what_was_typed(client, company):
    q2, it = company["q2"], company["it"]
    client.force_login(company["it_manager"].user)
    bad_owner = client.post(page(q2, it), form_data(company["manager"]))
    assert bad_owner.status_code == 400
    past = client.post(page(q2, it), form_data(company["it_manager"], due="2020-01-01"))
    assert past.status_code == 400 and "before the results were published" in past.content.decode()
    assert "Every request gets a named owner" in past.content.decode()
    # Especially for: only rater departments whose ratings the scorecard shows (not HR, which rated nobody).
    hr_department = company["hr"].department
    tampered = client.post(page(q2, it), form_data(company["it_manager"], especially_for=[hr_department.pk]))
    assert tampered.status_code == 400
    script = client.post(page(q2, it), form_data(company["it_manager"], text="<script>alert(1)</script>"))
    assert script.status_code == 302
    body = client.get(page(q2, it)).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert Commitment.objects.count() == 1


def test_commitments_on_a_cycle_without_published_results_are_a_404(client, company):
    Cycle.objects.create(name="2026-Q3", status=Cycle.Status.CLOSED)
    client.force_login(company["hr"].user)
    assert client.get(page(Cycle(name="2026-Q3"), company["it"])).status_code == 404
    assert client.post(page(Cycle(name="2026-Q3"), company["it"]), form_data(company["it_manager"])).status_code == 404
    assert not Commitment.objects.exists()


def test_the_department_scorecard_shows_the_verdict_with_before_and_after(client, company):
    cache.clear()
    it = company["it"]
    made = commitment_create(cycle=company["q1"], department=it, draft=draft(company["it_manager"]), by=None)
    client.force_login(company["it_manager"].user)
    before = client.get(f"/reports/2026-Q2/departments/{it.slug}/").content.decode()
    assert "We answer every request within a day" not in before  # a draft is not shown there
    commitment_publish(commitment=made, by=None)
    after = client.get(f"/reports/2026-Q2/departments/{it.slug}/").content.decode()  # the cache key changed
    assert "We answer every request within a day" in after and "Improved" in after
    assert 'id="dept-commitments-title"' in after  # the panel is HTML, not escaped text


def test_the_dashboard_names_the_tops_commitments_first_and_counts_the_rest(client, company):
    cache.clear()
    commitment_create(
        cycle=company["q2"],
        department=company["executive_office"],
        draft=draft(company["executive"], scope="management"),
        by=None,
        publish=True,
    )
    commitment_create(
        cycle=company["q2"], department=company["it"], draft=draft(company["it_manager"]), by=None, publish=True
    )
    client.force_login(company["executive"].user)
    body = client.get("/reports/2026-Q2/").content.decode()
    assert "The top of the company committed first" in body
    assert "<strong>2 of 5</strong> departments" in body
