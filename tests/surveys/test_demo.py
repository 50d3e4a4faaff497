"""seed_demo: a believable company with clear stories, built idempotently."""

import hashlib
import random
from io import StringIO

import pandas as pd
import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count, F

from accounts.models import User
from reports.models import RollupRun
from surveys.demo import DEMO_PASSWORD, SEED, _roster, email_for, seed_demo
from surveys.models import Answer, Comment, Cycle, CycleHeadcount, Department, Employee, Participation
from surveys.roles import Role

pytestmark = pytest.mark.django_db

PEOPLE = 120  # smaller than the real demo (250) to keep the suite fast; the stories still hold


@pytest.fixture
def demo(db):
    return seed_demo(people=PEOPLE)


def _answers() -> pd.DataFrame:
    return pd.DataFrame(
        Answer.objects.values_list(
            "cycle__name",
            "respondent",
            "rater_department__name",
            "provider_department__name",
            "dimension__slug",
            "score",
        ),
        columns=["cycle", "respondent", "rater", "provider", "dimension", "score"],
    )


def test_demo_builds_twelve_departments_and_the_requested_headcount_with_every_role(demo):
    assert Department.objects.count() == 12
    assert Department.objects.get(is_executive_office=True).name == "Executive Office"
    assert Employee.objects.count() == PEOPLE
    roles = dict(Employee.objects.values_list("role").annotate(n=Count("id")))
    assert roles[Role.HR] == 3 and roles[Role.EXECUTIVE] >= 2 and roles[Role.MANAGER] >= 12
    assert set(Employee.objects.filter(role=Role.EXECUTIVE).values_list("department__name", flat=True)) == {
        "Executive Office"
    }
    assert set(Employee.objects.filter(role=Role.HR).values_list("department__name", flat=True)) == {"Human Resources"}
    assert not User.objects.exclude(email__endswith="@demo.example").exists()


def test_demo_has_three_published_quarters_rolled_up_and_the_current_one_open(demo):
    statuses = dict(Cycle.objects.values_list("name", "status"))
    assert sorted(statuses.values()) == ["open", "published", "published", "published"]
    past = Cycle.objects.filter(status=Cycle.Status.PUBLISHED)
    assert all(c.closed_at and c.published_at and c.closed_at < c.published_at for c in past)
    assert RollupRun.objects.filter(cycle__in=past, state=RollupRun.State.DONE).count() == 3
    open_cycle = Cycle.objects.get(status=Cycle.Status.OPEN)
    assert open_cycle.accepts_answers and CycleHeadcount.objects.filter(cycle=open_cycle).count() == 12
    assert not open_cycle.answers.exists()


def test_response_rates_are_between_70_and_85_percent(demo):
    for cycle in Cycle.objects.filter(status=Cycle.Status.PUBLISHED):
        eligible = sum(cycle.headcounts.values_list("eligible", flat=True))
        rate = Participation.objects.filter(cycle=cycle).count() / eligible
        assert 0.65 <= rate <= 0.85, (cycle.name, rate)
        # Every participant left answers under exactly one random respondent key.
        assert cycle.answers.values("respondent").distinct().count() == cycle.participations.count()


def test_facilities_is_the_weakest_supplier_every_quarter_on_ownership_and_responsiveness(demo):
    answers = _answers()
    supplier = answers[(answers.rater != answers.provider) & (~answers.dimension.isin(["expectation", "outcome"]))]
    means = supplier.groupby(["cycle", "provider"]).score.mean()
    for cycle in means.index.levels[0]:
        assert means[cycle].idxmin() == "Facilities", cycle
    facilities = supplier[supplier.provider == "Facilities"].groupby("dimension").score.mean()
    assert set(facilities.nsmallest(2).index) == {"ownership", "responsiveness"}


def test_it_improves_quarter_by_quarter(demo):
    answers = _answers()
    it = answers[
        (answers.provider == "IT") & (answers.rater != "IT") & (~answers.dimension.isin(["expectation", "outcome"]))
    ]
    by_cycle = it.groupby("cycle").score.mean().sort_index()
    assert by_cycle.is_monotonic_increasing and by_cycle.iloc[-1] - by_cycle.iloc[0] > 0.6


def test_staff_rate_their_own_management_and_expectations_run_above_experience(demo):
    answers = _answers()
    management = answers[answers.rater == answers.provider]
    assert management.provider.nunique() >= 10
    # Managers and executives do not rate their own management: per department and quarter, the
    # management raters are exactly the participants who are not management.
    raters = management.groupby(["cycle", "provider"]).respondent.nunique()
    staff = (
        Participation.objects.exclude(employee__role__in=[Role.MANAGER, Role.EXECUTIVE])
        .values_list("cycle__name", "department__name")
        .annotate(n=Count("id"))
    )
    staff = {(cycle, department): n for cycle, department, n in staff}
    assert raters.to_dict() == staff
    experience = answers[answers.dimension != "expectation"].score.mean()
    expectation = answers[answers.dimension == "expectation"].score.mean()
    assert 0.1 < expectation - experience < 1.0


