"""The rollup, export_scorecards and export_links commands."""

import io

import pytest
from django.core.management import CommandError, call_command

from reports.models import CycleSummary, RollupRun
from tests.factories import CycleFactory
from tests.reports.builders import add_answers, full_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(org):
    cycle = CycleFactory(name="2026-Q3", min_group_size=2)
    add_answers(cycle, [row for r in (1, 2) for row in full_survey(r, org["sales"], org["it"], 4, expectation=3)])
    return cycle


def test_rollup_command_rolls_up_in_process_and_reports_the_answers(cycle):
    out = io.StringIO()
    call_command("rollup", "2026-Q3", stdout=out)
    assert "Rolled up 2026-Q3: 14 answers" in out.getvalue()
    assert "Weakest department: IT (4.00; company mean 4.00)" in out.getvalue()
    assert "Weakest link: Sales → IT (4.00)" in out.getvalue()
    assert RollupRun.objects.get(cycle=cycle).state == RollupRun.State.DONE
    assert CycleSummary.objects.get(cycle=cycle).answers_count == 14


def test_rollup_command_rejects_an_unknown_cycle_clearly(db):
    with pytest.raises(CommandError, match="No cycle named '2031-Q1'"):
        call_command("rollup", "2031-Q1")


def test_export_scorecards_writes_the_csv_file(cycle, tmp_path):
    call_command("rollup", "2026-Q3", stdout=io.StringIO())
    path = tmp_path / "scorecards.csv"
    out = io.StringIO()
    call_command("export_scorecards", "2026-Q3", "--format", "csv", "-o", str(path), stdout=out)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("cycle,department,scope,dimension,")
    assert lines[-1] == "2026-Q3,IT,supplier,overall,2,12,4.00,100.0,3.00,1.00,,1,false"
    assert "Wrote 7 scorecard rows" in out.getvalue()
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_export_scorecards_writes_xlsx(cycle, tmp_path):
    call_command("rollup", "2026-Q3", stdout=io.StringIO())
    path = tmp_path / "scorecards.xlsx"
    call_command("export_scorecards", "2026-Q3", "--format", "xlsx", "-o", str(path), stdout=io.StringIO())
    assert path.read_bytes()[:2] == b"PK"


def test_export_scorecards_writes_a_pdf(cycle, tmp_path):
    call_command("rollup", "2026-Q3", stdout=io.StringIO())
    path = tmp_path / "s.pdf"
    out = io.StringIO()
    call_command("export_scorecards", "2026-Q3", "--format", "pdf", "-o", str(path), stdout=out)
    assert path.read_bytes()[:5] == b"%PDF-" and "to " + str(path) in out.getvalue()


def test_export_before_any_rollup_says_to_run_rollup_first(cycle, tmp_path):
    with pytest.raises(CommandError, match=r"run `python manage\.py rollup 2026-Q3` first"):
        call_command("export_links", "2026-Q3", "-o", str(tmp_path / "links.csv"))
    assert list(tmp_path.iterdir()) == []


def test_export_links_writes_one_row_per_link_and_dimension(cycle, tmp_path):
    call_command("rollup", "2026-Q3", stdout=io.StringIO())
    path = tmp_path / "links.csv"
    call_command("export_links", "2026-Q3", "-o", str(path), stdout=io.StringIO())
    lines = path.read_text(encoding="utf-8").splitlines()
    assert (
        lines[0]
        == "cycle,rater_department,provider_department,dimension,respondents,ratings,mean,favorable_pct,suppressed"
    )
    assert lines[1:] == [
        f"2026-Q3,Sales,IT,{dimension},2,{ratings},4.00,100.0,false"
        for dimension, ratings in [
            ("willingness", 2),
            ("ownership", 2),
            ("responsiveness", 2),
            ("reliability", 2),
            ("courtesy", 2),
            ("communication", 2),
            ("overall", 12),
        ]
    ]


def test_rollup_of_a_cycle_without_answers_writes_an_empty_snapshot(db):
    CycleFactory(name="2026-Q1")
    out = io.StringIO()
    call_command("rollup", "2026-Q1", stdout=out)
    assert "Rolled up 2026-Q1: 0 answers" in out.getvalue()
    assert CycleSummary.objects.get(cycle__name="2026-Q1").answers_count == 0


def test_export_to_a_missing_folder_fails_with_a_clear_message_and_writes_nothing(cycle, tmp_path):
    call_command("rollup", "2026-Q3", stdout=io.StringIO())
    target = tmp_path / "no-such-folder" / "links.csv"

    with pytest.raises(CommandError, match=r"Cannot write .*links\.csv"):
        call_command("export_links", "2026-Q3", "-o", str(target), stdout=io.StringIO())
    assert not target.parent.exists()
