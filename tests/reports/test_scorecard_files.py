"""The scorecards HR hands out: the XLSX workbook and the PDF, read back and compared with the
roll-up, for a company with accented names and names that look like spreadsheet formulas."""

import io
import os
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reports.exporters import render_scorecards
from reports.exporters.workbook import sheet_names
from reports.models import CompanyResult, CycleSummary, DepartmentResult, Scope
from reports.selectors import scorecard_book
from reports.services import rollup_cycle
from surveys.models import Comment, Cycle
from tests.factories import CycleFactory, DepartmentFactory
from tests.reports.builders import add_answers, full_survey

pytestmark = pytest.mark.django_db

NAMES = ["Relations Clientèle", "Łódź Logistique", "=Ops", "+Plus", "-Minus", "@Mention"]


def rate(rater, provider, *, raters, score, first, expectation=4):
    return [
        row
        for r in range(first, first + raters)
        for row in full_survey(r, rater, provider, score if isinstance(score, int) else score(r), expectation)
    ]


@pytest.fixture
def company(db):
    """2026-Q3 (published, minimum group size 3) after 2026-Q2: every department of NAMES is rated by
    "Sales Équipe" (3 raters, a different score each), "Petit" by only 2 raters (hidden), and the
    Sales staff rate their own management (4 raters). Twelve comments on Łódź as a supplier.
    The supplier company line is hidden (differencing: it minus the shown departments is Petit)."""
    previous = CycleFactory(name="2026-Q2", status=Cycle.Status.PUBLISHED, min_group_size=3)
    cycle = CycleFactory(name="2026-Q3", status=Cycle.Status.PUBLISHED, min_group_size=3)
    sales = DepartmentFactory(name="Sales Équipe", slug="sales-equipe")
    departments = [DepartmentFactory(name=name, slug=f"d{i}") for i, name in enumerate(NAMES)]
    small = DepartmentFactory(name="Petit", slug="petit")
    rows, old = [], []
    for i, department in enumerate(departments):
        rows += rate(sales, department, raters=3, score=1 + (i + 3) % 5, first=100 * i + 1)
        old += rate(sales, department, raters=3, score=3, first=100 * i + 1)
    rows += rate(sales, small, raters=2, score=5, first=900)
    rows += rate(sales, sales, raters=4, score=lambda r: 2 + r % 3, first=950)
    add_answers(previous, old)
    add_answers(cycle, rows)
    lodz = departments[1]
    Comment.objects.bulk_create(
        [
            Comment(cycle=cycle, rater_department=sales, provider_department=lodz, text=f"Remarque {i} ça va")
            for i in range(12)
        ]
        + [Comment(cycle=cycle, rater_department=sales, provider_department=departments[0], text="Seul")]
    )
    rollup_cycle(cycle_id=previous.id)
    rollup_cycle(cycle_id=cycle.id)
    return cycle


def workbook_of(cycle):
    import openpyxl

    stream = io.BytesIO()
    render_scorecards(cycle_id=cycle.id, fmt="xlsx", stream=stream)
    stream.seek(0)
    return openpyxl.load_workbook(stream)


def overall(cycle, name, scope=Scope.SUPPLIER):
    return DepartmentResult.objects.get(cycle=cycle, department__name=name, scope=scope, dimension="overall")


def test_workbook_sheets_are_summary_links_commitments_one_per_department_and_readme(company):
    book = workbook_of(company)
    departments = sorted(["Sales Équipe", "Petit", *NAMES], key=str.casefold)
    # The company has an earlier cycle: last quarter's commitments get their sheet too.
    assert book.sheetnames == ["Summary", "Links", "Commitments", "Previous commitments", *departments, "Read-me"]


def test_summary_names_the_weakest_and_matches_the_rollup_as_numbers(company):
    sheet = workbook_of(company)["Summary"]
    # "=Ops" is rated 1 on everything: the weakest department and (Sales → =Ops) the weakest link.
    assert (sheet["A2"].value, sheet["B2"].value, sheet["C2"].value) == ("Weakest department", 1.0, "=Ops")
    assert sheet["C3"].value == "Sales Équipe → =Ops"
    header = [cell.value for cell in sheet[6]]
    assert header[:3] == ["Department", "Respondents", "Mean (1–5)"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=7)}
    for name in NAMES:
        expected = overall(company, name)
        cells = rows[name]
        assert cells[0].data_type == "s"  # text, never a formula, whatever the name begins with
        assert cells[2].value == round(expected.mean, 2) and cells[2].data_type == "n"
        assert cells[1].value == expected.respondents and isinstance(cells[1].value, int)
        assert cells[7].value == expected.rank
        assert cells[6].value == round(expected.delta, 2)
    # Every hidden figure reads the same, whichever rule hid it, and claims no count.
    assert rows["Petit"][2].value is None and rows["Petit"][11].value == "Hidden to protect a small group"


