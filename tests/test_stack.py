"""The compose stack, process by process (no Docker engine runs here, so each service's command is
proven directly): the `command` of every app service in docker-compose.yml, and the Dockerfile's
collectstatic step, run as subprocesses with production settings against the machine's PostgreSQL
and Redis. The test signs in through gunicorn, submits a survey, sees the invitations and reminders
the beat schedule sends through the worker, closes the cycle in the admin and waits for the
worker's roll-up. `test_compose_file_runs_only_commands_the_stack_test_runs` keeps the two in step.
"""

import contextlib
import datetime
import http.client
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.db import connection
from django.utils import timezone

from accounts.models import User
from invitations.models import Notice
from reports.models import RollupRun
from surveys.models import Cycle, Participation
from surveys.roles import Role
from surveys.services.cycles import cycle_open
from tests.factories import DepartmentFactory, EmployeeFactory
from tests.machine_services import require_postgresql, require_redis

pytestmark = [
    pytest.mark.services,
    # Committed rows, so that the servers see them; serialized_rollback restores the rows of the
    # data migrations (dimensions, role groups) for the tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PROJECT_DIR = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((PROJECT_DIR / "docker-compose.yml").read_text())
DOCKERFILE = (PROJECT_DIR / "Dockerfile").read_text()
# The app services of the compose file, in the order the stack starts them; postgres and redis
# are the machine's own.
APP_SERVICES = ("migrate", "web", "worker", "beat")
START_TIMEOUT = 40  # seconds; the machine is shared, start-up is slow under load
STEP_TIMEOUT = 20
PASSWORD = "correct horse battery staple"


def wait_for(condition: Callable[[], object], *, timeout: float, what: str, details: Callable[[], str] = str):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}\n{details()}")
        time.sleep(0.1)
    return value


def argv(command: str) -> list[str]:
    """A compose/Dockerfile command line as this machine runs it: the venv's python and scripts."""
    words = shlex.split(command)
    program = sys.executable if words[0] == "python" else str(Path(sys.executable).parent / words[0])
    return [program, *words[1:]]


def compose_command(service: str) -> list[str]:
    return argv(COMPOSE["services"][service]["command"])


def dockerfile_collectstatic() -> str:
    """The Dockerfile's collectstatic step, without the build-time variables before it."""
    (step,) = re.findall(r"^RUN .*\\\n\s+(python manage\.py collectstatic.*)$", DOCKERFILE, flags=re.M)
    return step


