"""The contract's scorecard and link exports: exact columns, rows, rounding, suppression, escaping."""

import csv
import io
import re
import zipfile

import pytest

from reports.exporters import LinkExporter, ScorecardExporter, render
from reports.exporters.base import Column, escape_formula, format_cell
from reports.services import rollup_cycle
from tests.factories import CycleFactory, DepartmentFactory
from tests.reports.builders import add_answers, full_survey

SCORECARD_HEADER = (
    "cycle,department,scope,dimension,respondents,ratings,mean,favorable_pct,expectation_mean,gap,delta,rank,suppressed"
)
LINK_HEADER = "cycle,rater_department,provider_department,dimension,respondents,ratings,mean,favorable_pct,suppressed"


def csv_text(exporter) -> str:
    stream = io.StringIO(newline="")
    render(exporter, "csv", stream)
    return stream.getvalue()


@pytest.fixture
def rolled_up(org):
    """2026-Q3 with IT rated by three Sales people (one of them on two dimensions only) and a
    two-person Sales management group below the minimum of 3; 2026-Q2 before it."""
    previous = CycleFactory(name="2026-Q2", min_group_size=3)
    cycle = CycleFactory(name="2026-Q3", min_group_size=3)
    sales, it = org["sales"], org["it"]
    add_answers(previous, [row for r in (1, 2, 3) for row in full_survey(r, sales, it, 3)])
    rows = full_survey(1, sales, it, [5, 4, 4, 3, 5, 4], expectation=4)
    rows += full_survey(2, sales, it, [4, 4, 2, 3, 5, 1], expectation=5)
    rows += [(3, sales, it, "willingness", 2), (3, sales, it, "ownership", 1), (3, sales, it, "expectation", 3)]
    rows += full_survey(4, sales, sales, 5) + full_survey(5, sales, sales, 1)
    add_answers(cycle, rows)
    rollup_cycle(cycle_id=previous.id)
    rollup_cycle(cycle_id=cycle.id)
    return cycle


@pytest.mark.django_db
def test_scorecard_csv_is_exactly_the_contract(rolled_up):
    # IT, supplier: ownership 4,4,1 → 3.00; the last four dimensions have two raters (below 3) and
    # are suppressed; overall 14 ratings, sum 47 → 3.357…, 8 favourable, 3 raters. Overall minus
    # willingness and ownership would give away the two raters' pooled four dimensions, so the
    # differencing rule hides the smaller shown dimension too: willingness (3 raters, ties go to the
    # first dimension). Expectation 4, 5, 3 → 4.00 (three expectation raters: a group of its own, of
    # the minimum size). Previous cycle: 3.00 everywhere with 3 raters.
    assert csv_text(ScorecardExporter(cycle_id=rolled_up.id)).splitlines() == [
        SCORECARD_HEADER,
        "2026-Q3,IT,supplier,willingness,,,,,,,,,true",
        "2026-Q3,IT,supplier,ownership,3,3,3.00,66.7,4.00,-1.00,0.00,1,false",
        "2026-Q3,IT,supplier,responsiveness,,,,,,,,,true",
        "2026-Q3,IT,supplier,reliability,,,,,,,,,true",
        "2026-Q3,IT,supplier,courtesy,,,,,,,,,true",
        "2026-Q3,IT,supplier,communication,,,,,,,,,true",
        "2026-Q3,IT,supplier,overall,3,14,3.36,57.1,4.00,-0.64,0.36,1,false",
        *[f"2026-Q3,Sales,management,{d},,,,,,,,,true" for d in ("willingness", "ownership", "responsiveness")],
        *[f"2026-Q3,Sales,management,{d},,,,,,,,,true" for d in ("reliability", "courtesy", "communication")],
        "2026-Q3,Sales,management,overall,,,,,,,,,true",
    ]


@pytest.mark.django_db
def test_link_csv_is_exactly_the_contract_with_the_diagonal_as_management(rolled_up):
    lines = csv_text(LinkExporter(cycle_id=rolled_up.id)).splitlines()
    assert lines[0] == LINK_HEADER
    assert lines[1] == "2026-Q3,Sales,IT,willingness,,,,,true"
    assert lines[2] == "2026-Q3,Sales,IT,ownership,3,3,3.00,66.7,false"
    assert lines[7] == "2026-Q3,Sales,IT,overall,3,14,3.36,57.1,false"
    assert lines[8:] == [
        f"2026-Q3,Sales,Sales,{d},,,,,true"
        for d in ("willingness", "ownership", "responsiveness", "reliability", "courtesy", "communication", "overall")
    ]


@pytest.mark.django_db
def test_department_names_that_look_like_formulas_are_escaped(org):
    cycle = CycleFactory(name="2026-Q3", min_group_size=1)
    formula = DepartmentFactory(name="=HYPERLINK(1)", slug="formula")
    dash = DepartmentFactory(name="-Ops", slug="ops")
    add_answers(cycle, full_survey(1, formula, dash, 4))
    rollup_cycle(cycle_id=cycle.id)

    rows = list(csv.reader(io.StringIO(csv_text(LinkExporter(cycle_id=cycle.id)))))
    assert {(row[1], row[2]) for row in rows[1:]} == {("'=HYPERLINK(1)", "'-Ops")}
    rows = list(csv.reader(io.StringIO(csv_text(ScorecardExporter(cycle_id=cycle.id)))))
    assert {row[1] for row in rows[1:]} == {"'-Ops"}


def test_cells_are_formatted_as_the_contract_says():
    assert format_cell(Column("x", "float", 2), 3.14159) == "3.14"
    assert format_cell(Column("x", "float", 2), -0.001) == "0.00"
    assert format_cell(Column("x", "float", 1), 66.66666) == "66.7"
    assert format_cell(Column("x", "int"), 12.0) == "12"
    assert format_cell(Column("x", "bool"), True) == "true"
    assert format_cell(Column("x", "float", 2), None) == ""
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert escape_formula(text) == "'" + text
    assert escape_formula("Sales") == "Sales"


@pytest.mark.django_db
def test_xlsx_has_the_same_header_and_rows_with_numbers_as_numbers(rolled_up):
    stream = io.BytesIO()
    count = render(ScorecardExporter(cycle_id=rolled_up.id), "xlsx", stream)
    assert count == 14
    with zipfile.ZipFile(io.BytesIO(stream.getvalue())) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    for name in SCORECARD_HEADER.split(","):
        assert f">{name}<" in strings
    assert "<f>" not in sheet  # no formula anywhere
    assert re.search(r"<v>3\.36</v>", sheet) and re.search(r"<v>14</v>", sheet)


@pytest.mark.django_db
def test_a_list_export_has_no_pdf_layout(rolled_up):
    # PDFs are laid out for the scorecards only (render_scorecards), never as a flat list.
    with pytest.raises(ValueError, match="choose csv or xlsx"):
        render(ScorecardExporter(cycle_id=rolled_up.id), "pdf", io.BytesIO())


def test_every_file_rounds_through_one_rule_that_never_writes_minus_zero():
    import math

    from reports.exporters import workbook
    from reports.exporters.base import rounded

    assert math.copysign(1, rounded(-0.004, 2)) == 1.0 and rounded(-0.004, 2) == 0
    assert rounded(3.14159, 2) == 3.14 and rounded(-0.06, 1) == -0.1

    written = []

    class Sheet:
        def write_number(self, row, col, value, fmt):
            written.append(value)

    class Format:
        num_format = "+0.00;-0.00;0.00"

    workbook._number(Sheet(), 0, 0, -0.004, Format())
    assert written == [0.0] and math.copysign(1, written[0]) == 1.0