def test_facilities_and_it_get_enough_comments_to_show_and_a_small_department_too_few(demo):
    minimum = 10  # max(COMMENTS_MIN_COMMENTERS, the demo's minimum group size)
    for cycle in Cycle.objects.filter(status=Cycle.Status.PUBLISHED):
        supplier = dict(
            Comment.objects.filter(cycle=cycle)
            .exclude(rater_department=F("provider_department"))
            .values_list("provider_department__name")
            .annotate(n=Count("id"))
        )
        assert supplier["Facilities"] >= minimum and supplier["IT"] >= minimum, (cycle.name, supplier)
        assert supplier.get("Legal", 0) < minimum, cycle.name
    # Comments are anonymous like the survey's: nothing ties one to a person or to a ballot.
    assert {f.name for f in Comment._meta.get_fields()} == {
        "id",
        "cycle",
        "rater_department",
        "provider_department",
        "text",
    }
    facilities = Comment.objects.filter(provider_department__name="Facilities").values_list("text", flat=True)
    assert any("not our job" in text for text in facilities)


def test_demo_accounts_sign_in_with_the_demo_password(demo):
    roles = [role for role, _, _ in demo.accounts]
    assert roles == ["Employee", "Manager", "Executive", "HR"]
    for _, _, email in demo.accounts:
        assert authenticate(email=email, password=DEMO_PASSWORD) is not None
    hr_email = demo.accounts[3][2]
    assert User.objects.get(email=hr_email).is_staff
    # The demo employee still has the open survey ahead of them.
    assert not Participation.objects.filter(employee__user__email=demo.accounts[0][2]).exists()


def test_running_it_again_changes_nothing(demo):
    def snapshot():
        return (
            User.objects.count(),
            Employee.objects.count(),
            Department.objects.count(),
            list(Cycle.objects.order_by("name").values_list("name", "status", "closes_on")),
            Answer.objects.count(),
            Comment.objects.count(),
            Participation.objects.count(),
            RollupRun.objects.count(),
            CycleHeadcount.objects.count(),
        )

    before = snapshot()
    again = seed_demo(people=PEOPLE)
    assert snapshot() == before
    assert again.people_created == 0 and again.cycles_created == []


def test_the_command_prints_the_four_sign_in_accounts_and_the_password(db):
    out = StringIO()
    call_command("seed_demo", "--people", "40", stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    for email in ("emma.lopez@demo.example", "marcus.reed@demo.example", "elena.fischer@demo.example"):
        assert email in text
    assert "hannah.okafor@demo.example" in text


def test_the_command_refuses_a_headcount_too_small_to_show_anything(db):
    with pytest.raises(CommandError, match="at least 20"):
        call_command("seed_demo", "--people", "5")
    assert not Employee.objects.exists()


def test_any_headcount_gets_a_roster_with_unique_emails_beyond_the_name_lists():
    # 70 first names × 60 last names: 4,200 pairs; beyond them names are numbered ("Ana Silva 2").
    roster = _roster(10_000, random.Random(SEED))
    assert len(roster) == 10_000
    assert len({email_for(name) for _, name, _, _ in roster}) == 10_000
    assert len({employee_id for employee_id, *_ in roster}) == 10_000
    assert sum(name[-1].isdigit() for _, name, _, _ in roster) == 10_000 - 4_200 - 1  # and Marcus Reed, no pair


@pytest.mark.parametrize(
    ("people", "digest"),
    [
        # sha256 of the roster as drawn before names could be numbered (the browser tests' personas and figures)
        (250, "60dc202d6d541f2d2489dc4790202456d04791a49694ee48f5f2c026949ec0fb"),
        (4_150, "c119a9eae75ee2c2817597664119f7f60b8ac2268f9e1c9f48c784bef0f14e00"),
    ],
)
def test_a_headcount_the_name_lists_held_keeps_its_people(people, digest):
    roster = _roster(people, random.Random(SEED))
    assert hashlib.sha256(repr([tuple(map(str, row)) for row in roster]).encode()).hexdigest() == digest


def test_ownership_and_responsiveness_drive_the_outcome_and_facilities_is_weak_on_them(demo):
    from reports.models import DriverResult

    latest = Cycle.objects.filter(status=Cycle.Status.PUBLISHED).order_by("-name").first()
    company = dict(
        DriverResult.objects.filter(cycle=latest, department=None, scope="supplier").values_list(
            "dimension", "importance_pct"
        )
    )
    assert set(sorted(company, key=company.get)[-2:]) == {"ownership", "responsiveness"}
    facilities = DriverResult.objects.filter(cycle=latest, department__name="Facilities")
    assert facilities.count() == 6 and {row.tier for row in facilities} <= {"weights", "correlations", "company"}
    answers = _answers()
    rated = answers[
        (answers.cycle == latest.name) & (answers.provider == "Facilities") & (answers.rater != "Facilities")
    ]
    means = rated[~rated.dimension.isin(["expectation", "outcome"])].groupby("dimension").score.mean()
    assert set(means.nsmallest(2).index) == {"ownership", "responsiveness"}


def test_managers_over_rate_their_management_and_the_dashboard_shows_the_blind_spot(db, client):
    """At the demo's real size (250): its company management line is hidden beside the Executive
    Office's two assistants, so the staff side pools the departments shown (reports.blindspots)."""
    import re

    from reports.models import SelfViewResult

    seed_demo()
    latest = Cycle.objects.filter(status=Cycle.Status.PUBLISHED).order_by("-name").first()
    managers = SelfViewResult.objects.get(cycle=latest, department=None, scope="management", dimension="overall")
    assert not managers.suppressed
    executive = Employee.objects.filter(role=Role.EXECUTIVE).first()
    client.force_login(executive.user)
    page = client.get(f"/reports/{latest.name}/").content.decode()
    said = re.search(r"managers think they serve their staff at (\d\.\d); their staff say (\d\.\d)", page)
    assert said and float(said[1]) == round(managers.mean, 1)
    assert float(said[1]) - float(said[2]) > 0.5
