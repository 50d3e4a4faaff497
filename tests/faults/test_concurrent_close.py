"""Two HR users closing the same cycle at the same moment, each through the admin: the cycle
closes once and exactly one roll-up is requested and computed; the other user is told it was
already closed. Real threads on PostgreSQL (SQLite serialises writers, so it could not race)."""

import html
import re
import threading

import pytest
from django.db import connections
from django.test import Client

from reports.models import RollupRun
from surveys.models import Cycle
from surveys.roles import Role
from tests.factories import DepartmentFactory, EmployeeFactory, OpenCycleFactory
from tests.machine_services import require_postgresql
from tests.reports.builders import add_uniform_answers

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def close_through_the_admin(client: Client, cycle: Cycle, barrier: threading.Barrier, out: list, index: int):
    try:
        barrier.wait(timeout=30)
        response = client.post(
            "/admin/surveys/cycle/",
            {"action": "close_cycles", "_selected_action": [str(cycle.pk)], "index": "0"},
            follow=True,
        )
        # From the page itself: the test client's response.context collects every template rendered
        # in the process meanwhile, the other thread's included.
        out[index] = [html.unescape(m) for m in re.findall(r'<li class="\w+">(.*?)</li>', response.content.decode())]
    finally:
        connections.close_all()


@pytest.mark.parametrize("attempt", range(3))  # a race: try it a few times
def test_two_hr_users_closing_the_same_cycle_at_once_trigger_one_rollup(attempt):
    require_postgresql()
    hr_department = DepartmentFactory(name="Human Resources")
    clients = []
    for email in ("hana@example.com", "henri@example.com"):
        person = EmployeeFactory(department=hr_department, role=Role.HR, user__email=email)
        client = Client()
        client.force_login(person.user)
        clients.append(client)
    cycle = OpenCycleFactory(name="2026-Q4")
    add_uniform_answers(cycle, 5)

    barrier = threading.Barrier(2)
    messages: list = [None, None]
    threads = [
        threading.Thread(target=close_through_the_admin, args=(client, cycle, barrier, messages, i))
        for i, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    flat = sorted(" ".join(m) for m in messages)
    assert sum("closed; its roll-up is done (5 answers)" in m for m in flat) == 1, flat
    assert sum("is not open (it is closed)" in m for m in flat) == 1, flat
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.CLOSED
    (run,) = RollupRun.objects.filter(cycle=cycle)
    assert (run.state, run.answers_count) == (RollupRun.State.DONE, 5)
