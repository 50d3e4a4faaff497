"""The demo company tells the commitments story (issue 20, item 8)."""

import datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command

from actions import verdicts
from actions.demo import seed_demo
from actions.models import Commitment

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    cache.clear()
    return seed_demo(today=datetime.date(2026, 11, 15))


def test_last_quarters_commitments_read_as_the_story_says(demo):
    on_q2 = Commitment.objects.filter(cycle__name="2026-Q2").select_related("department")
    found = verdicts.judgements(on_q2)
    by_department = {}
    for c in on_q2:
        by_department.setdefault(c.department.name, []).append((c.dimension, found[c.id].verdict))
    assert sorted(by_department["Executive Office"]) == [("communication", "improved"), ("reliability", "improved")]
    assert by_department["Facilities"] == [("ownership", "no_clear_change")]  # marked done all the same
    assert by_department["IT"] == [("responsiveness", "improved")]
    assert Commitment.objects.get(cycle__name="2026-Q2", department__name="Facilities").status == "done"


def test_on_the_latest_results_the_top_has_published_first_and_it_has_a_draft(demo):
    latest = Commitment.objects.filter(cycle__name="2026-Q3")
    assert latest.published().filter(department__name="Executive Office").exists()
    assert latest.drafts().filter(department__name="IT").exists()
    assert not latest.filter(department__name="Customer Service").exists()  # the demo manager's to make


def test_seeding_again_changes_nothing(demo, capsys):
    before = Commitment.objects.count()
    call_command("seed_demo")
    assert Commitment.objects.count() == before
    assert "nothing changed" in capsys.readouterr().out


def test_the_dashboard_tells_it(client, demo):
    from surveys.models import Employee

    client.force_login(Employee.objects.get(user__email="elena.fischer@demo.example").user)
    body = client.get("/reports/2026-Q3/").content.decode()
    assert "3 improved, 1 no clear change; Executive Office kept 2 of 2." in body


def test_an_employees_home_says_what_was_promised_to_their_department_in_words(client, demo):
    from surveys.models import Employee

    client.force_login(Employee.objects.get(user__email="emma.lopez@demo.example").user)  # Sales
    body = client.get("/").content.decode()
    assert "What the departments you rate promised" in body
    assert "Facilities" in body and "No clear change in the ratings" in body  # especially for Sales
    assert "Improved: their internal customers" in body  # the Executive Office's
    assert "1.89" not in body and "1.90" not in body  # words, no figures
