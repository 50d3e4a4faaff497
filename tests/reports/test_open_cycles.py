"""A cycle still open has no results (CONTRACT.md, "Roll-up" and `delta`): `rollup` refuses it, the
roll-up service and task refuse it, it is never anyone's previous cycle, and imported history
compares with it only once it is closed."""

import io
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from reports import services
from reports.models import CycleSummary, DepartmentResult, LinkResult, RollupRun
from surveys.dimensions import SERVICE_DIMENSIONS
from surveys.models import Cycle
from surveys.selectors import next_cycle_with_answers, previous_cycle
from surveys.services.cycles import cycle_close
from tests.factories import CycleFactory, EmployeeFactory, OpenCycleFactory
from tests.reports.builders import add_answers, full_survey

pytestmark = pytest.mark.django_db


def _answered(cycle, org, score, people=3):
    """`people` Sales raters rating IT `score` on every service dimension."""
    add_answers(cycle, [row for r in range(1, people + 1) for row in full_survey(r, org["sales"], org["it"], score)])
    return cycle


def _nothing_stored(cycle):
    assert not RollupRun.objects.filter(cycle=cycle).exists()
    assert not CycleSummary.objects.filter(cycle=cycle).exists()
    assert not DepartmentResult.objects.filter(cycle=cycle).exists()
    assert not LinkResult.objects.filter(cycle=cycle).exists()


@pytest.fixture
def open_with_answers(org):
    # Answers already reach an open cycle: the ballot box moves them in once enough people submitted.
    return _answered(OpenCycleFactory(name="2026-Q4", min_group_size=2), org, 2)


def test_rollup_command_refuses_an_open_cycle_with_a_clear_message_and_writes_nothing(open_with_answers):
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"Cycle 2026-Q4 is still open: it has no results until it is closed"):
        call_command("rollup", "2026-Q4", stdout=out)
    assert out.getvalue() == ""  # no interim figure printed
    _nothing_stored(open_with_answers)


def test_rollup_command_exits_non_zero_on_an_open_cycle(open_with_answers, tmp_path):
    # The test database lives in this process only: a file database holds the open cycle for the command.
    database = tmp_path / "db.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    run = [sys.executable, "manage.py"]
    subprocess.run([*run, "migrate", "-v0"], cwd=settings.BASE_DIR, env=env, check=True, timeout=300)
    subprocess.run([*run, "open_cycle", "2026-Q4"], cwd=settings.BASE_DIR, env=env, check=True, timeout=120)
    result = subprocess.run(
        [*run, "rollup", "2026-Q4"], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "Cycle 2026-Q4 is still open" in result.stderr
    assert result.stdout == ""


def test_the_rollup_service_refuses_an_open_cycle_and_removes_the_run_it_created(open_with_answers):
    with pytest.raises(services.CycleStillOpen, match="2026-Q4 is still open"):
        services.rollup_cycle(cycle_id=open_with_answers.id)
    _nothing_stored(open_with_answers)
    with pytest.raises(services.CycleStillOpen):
        services.compute_rollup(cycle=open_with_answers)  # not even computed, read-only


def test_the_rollup_task_refuses_an_open_cycle_and_records_why_on_its_run(open_with_answers):
    from reports.rollup_task import rollup_cycle

    run = RollupRun.objects.create(cycle=open_with_answers)
    with pytest.raises(services.CycleStillOpen):
        rollup_cycle.run(cycle_id=open_with_answers.id, run_id=run.id)
    run.refresh_from_db()
    assert run.state == RollupRun.State.FAILED
    assert "still open" in run.error
    assert not CycleSummary.objects.filter(cycle=open_with_answers).exists()
    assert not DepartmentResult.objects.filter(cycle=open_with_answers).exists()


def test_closing_then_rolling_up_works(open_with_answers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        cycle_close(cycle=open_with_answers)  # requests the roll-up; without a broker it runs on commit
    assert RollupRun.objects.get(cycle=open_with_answers).state == RollupRun.State.DONE
    out = io.StringIO()
    call_command("rollup", "2026-Q4", stdout=out)  # and by hand, once closed
    assert "Rolled up 2026-Q4: 18 answers" in out.getvalue()
    assert CycleSummary.objects.get(cycle=open_with_answers).answers_count == 18


def test_an_open_cycle_is_never_anyones_previous_or_next_cycle(open_with_answers, org):
    older = _answered(CycleFactory(name="2026-Q3", status=Cycle.Status.PUBLISHED), org, 4)
    later = _answered(CycleFactory(name="2027-Q1", status=Cycle.Status.CLOSED, is_historical=True), org, 5)

    assert previous_cycle(cycle=later) == older  # not the open 2026-Q4 between them
    assert next_cycle_with_answers(cycle=older) == later
    Cycle.objects.filter(pk=open_with_answers.pk).update(status=Cycle.Status.CLOSED)
    assert previous_cycle(cycle=later) == open_with_answers  # once closed, it is
    assert next_cycle_with_answers(cycle=older) == open_with_answers


def _it_overall(cycle):
    return DepartmentResult.objects.get(cycle=cycle, department__name="IT", scope="supplier", dimension="overall")


def test_history_imported_while_a_cycle_is_open_does_not_compare_with_it(
    open_with_answers, org, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MIN_GROUP_SIZE = 2  # the imported cycle's, as the other two have
    older = _answered(CycleFactory(name="2026-Q3", status=Cycle.Status.PUBLISHED, min_group_size=2), org, 4)
    services.rollup_cycle(cycle_id=older.id)
    raters = [EmployeeFactory(department=org["sales"], employee_id=f"S{n}") for n in range(3)]
    csv = tmp_path / "2027-Q1.csv"
    csv.write_text(
        "rater_employee_id,provider_department,dimension,score\n"
        + "".join(f"{r.employee_id},IT,{d},5\n" for r in raters for d in SERVICE_DIMENSIONS)
    )

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_responses", "--cycle", "2027-Q1", str(csv), stdout=out)
    later = Cycle.objects.get(name="2027-Q1")
    assert out.getvalue().endswith("2027-Q1.\n")  # its roll-up, and none of the open cycle
    assert not RollupRun.objects.filter(cycle=open_with_answers).exists()
    assert CycleSummary.objects.get(cycle=later).previous_cycle == older
    assert _it_overall(later).delta == pytest.approx(1.0)  # 5 against 2026-Q3's 4, not the open cycle's 2

    # Once the open cycle closes, the later one compares with it: its roll-up is requested again.
    with django_capture_on_commit_callbacks(execute=True):
        cycle_close(cycle=open_with_answers)
    assert CycleSummary.objects.get(cycle=later).previous_cycle == open_with_answers
    assert _it_overall(later).delta == pytest.approx(3.0)
