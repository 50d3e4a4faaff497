"""Recognition (actions.recognition, /recognition/, the `recognised` email): only good news, only
from shown figures."""

import pytest
from django.core import mail
from django.utils import timezone

from actions.notices import notices_send
from actions.recognition import recognition
from reports.services import rollup_cycle
from surveys.models import Cycle
from surveys.roles import Role
from tests.factories import CycleFactory, DepartmentFactory, EmployeeFactory
from tests.reports.builders import add_answers, full_survey

pytestmark = pytest.mark.django_db


def rated(rater, provider, scores, *, first):
    return [row for i, score in enumerate(scores) for row in full_survey(first + i, rater, provider, score)]


@pytest.fixture
def results(org):
    """2026-Q2 then 2026-Q3 (minimum group size 3), rated by Sales: IT rises from about 2.5 to
    about 4.5 (a clear rise), Finance stays put, and Petit is rated 5 by only two people (hidden)."""
    sales, it = org["sales"], org["it"]
    finance = DepartmentFactory(name="Finance", slug="finance")
    petit = DepartmentFactory(name="Petit", slug="petit")
    q2 = CycleFactory(name="2026-Q2", status=Cycle.Status.PUBLISHED, min_group_size=3)
    add_answers(q2, rated(sales, it, [2, 3, 2, 3], first=1) + rated(sales, finance, [3, 4, 3, 3], first=1))
    rollup_cycle(cycle_id=q2.id)
    q3 = CycleFactory(name="2026-Q3", status=Cycle.Status.PUBLISHED, min_group_size=3, published_at=timezone.now())
    add_answers(
        q3,
        rated(sales, it, [5, 4, 5, 4], first=11)
        + rated(sales, finance, [3, 3, 4, 3], first=11)
        + rated(sales, petit, [5, 5], first=11),
    )
    rollup_cycle(cycle_id=q3.id)
    return {"q3": q3, "it": it, "finance": finance, "petit": petit}


def test_the_best_rated_and_the_clear_risers_are_named_and_a_hidden_group_never(results):
    found = recognition(cycle=results["q3"])
    text = " ".join(p.sentence for p in found.praises)
    assert "IT is the best-rated department as a supplier" in text
    assert any(
        p.kind == "improved" and p.department == results["it"] and "since 2026-Q2" in p.sentence for p in found.praises
    )
    # Petit is rated higher than anyone, by two people: hidden, so never praised.
    assert "Petit" not in text
    # Finance did not change clearly: no improvement of it is claimed.
    assert not [p for p in found.praises if p.kind == "improved" and p.department == results["finance"]]


def test_only_good_news(results):
    found = recognition(cycle=results["q3"])
    assert {p.kind for p in found.praises} <= {"best", "management", "link", "improved"}
    assert "−" not in " ".join(p.sentence for p in found.praises if p.kind == "improved")  # no declines


def test_everyone_signed_in_reads_the_page_and_others_are_sent_to_sign_in(client, results, employee):
    client.force_login(employee.user)
    page = client.get("/recognition/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "What works in the chain: 2026-Q3" in body and "IT is the best-rated department" in body
    assert "Petit" not in body
    assert client.get("/recognition/2026-Q2/").status_code == 200
    assert client.get("/recognition/2031-Q1/").status_code == 404
    client.logout()
    assert client.get("/recognition/")["Location"].startswith("/accounts/login/")


def test_the_page_makes_a_fixed_number_of_queries(client, results, employee, django_assert_max_num_queries):
    client.force_login(employee.user)
    client.get("/recognition/")
    # Session, user, the visible cycles (remembered a moment), the cycle, its summary, the dimension
    # labels, the shown scorecard rows, the strongest links: whatever the company's size.
    with django_assert_max_num_queries(8):
        assert client.get("/recognition/").status_code == 200


def test_with_nothing_published_the_page_says_so(client, employee):
    client.force_login(employee.user)
    assert "No cycle's results are published yet" in client.get("/recognition/").content.decode()


def test_the_managers_of_a_recognised_department_are_emailed_once(results, settings):
    settings.CHAINSURVEY_SITE_URL = "https://survey.example"
    it_manager = EmployeeFactory(department=results["it"], role=Role.MANAGER, user__email="ida@example.com")
    EmployeeFactory(department=results["it"], role=Role.EMPLOYEE, user__email="ivan@example.com")
    EmployeeFactory(department=results["petit"], role=Role.MANAGER, user__email="pia@example.com")
    notices_send()
    recognised = [m for m in mail.outbox if "is recognised" in m.subject]
    assert [m.to for m in recognised] == [[it_manager.user.email]]
    assert "IT is the best-rated department" in recognised[0].body
    assert "https://survey.example/recognition/2026-Q3/" in recognised[0].body
    mail.outbox.clear()
    notices_send()
    assert not [m for m in mail.outbox if "is recognised" in m.subject]