def test_every_sheet_prints_landscape_one_page_wide_with_repeated_frozen_headers(company):
    book = workbook_of(company)
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        # XlsxWriter leaves out fitToWidth when it is 1, Excel's default.
        assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0, sheet.title
        assert sheet.page_setup.paperSize == 9, sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.print_title_rows, sheet.title
        assert sheet.freeze_panes, sheet.title
    assert book["Summary"].print_title_cols == "$A:$A"
    assert book["Summary"].column_dimensions["A"].width > 15


def test_department_sheet_has_dimensions_in_words_company_comparison_trend_and_allowed_comments(company):
    book = workbook_of(company)
    lodz = book["Łódź Logistique"]
    values = [[cell.value for cell in row] for row in lodz.iter_rows()]
    flat = [v for row in values for v in row if v is not None]
    assert "Willingness to help" in flat and "As a supplier (rated by the other departments)" in flat
    overall_row = next(row for row in values if row[0] == "Overall (all six)")
    assert overall_row[3] == round(overall(company, "Łódź Logistique").mean, 2)
    # The company line is hidden (it would give Petit away), so no company figure and no gap to it.
    assert CompanyResult.objects.get(cycle=company, scope=Scope.SUPPLIER, dimension="overall").suppressed
    assert overall_row[5] is None and overall_row[6] is None
    # Nor anywhere else: the summary's company mean follows the company line.
    assert CycleSummary.objects.get(cycle=company).company_mean is None
    assert "Trend: overall mean by cycle" in flat and "2026-Q2" in flat
    comments = [v for v in flat if isinstance(v, str) and v.startswith("Remarque")]
    assert len(comments) == 12
    # One comment on Relations Clientèle: below the threshold of 10, so not shown.
    clientele = [c.value for row in book["Relations Clientèle"].iter_rows() for c in row if c.value]
    assert "Seul" not in clientele
    assert any("not shown (fewer than 10 comments)" in str(v) for v in clientele)
    management = book["Sales Équipe"]
    assert "Its management (rated by its own staff)" in [c.value for row in management.iter_rows() for c in row]


def test_links_sheet_is_a_colour_scaled_rater_by_provider_matrix(company):
    sheet = workbook_of(company)["Links"]
    header = [cell.value for cell in sheet[4]][1:]
    assert header == sorted(["Sales Équipe", "Petit", *NAMES], key=str.casefold)
    # Each cell is filled with the dashboard's colour of its mean (reports.colours), hidden ones grey.
    from reports import colours
    from reports.selectors import scorecard_book

    book = scorecard_book(cycle_id=company.id)
    scale = book.colour_scale()
    checked = 0
    for i, row in enumerate(sheet.iter_rows(min_row=5, min_col=2, max_col=1 + len(header)), start=0):
        for j, cell in enumerate(row):
            if (i, j) not in book.matrix.cells:
                continue
            mean = book.matrix.cells[(i, j)]
            expected = colours.HIDDEN_GREY if mean is None else scale.colour(mean)
            assert cell.fill.fgColor.rgb == "FF" + expected[1:].upper(), (i, j, mean)
            checked += 1
    assert checked == len(book.matrix.cells) > 0


def test_hidden_figures_are_blank_everywhere_in_the_workbook(company):
    petit = workbook_of(company)["Petit"]
    # Only the company's own figures (column F) are shown beside Petit's blank rows.
    numbers = [
        c.value for row in petit.iter_rows(min_row=8) for c in row if isinstance(c.value, int | float) and c.column != 6
    ]
    assert numbers == []


def test_sheet_names_are_valid_and_unique():
    names = sheet_names(["Summary", "A/B: C?", "x" * 40, "x" * 40, "'quoted'"])
    assert names == ["Summary (2)", "A-B- C-", "x" * 31, "x" * 27 + " (2)", "quoted"]


