"""PostgreSQL connections dropped under the app (a database restart, a failover, an admin's
pg_terminate_backend): gunicorn keeps serving without a restart. Persistent connections are
checked at the start of each request (CONN_HEALTH_CHECKS), so a connection dropped between
requests costs no request at all; one dropped mid-request costs that request only."""

import http.client
import threading
import time
import uuid

import pytest

from tests.reports.test_worker_integration import raw_connection

pytestmark = [
    pytest.mark.services,
    # Committed data, so that gunicorn sees it; serialized_rollback as in every transactional test
    # here, so that the rows the data migrations made survive for the tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAGE = "/survey/"  # signed in: the session, the person and the open cycle are read on every request


def get(base_url: str, cookie: str) -> int:
    host, port = base_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request("GET", PAGE, headers={"Cookie": f"sessionid={cookie}"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def drop_connections(app_name: str) -> int:
    """Terminate every database session of the server; returns how many there were."""
    with raw_connection(autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s", [app_name]
        ).fetchall()
    return len(rows)


@pytest.fixture
def signed_in_cookie(client, employee, open_cycle):
    client.force_login(employee.user)
    return client.cookies["sessionid"].value


def test_connections_dropped_between_requests_cost_no_request(gunicorn, signed_in_cookie):
    app_name = f"web-{uuid.uuid4().hex[:8]}"
    server = gunicorn(app_name=app_name, workers=2)
    assert {get(server.base_url, signed_in_cookie) for _ in range(10)} == {200}

    for _ in range(3):
        assert drop_connections(app_name) >= 1  # the workers' persistent connections
        statuses = [get(server.base_url, signed_in_cookie) for _ in range(10)]
        assert statuses == [200] * 10

    assert server.process.poll() is None and "Worker exiting" not in server.log()


def test_connections_dropped_under_traffic_recover_without_a_restart(gunicorn, signed_in_cookie):
    app_name = f"web-{uuid.uuid4().hex[:8]}"
    server = gunicorn(app_name=app_name, workers=2)
    pids = server.worker_pids()
    statuses: list[int] = []

    deadline = time.monotonic() + 3  # long enough for several drops, however fast the pages are

    def traffic():
        for _ in range(300):  # bounded: 4 clients × at most 300 requests, for 3 s
            if time.monotonic() > deadline:
                break
            try:
                statuses.append(get(server.base_url, signed_in_cookie))
            except OSError:
                statuses.append(0)

    clients = [threading.Thread(target=traffic) for _ in range(4)]
    for thread in clients:
        thread.start()
    drops = 0
    while any(thread.is_alive() for thread in clients) and drops < 200:
        time.sleep(0.3)
        drops += drop_connections(app_name) > 0
    for thread in clients:
        thread.join(timeout=120)

    failed = [status for status in statuses if status != 200]
    # At most the requests that were mid-query when their connection went: one per worker per drop.
    assert drops >= 3, "the connections were not dropped while requests ran"
    assert len(failed) <= 2 * drops, f"{len(failed)} of {len(statuses)} requests failed over {drops} drops"
    # And then the app is whole again, with the same worker processes: no restart.
    assert [get(server.base_url, signed_in_cookie) for _ in range(20)] == [200] * 20
    assert server.process.poll() is None
    assert server.worker_pids() == pids
