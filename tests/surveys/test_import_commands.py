"""The import_org and import_responses management commands, as HR scripts run them."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from surveys.models import Answer, Cycle, Department, Employee

pytestmark = pytest.mark.django_db


def run(command: str, *args, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def run_failing(command: str, *args, **options) -> tuple[str, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command(command, *args, stdout=io.StringIO(), stderr=err, **options)
    return str(failed.value), err.getvalue()


@pytest.fixture
def org_file(tmp_path):
    path = tmp_path / "org.csv"
    path.write_bytes(
        b"\xef\xbb\xbfemployee_id,email,full_name,department,role\n"
        b"E1,ann@example.com,Ann Lee,Sales,manager\n"
        b"E2,bob@example.com,Bob Roe,IT,employee\n"
    )
    return path


def test_import_org_prints_a_summary(org_file):
    out, _ = run("import_org", str(org_file))
    assert (
        out.strip() == "2 created, 0 updated, 0 reactivated, 0 deactivated, 0 unchanged; 2 new department(s): Sales, IT"
    )
    assert Employee.objects.count() == 2


def test_import_org_dry_run_writes_nothing(org_file):
    out, _ = run("import_org", str(org_file), dry_run=True)
    assert out.startswith("Dry run, nothing written: would have 2 created")
    assert not Employee.objects.exists() and not Department.objects.exists()


def test_import_org_rejects_a_bad_file_printing_every_row_error_and_writes_nothing(tmp_path):
    path = tmp_path / "org.csv"
    path.write_text(
        "employee_id,email,full_name,department,role\n"
        "E1,ann@example.com,Ann,Sales,employee\n"
        "E2,ann@EXAMPLE.com,Bob,Sales,employee\n"
        "E3,cy@example,Cy,Sales,boss\n"
    )
    message, err = run_failing("import_org", str(path))
    assert err.splitlines() == [
        "row 3: email ann@example.com is also on row 2",
        "row 4: email 'cy@example' is not a valid email address",
        "row 4: role 'boss' is unknown: use one of employee, manager, executive, hr",
    ]
    assert message.endswith("3 problem(s); nothing was imported")
    assert not Employee.objects.exists() and not Department.objects.exists()


def test_import_org_of_a_missing_file_fails_clearly(tmp_path):
    message, _ = run_failing("import_org", str(tmp_path / "nope.csv"))
    assert message.startswith("cannot read") and "No such file" in message


def answers_file(tmp_path, *lines: str):
    path = tmp_path / "answers.csv"
    path.write_text("rater_employee_id,provider_department,dimension,score\n" + "".join(f"{x}\n" for x in lines))
    return path


def test_import_responses_imports_and_prints_a_summary(org_file, tmp_path):
    run("import_org", str(org_file))
    path = answers_file(tmp_path, "E1,IT,willingness,4", "E2,Sales,expectation,5", "E2,Sales,courtesy,3")
    out, _ = run("import_responses", str(path), cycle="2025-Q3")
    assert out.startswith("Imported 3 answers from 2 respondents about 2 department(s) into new cycle 2025-Q3")
    assert Answer.objects.filter(cycle__name="2025-Q3").count() == 3

    message, _ = run_failing("import_responses", str(path), cycle="2025-Q3")
    assert message == "cycle 2025-Q3 already holds 3 answers: use --replace to replace them"
    out, _ = run("import_responses", str(path), cycle="2025-Q3", replace=True)
    assert "replacing 3 answers" in out
    assert Answer.objects.count() == 3


def test_import_responses_rejects_a_bad_file_printing_every_row_error_and_writes_nothing(org_file, tmp_path):
    run("import_org", str(org_file))
    path = answers_file(tmp_path, "E1,IT,willingness,4", "E1,Sales,willingness,4", "E2,IT,courtesy,4.0", "E9,HR,speed,")
    message, err = run_failing("import_responses", str(path), cycle="2025-Q3")
    assert err.splitlines() == [
        "row 3: E1 is a manager or executive of Sales and cannot rate their own department",
        "row 4: score '4.0' is not a whole number from 1 to 5",
        "row 5: no employee has employee_id 'E9'",
        "row 5: no department is named 'HR'",
        "row 5: dimension 'speed' is unknown: use one of willingness, ownership, responsiveness, reliability, "
        "courtesy, communication, expectation, outcome",
        "row 5: score is missing",
    ]
    assert message.endswith("6 problem(s); nothing was imported")
    assert not Cycle.objects.exists() and not Answer.objects.exists()


def test_import_responses_accepts_outcome_answers_which_count_in_no_scorecard_figure(org_file, tmp_path, settings):
    from reports.models import DepartmentResult, DriverSummary

    settings.MIN_GROUP_SIZE = 1  # the imported cycle takes it: a group of one is shown
    run("import_org", str(org_file))
    path = answers_file(tmp_path, "E1,IT,willingness,4", "E1,IT,outcome,2", "E2,Sales,outcome,5")
    out, _ = run("import_responses", str(path), cycle="2025-Q3")
    assert out.startswith("Imported 3 answers")
    assert Answer.objects.filter(cycle__name="2025-Q3", dimension__slug="outcome").count() == 2
    run("rollup", "2025-Q3")  # the import's own roll-up waits for its commit, which a test never makes
    it = DepartmentResult.objects.get(
        cycle__name="2025-Q3", department__name="IT", scope="supplier", dimension="overall"
    )
    assert (it.suppressed, it.respondents, it.ratings, it.mean) == (False, 1, 1, 4.0)  # the outcome 2 is no rating
    assert DepartmentResult.objects.filter(cycle__name="2025-Q3", department__name="Sales").count() == 0
    assert DriverSummary.objects.get(cycle__name="2025-Q3").outcome_answers


@pytest.mark.parametrize("score", ["0", "6", "4.5", "good"])
def test_import_responses_refuses_an_outcome_outside_1_to_5_and_writes_nothing(org_file, tmp_path, score):
    run("import_org", str(org_file))
    path = answers_file(tmp_path, "E1,IT,willingness,4", f"E1,IT,outcome,{score}")
    message, err = run_failing("import_responses", str(path), cycle="2025-Q3")
    assert err.splitlines() == [f"row 3: score {score!r} is not a whole number from 1 to 5"]
    assert message.endswith("1 problem(s); nothing was imported")
    assert not Cycle.objects.exists() and not Answer.objects.exists()


def test_import_responses_refuses_a_malformed_cycle_name_before_reading(tmp_path):
    message, _ = run_failing("import_responses", str(tmp_path / "unread.csv"), cycle="Q3-2025")
    assert message == "cycle 'Q3-2025' is not a cycle name: use YYYY-Qn, e.g. 2025-Q3"


def test_import_responses_dry_run_writes_nothing(org_file, tmp_path):
    run("import_org", str(org_file))
    out, _ = run("import_responses", str(answers_file(tmp_path, "E1,IT,willingness,4")), cycle="2025-Q3", dry_run=True)
    assert out.startswith("Dry run, nothing written: would have imported 1 answers")
    assert not Cycle.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_import_responses_says_it_imported_before_the_rollup_it_runs_without_a_broker(org_file, tmp_path):
    """Without a broker the roll-up runs in the command: the import is reported (and timed) as soon
    as it committed, with word that the roll-up runs next, then the roll-up with its own time."""
    from reports.models import RollupRun

    class Recording(io.StringIO):
        """Notes, per line written, whether the roll-up was already done at that moment."""

        def __init__(self):
            super().__init__()
            self.lines = []

        def write(self, text):
            done = RollupRun.objects.filter(state=RollupRun.State.DONE).exists()
            self.lines += [(line, done) for line in text.splitlines()]
            return super().write(text)

    run("import_org", str(org_file))
    path = answers_file(tmp_path, "E1,IT,willingness,4", "E2,Sales,expectation,5")
    out = Recording()
    call_command("import_responses", str(path), cycle="2025-Q3", stdout=out, stderr=io.StringIO())

    (imported, before), (next_, _), (rolled, after) = out.lines
    assert imported.startswith("Imported 2 answers from 2 respondents") and not before
    assert next_ == "Rolling up 2025-Q3 next, in this process (no broker configured)."
    assert rolled.startswith("Rolled up 2025-Q3 in ") and after