def pdf_text(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_pdf_has_a_summary_page_then_one_page_per_department_with_its_figures(company):
    assert CompanyResult.objects.get(cycle=company, scope=Scope.SUPPLIER, dimension="overall").suppressed
    stream = io.BytesIO()
    assert render_scorecards(cycle_id=company.id, fmt="pdf", stream=stream) == len(NAMES) + 2
    pages = pdf_text(stream.getvalue())
    assert len(pages) == len(NAMES) + 3
    assert "Weakest department" in pages[0] and "=Ops" in pages[0]
    by_name = {page.split("\n")[0]: page for page in pages[1:]}
    for name in NAMES:
        page = by_name[name]
        result = overall(company, name)
        assert f"{result.mean:.2f}" in page
        assert "anonymous" in page
    assert "hidden to protect a small group" in by_name["Petit"] and "fewer than" not in by_name["Petit"]
    assert "company –" in by_name["=Ops"]  # the hidden company line: a dash, no figure


def test_pdf_of_one_department_is_its_page_only(company):
    department = scorecard_book(cycle_id=company.id).cards[0].department
    stream = io.BytesIO()
    render_scorecards(cycle_id=company.id, fmt="pdf", stream=stream, department_id=department.id)
    pages = pdf_text(stream.getvalue())
    assert len(pages) == 1 and department.name in pages[0]


def test_pdf_embeds_its_font_so_accents_render_everywhere(company):
    from pypdf import PdfReader

    stream = io.BytesIO()
    render_scorecards(cycle_id=company.id, fmt="pdf", stream=stream)
    reader = PdfReader(io.BytesIO(stream.getvalue()))
    fonts = reader.pages[1]["/Resources"]["/Font"]
    descriptors = [font.get_object()["/FontDescriptor"].get_object() for font in fonts.values()]
    assert all("/FontFile2" in d for d in descriptors)
    assert any("Łódź Logistique" in page for page in pdf_text(stream.getvalue()))


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_export_command_writes_each_format_with_the_usual_permissions(company, tmp_path, fmt):
    path = tmp_path / f"scorecards.{fmt}"
    previous = os.umask(0o027)
    try:
        call_command("export_scorecards", "2026-Q3", "--format", fmt, "-o", str(path), stdout=io.StringIO())
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.read_bytes()[:4] == {"csv": b"cycl", "xlsx": b"PK\x03\x04", "pdf": b"%PDF"}[fmt]
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left behind


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_binary_formats_need_an_output_path(company, fmt):
    with pytest.raises(CommandError, match="needs -o PATH"):
        call_command("export_scorecards", "2026-Q3", "--format", fmt, stdout=io.StringIO())


def test_the_weakest_link_is_the_one_outlined_cell_of_the_links_sheet(company):
    from reports.selectors import scorecard_book

    book = scorecard_book(cycle_id=company.id)
    i, j = book.matrix.weakest_cell(book.weakest)
    sheet = workbook_of(company)["Links"]
    outlined = [
        (cell.row - 5, cell.column - 2)
        for row in sheet.iter_rows(min_row=5, min_col=2)
        for cell in row
        if cell.border.left.style == "thick"
    ]
    assert outlined == [(i, j)]
    assert sheet.cell(5 + i, 2 + j).value == round(book.weakest["link"]["mean"], 2)


def test_department_sheets_carry_excels_own_charts_of_their_tables(company):
    import zipfile

    stream = io.BytesIO()
    render_scorecards(cycle_id=company.id, fmt="xlsx", stream=stream)
    archive = zipfile.ZipFile(stream)
    charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
    xml = {name: archive.read(name).decode() for name in charts}
    sales = [x for x in xml.values() if "Sales" in x and "$D$" in x]
    assert sales, "the Sales Équipe sheet has its dimensions chart (mean, column D)"
    # A blank (hidden) figure is a gap (Excel's default, which XlsxWriter leaves unwritten), not a zero.
    assert not any("dispBlanksAs" in x for x in xml.values())
    trend = [x for x in xml.values() if "Trend: overall mean by cycle" in x]
    assert trend and all('<c:min val="1"/>' in x and '<c:max val="5"/>' in x for x in trend)


def test_a_wide_links_sheet_prints_on_a3_and_a_narrow_one_on_a4(company, monkeypatch):
    from reports.exporters import workbook

    size = len(workbook_of(company)["Links"][4]) - 1
    assert size < workbook.WIDE_LINKS and workbook_of(company)["Links"].page_setup.paperSize == 9  # A4
    monkeypatch.setattr(workbook, "WIDE_LINKS", size)
    assert workbook_of(company)["Links"].page_setup.paperSize == 8  # A3


def test_the_pdf_summary_page_has_the_headline_and_the_links_heatmap(company):
    stream = io.BytesIO()
    render_scorecards(cycle_id=company.id, fmt="pdf", stream=stream)
    summary = pdf_text(stream.getvalue())[0]
    assert "The chain is weakest where" in summary
    assert "Who rates whom: overall mean of each link" in summary
    assert "Outlined: weakest link" in summary


def test_the_workbook_lists_identical_comments_once_with_their_count(company):
    lodz = DepartmentResult.objects.filter(cycle=company, department__name="Łódź Logistique").first().department
    sales = DepartmentResult.objects.filter(cycle=company).exclude(department=lodz).first().department
    Comment.objects.bulk_create(
        Comment(cycle=company, rater_department=sales, provider_department=lodz, text="They close tickets as done.")
        for _ in range(5)
    )
    sheet = workbook_of(company)["Łódź Logistique"]
    cells = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert cells.count("They close tickets as done.  (×5)") == 1
    assert not any(v == "They close tickets as done." for v in cells)
    assert any(v.startswith("Comments about it as a supplier (17, in random order") for v in cells)