class Process:
    """One service as a subprocess in its own process group, its output in a log file."""

    def __init__(self, name: str, command: list[str], *, env: dict, log_dir: Path):
        self.name, self.log_path = name, log_dir / f"{name}.log"
        with open(self.log_path, "wb") as log:
            self.popen = subprocess.Popen(
                command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def running(self) -> bool:
        if self.popen.poll() is not None:
            pytest.fail(f"{self.name} exited with {self.popen.returncode}:\n{self.log()[-4000:]}")
        return True

    def terminate(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)

    def stop(self) -> None:
        """After `terminate`: wait for a clean exit, then kill what is left of the group."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)  # also any child the leader left behind
        self.popen.wait(timeout=10)


class Visitor:
    """A browser's share of HTTP, as seen behind a TLS-terminating proxy: it sends
    X-Forwarded-Proto, and keeps its (Secure) cookies itself."""

    def __init__(self, port: int, *, address: str = "192.0.2.10"):
        self.port, self.origin, self.cookies = port, f"https://127.0.0.1:{port}", {}
        self.address = address  # the client address the proxy reports

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None):
        head = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            **(headers or {}),
        }
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            head |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin}
            head["Referer"] = self.origin + path
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=STEP_TIMEOUT)
        try:
            client.request(method, path, body, head)
            response = client.getresponse()
            text = response.read().decode(errors="replace")
        finally:
            client.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";")[0].partition("=")
            if value in ("", '""'):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response.status, response.headers, text

    def get(self, path: str):
        return self.request("GET", path)

    def post_form(self, path: str, data: dict, *, page: str | None = None):
        """POST `data` with the CSRF token of `page` (or of a fresh GET of `path`)."""
        page = page if page is not None else self.get(path)[2]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.request("POST", path, {"csrfmiddlewaretoken": token, **data})

    def sign_in(self, email: str, password: str = PASSWORD):
        return self.post_form("/accounts/login/", {"username": email, "password": password})


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def stack_env(tmp_path):
    """Production settings, as .env.example has them, on the test database and a queue of its own."""
    require_postgresql()
    redis_url = require_redis()
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CHAINSURVEY_", "GUNICORN_"))}
    return {
        **inherited,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "survey.example.com,127.0.0.1",
        "CHAINSURVEY_SITE_URL": "https://survey.example.com",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "CHAINSURVEY_CELERY_QUEUE": f"stack-{uuid.uuid4().hex[:8]}",
        "CHAINSURVEY_BEAT_SCHEDULE_FILE": str(tmp_path / "celerybeat-schedule"),
        "CHAINSURVEY_NOTICES_EVERY": "1",  # the beat's email tick, every 5 minutes by default
        # No SMTP server here: the emails are read from the worker's log, which production allows
        # only when told so (its password-set links are in that log).
        "CHAINSURVEY_ALLOW_CONSOLE_EMAIL": "1",
        "CHAINSURVEY_LOGIN_FAILURE_LIMIT": "2",
        "DJANGO_PROXY_COUNT": "1",
        "GUNICORN_BIND": "127.0.0.1:0",  # a free port, chosen by the kernel; read back from the log
        "WEB_CONCURRENCY": "2",
    }


@pytest.fixture
def company(settings):
    """Six people (one HR) and a cycle open since ten days, closing in two: invitations and
    reminders are both due. One person already took part: they get neither."""
    # The servers check passwords with the production hasher (the conftest makes tests use MD5).
    password = make_password(PASSWORD, hasher=PBKDF2PasswordHasher())
    sales, it = DepartmentFactory(name="Sales"), DepartmentFactory(name="IT")
    DepartmentFactory(name="Executive Office", is_executive_office=True)
    people = [EmployeeFactory(department=sales, user__email="emma@example.com")]
    people += [EmployeeFactory(department=it, user__email=f"it{n}@example.com") for n in range(3)]
    people.append(EmployeeFactory(department=sales, role=Role.HR, user__email="hana@example.com"))
    User.objects.filter(email__in=["emma@example.com", "hana@example.com"]).update(password=password)
    took_part = EmployeeFactory(department=it, user__email="early@example.com")
    cycle = cycle_open(name="2026-Q4", closes_on=timezone.localdate() + datetime.timedelta(days=2))
    Cycle.objects.filter(pk=cycle.pk).update(opens_at=timezone.now() - datetime.timedelta(days=10))
    Participation.objects.create(employee=took_part, cycle=cycle, department=it)
    return {"cycle": cycle, "due": sorted(p.user.email for p in people), "took_part": took_part.user.email}


@pytest.fixture
def stack(stack_env, company, tmp_path):
    """Runs the Dockerfile's collectstatic and the compose file's migrate (one-off), then starts
    web, worker and beat; stops them all in teardown."""
    processes: dict[str, Process] = {}
    one_offs = [
        ("collectstatic", argv(dockerfile_collectstatic())),
        ("migrate", compose_command("migrate")),
    ]
    try:
        for name, command in one_offs:
            processes[name] = Process(name, command, env=stack_env, log_dir=tmp_path)
        for name, _ in one_offs:
            process = processes[name]
            code = process.popen.wait(timeout=START_TIMEOUT)
            assert code == 0, f"{name} failed:\n{process.log()}"
        for name in ("web", "worker", "beat"):
            processes[name] = Process(name, compose_command(name), env=stack_env, log_dir=tmp_path)
        yield processes
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.stop()


def web_port(web: Process) -> int:
    found = wait_for(
        lambda: web.running() and re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", web.log()),
        timeout=START_TIMEOUT,
        what="gunicorn to listen",
    )
    return int(found.group(1))


def emails_in(log: str) -> dict[str, set[str]]:
    """Recipients of the console backend's emails in a worker's log, by subject."""
    found: dict[str, set[str]] = {"invitation": set(), "reminder": set()}
    for subject, recipient in re.findall(r"Subject: (.{0,40}?).*?To: (\S+@example\.com)", log, flags=re.S):
        kind = "reminder" if subject.startswith("Reminder") else "invitation"
        found[kind].add(recipient.strip('",'))
    return found


def submit_survey(visitor: Visitor, cycle: Cycle) -> None:
    """The screener (no extra department), then a 4 for every question of every section."""
    status, _, page = visitor.get("/survey/")
    assert status == 200 and "Which other departments" in page
    status, _, _ = visitor.post_form("/survey/", {"cycle": cycle.name, "draft": ""}, page=page)
    assert status == 302, page
    status, _, page = visitor.get("/survey/")
    draft = re.search(r'name="draft" value="(\d+)"', page).group(1)
    # The ratings page writes its radios' attributes unquoted (a smaller page): match either way.
    questions = set(re.findall(r'name="?(p\d+-(?!skip|comment)[a-z]+)[" ]', page))
    assert questions, page
    answers = dict.fromkeys(questions, "4")
    status, _headers, page = visitor.post_form(
        "/survey/", {"cycle": cycle.name, "draft": draft, "action": "submit", "confirm": "1", **answers}, page=page
    )
    assert status == 302, page


def test_the_compose_stack_serves_signs_in_emails_throttles_and_rolls_up(stack, company, stack_env):
    web, worker, beat = stack["web"], stack["worker"], stack["beat"]
    port = web_port(web)
    cycle = company["cycle"]

    # The compose file's health check of the web service, against this server, retried as Docker
    # does while the workers load the app.
    healthcheck = argv(shlex.join(COMPOSE["services"]["web"]["healthcheck"]["test"][1:]))
    probe = [word.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for word in healthcheck]

    def healthy() -> bool:
        return subprocess.run(probe, env=stack_env, capture_output=True, timeout=STEP_TIMEOUT).returncode == 0

    wait_for(healthy, timeout=START_TIMEOUT, what="the web health check to pass", details=web.log)

    # Beat ticks, the worker sends: one invitation and one reminder to each person due, none to
    # the person who had already taken part.
    wait_for(
        lambda: (
            worker.running()
            and beat.running()
            and Notice.objects.filter(cycle=cycle, status=Notice.Status.SENT).count() >= 2 * len(company["due"])
        ),
        timeout=STEP_TIMEOUT + START_TIMEOUT,
        what="the invitations and reminders to be sent",
        details=lambda: (
            str(list(Notice.objects.values_list("employee__user__email", "kind", "status"))) + worker.log()[-3000:]
        ),
    )
    sent = emails_in(worker.log())
    assert sent["invitation"] == set(company["due"])
    assert company["took_part"] not in sent["invitation"] | sent["reminder"]
    assert "invitations.tasks.send_due_notices" in beat.log()

    # The compose file's health check of the worker: the worker answers a ping by its node name.
    ping = COMPOSE["services"]["worker"]["healthcheck"]["test"][1].replace("$$HOSTNAME", socket.gethostname())
    answer = subprocess.run(argv(ping), env=stack_env, capture_output=True, text=True, timeout=STEP_TIMEOUT)
    assert answer.returncode == 0 and "pong" in answer.stdout, answer.stdout + answer.stderr

    # Production headers; static files under hashed names, cached for good.
    emma = Visitor(port)
    status, headers, page = emma.get("/accounts/login/")
    assert status == 200
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    stylesheet = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page).group(1)
    status, static_headers, _ = emma.get(stylesheet)
    assert status == 200 and "immutable" in static_headers["Cache-Control"]
    status, headers, _ = Visitor(port).request("GET", "/accounts/login/", headers={"X-Forwarded-Proto": "http"})
    assert status == 301 and headers["Location"].startswith("https://")

    # Sign in (the session cookie is Secure and HttpOnly) and answer the survey.
    status, headers, _ = emma.sign_in("emma@example.com")
    assert status == 302 and headers["Location"] == "/"
    session_cookie = next(c for c in headers.get_all("Set-Cookie") if c.startswith("sessionid="))
    assert all(flag in session_cookie for flag in ("Secure", "HttpOnly", "SameSite=Lax"))
    submit_survey(emma, cycle)
    assert Participation.objects.filter(cycle=cycle, employee__user__email="emma@example.com").exists()

    # A password guesser is locked out after CHAINSURVEY_LOGIN_FAILURE_LIMIT tries.
    guesser = Visitor(port, address="203.0.113.5")
    statuses = [guesser.sign_in("hana@example.com", password=f"guess {n}")[0] for n in range(2)]
    assert statuses == [200, 429]
    assert guesser.sign_in("hana@example.com")[0] == 429

    # HR closes the cycle in the admin (from another address: the guesser's lock is not theirs);
    # the roll-up runs in the worker.
    hana = Visitor(port, address="198.51.100.1")
    assert hana.sign_in("hana@example.com")[0] == 302
    status, _, page = hana.get("/admin/surveys/cycle/")
    assert status == 200 and "Invitations sent" in page
    status, _, page = hana.post_form(
        "/admin/surveys/cycle/",
        {"action": "close_cycles", "_selected_action": cycle.pk, "index": 0, "select_across": 0},
        page=page,
    )
    assert status == 302
    run = wait_for(
        lambda: worker.running() and RollupRun.objects.filter(cycle=cycle, state=RollupRun.State.DONE).first(),
        timeout=STEP_TIMEOUT,
        what="the roll-up to be done by the worker",
        details=lambda: worker.log()[-3000:],
    )
    assert run.answers_count > 0
    assert "reports.tasks.rollup_cycle[" in worker.log()

    # Logs are JSON lines on stdout, access lines with their fields.
    access = [line for line in web.log().splitlines() if '"logger": "gunicorn.access"' in line]
    assert any('"path": "/survey/"' in line and '"status": "302"' in line for line in access)


def test_compose_file_runs_only_commands_the_stack_test_runs():
    services = COMPOSE["services"]
    # The app's services (built from the Dockerfile) are exactly those the stack test starts with
    # their `command`; postgres and redis are images of their own (the machine's, in the test).
    assert {name for name, service in services.items() if "build" in service} == set(APP_SERVICES)
    assert all(services[name]["command"] for name in APP_SERVICES)
    assert {name for name, service in services.items() if "build" not in service} == {"postgres", "redis"}
    # The image's default command is the web service's.
    cmd = re.search(r"^CMD (\[.*\])$", DOCKERFILE, flags=re.M).group(1)
    assert shlex.join(yaml.safe_load(cmd)) == services["web"]["command"]


def test_compose_stack_is_complete():
    services = COMPOSE["services"]
    for name in ("web", "worker", "postgres", "redis"):
        assert "healthcheck" in services[name], name
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    # Migrations run once, before anything that uses the database starts.
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    # Every variable the compose file requires is in .env.example.
    required = set(re.findall(r"\$\{(\w+):\?", (PROJECT_DIR / "docker-compose.yml").read_text()))
    example = (PROJECT_DIR / ".env.example").read_text()
    assert required and all(re.search(rf"^{name}=", example, flags=re.M) for name in required)
