"""The scorecard workbook HR hands out: Summary, Links, one sheet per department and a Read-me.

Pure layout over a `ScorecardBook`. Numbers are written as numbers (rounded like the CSV), every
text with `write_string` (so a name such as "=Ops" stays text, never a formula), labels in words,
hidden figures as blank cells with a note saying why, and every sheet set up to print: landscape,
A4, one page wide, header rows repeated on each page.
"""

from __future__ import annotations

import re
from typing import IO

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

from surveys.dimensions import OVERALL

from .. import selectors
from ..colours import HIDDEN_GREY, ink_on
from ..models import Scope
from ..numbers import decimal
from ..selectors import DepartmentCard, ScorecardBook
from .base import rounded
from .book import link_label, scope_title

RESERVED_SHEETS = {"summary", "links", "read-me", "history"}  # "History" is reserved by Excel itself
HIDDEN_FILL = HIDDEN_GREY  # the dashboard's grey; the cells' colours are reports.colours' too


class _Formats:
    def __init__(self, workbook):
        add = workbook.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.subtitle = add({"bold": True, "font_size": 12})
        self.bold = add({"bold": True, "valign": "top"})
        self.name = add({"bold": True, "indent": 1})
        self.header = add({"bold": True, "text_wrap": True, "valign": "bottom", "bottom": 1, "bg_color": "#EEF2F7"})
        self.rotated = add({"bold": True, "rotation": 90, "valign": "bottom", "align": "center", "bottom": 1})
        self.text = add({"valign": "top"})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.note = add({"italic": True, "font_color": "#595959", "valign": "top"})
        self.wrapped_note = add({"italic": True, "font_color": "#595959", "valign": "top", "text_wrap": True})
        self.mean = add({"num_format": "0.00", "valign": "top"})
        self.signed = add({"num_format": "+0.00;-0.00;0.00", "valign": "top"})
        self.pct = add({"num_format": "0.0", "valign": "top"})
        self.int = add({"num_format": "0", "valign": "top"})
        self.hidden = add({"bg_color": HIDDEN_FILL})
        self._add, self._cells = add, {}

    def cell(self, colour: str, *, outlined: bool = False):
        """A Links cell filled as the dashboard colours it (one format per colour; few distinct)."""
        key = (colour, outlined)
        if key not in self._cells:
            spec = {"num_format": "0.00", "bg_color": colour, "font_color": ink_on(colour), "align": "center"}
            if outlined:
                spec.update({"border": 5, "border_color": "#000000", "bold": True})  # 5: thick
            self._cells[key] = self._add(spec)
        return self._cells[key]


def render_workbook(book: ScorecardBook, stream: IO[bytes]) -> int:
    """Write the workbook to a binary stream; returns the number of department sheets."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        stream, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    )
    title = gettext("Chain Survey scorecards %(cycle)s") % {"cycle": book.cycle.name}
    workbook.set_properties({"title": title, "author": "Chain Survey"})
    formats = _Formats(workbook)
    _summary_sheet(workbook, formats, book)
    _links_sheet(workbook, formats, book)
    for part in book.parts:
        _part_sheet(workbook, formats, book, part)
    names = sheet_names(
        [card.department.name for card in book.cards], reserved=tuple(p.sheet_title for p in book.parts)
    )
    for card, name in zip(book.cards, names, strict=True):
        _department_sheet(workbook, workbook.add_worksheet(name), formats, book, card)
    _readme_sheet(workbook, formats, book)
    workbook.close()
    return len(book.cards)


def sheet_names(departments: list[str], *, reserved: tuple[str, ...] = ()) -> list[str]:
    """Valid, unique sheet names: no []:*?/\\, at most 31 characters, no clash with the fixed sheets
    (nor with `reserved`, the sheets apps above reports add)."""
    taken = RESERVED_SHEETS | {name.casefold() for name in reserved}
    names = []
    for department in departments:
        base = re.sub(r"[\[\]:*?/\\]", "-", department).strip().strip("'")[:31] or "Department"
        name, n = base, 1
        while name.casefold() in taken:
            n += 1
            suffix = f" ({n})"
            name = base[: 31 - len(suffix)] + suffix
        taken.add(name.casefold())
        names.append(name)
    return names


def _print_setup(sheet, book: ScorecardBook, *, repeat_row: int, repeat_column: bool = False) -> None:
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
    sheet.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    sheet.repeat_rows(repeat_row)
    if repeat_column:
        sheet.repeat_columns(0)
    sheet.set_header(f'&L&"-,Bold"Chain Survey {book.cycle.name}&R&A')
    anonymous = gettext("Anonymous: no figure of a group below the minimum size is shown").replace("&", "&&")
    page = gettext("Page %(page)s of %(total)s") % {"page": "&P", "total": "&N"}
    sheet.set_footer(f"&L{anonymous}&R{page}")


DECIMALS = {"0.00": 2, "+0.00;-0.00;0.00": 2, "0.0": 1, "0": 0}


def _number(sheet, row, col, value, fmt, *, hidden_fmt=None):
    """A figure as a number, rounded as the CSV rounds it; None as a blank cell."""
    if value is None:
        if hidden_fmt is not None:
            sheet.write_blank(row, col, None, hidden_fmt)
        return
    sheet.write_number(row, col, rounded(value, DECIMALS[fmt.num_format]), fmt)


def _hidden_note(book: ScorecardBook) -> str:
    return gettext("Hidden to protect a small group")


SUMMARY_COLUMNS = (
    (_("Department"), 28),
    (_("Respondents"), 12),
    (_("Mean (1–5)"), 10),
    (_("Favorable % (4 or 5)"), 12),
    (_("Expected (1–5)"), 10),
    (_("Gap (mean − expected)"), 12),
    (_("Change since previous cycle"), 12),
    (_("Rank (1 = best)"), 10),
    (_("Compared with company mean"), 12),
    (_("Management mean (1–5)"), 12),
    (_("Management favorable %"), 12),
    (_("Note"), 48),
)


def _summary_sheet(workbook, f: _Formats, book: ScorecardBook) -> None:
    sheet = workbook.add_worksheet("Summary")
    weakest = book.weakest or {}
    title = gettext("Chain Survey — department scorecards, %(cycle)s") % {"cycle": book.cycle.name}
    sheet.write_string(0, 0, title, f.title)
    department, link = weakest.get("department"), weakest.get("link")
    lines = [
        (
            gettext("Weakest department"),
            department["department"].name if department else gettext("None shown"),
            department,
        ),
        (gettext("Weakest link"), link_label(link) if link else gettext("None shown"), link),
    ]
    # Label, mean (a number, beside the label), then the name across the next columns.
    for offset, (label, text, found) in enumerate(lines, start=1):
        sheet.write_string(offset, 0, label, f.bold)
        _number(sheet, offset, 1, found["mean"] if found else None, f.mean)
        sheet.merge_range(offset, 2, offset, 8, "", f.name)
        sheet.write_string(offset, 2, text, f.name)
    sheet.write_string(3, 0, gettext("Company mean"), f.bold)
    _number(sheet, 3, 1, book.company_mean(Scope.SUPPLIER), f.mean)
    previous = book.previous_cycle or gettext("no earlier cycle")
    note = gettext("Figures as a supplier (rated by the other departments); changes compare with %(cycle)s.")
    sheet.write_string(4, 0, note % {"cycle": previous}, f.note)
    header = 5
    widths = [min(40, max([len(c.department.name) for c in book.cards] + [SUMMARY_COLUMNS[0][1]]) + 2)]
    for col, (title, width) in enumerate(SUMMARY_COLUMNS):
        sheet.write_string(header, col, gettext(title), f.header)
        sheet.set_column(col, col, widths[0] if col == 0 else _column_width(title, width))
    sheet.set_row(header, _header_height(SUMMARY_COLUMNS))
    company = book.company_mean(Scope.SUPPLIER)
    for row, card in enumerate(book.cards, start=header + 1):
        _summary_row(sheet, f, book, card, row, company)
    sheet.freeze_panes(header + 1, 1)
    _print_setup(sheet, book, repeat_row=header, repeat_column=True)
    sheet.activate()


def _summary_row(sheet, f: _Formats, book: ScorecardBook, card: DepartmentCard, row: int, company) -> None:
    sheet.write_string(row, 0, card.department.name, f.text)
    supplier, management = card.shown(Scope.SUPPLIER), card.shown(Scope.MANAGEMENT)
    if supplier is not None:
        _number(sheet, row, 1, supplier.respondents, f.int)
        _number(sheet, row, 2, supplier.mean, f.mean)
        _number(sheet, row, 3, supplier.favorable_pct, f.pct)
        _number(sheet, row, 4, supplier.expectation_mean, f.mean)
        _number(sheet, row, 5, supplier.gap, f.signed)
        _number(sheet, row, 6, supplier.delta, f.signed)
        _number(sheet, row, 7, supplier.rank, f.int)
        _number(sheet, row, 8, None if company is None else supplier.mean - company, f.signed)
    if management is not None:
        _number(sheet, row, 9, management.mean, f.mean)
        _number(sheet, row, 10, management.favorable_pct, f.pct)
    notes = []
    if card.row(Scope.SUPPLIER) is None:
        notes.append(gettext("Not rated as a supplier this cycle"))
    elif supplier is None:
        notes.append(_hidden_note(book))
    if card.row(Scope.MANAGEMENT) is not None and management is None:
        notes.append(gettext("management hidden (small group)"))
    if notes:
        sheet.write_string(row, 11, "; ".join(notes), f.note)


WIDE_LINKS = 12  # departments from which the Links sheet prints on A3 rather than A4


def _links_sheet(workbook, f: _Formats, book: ScorecardBook) -> None:
    sheet = workbook.add_worksheet("Links")
    matrix = book.matrix
    scale = book.colour_scale()
    title = gettext("Who rates whom — overall mean of each link, %(cycle)s") % {"cycle": book.cycle.name}
    sheet.write_string(0, 0, title, f.title)
    header, size = 3, len(matrix.departments)
    notes = (
        gettext(
            "Rows: the department that rated (internal customer). Columns: the department rated (supplier). "
            "The diagonal is a department's staff rating their own management. Colours as on the dashboard: "
            "white at the company mean (%(mean)s), orange below it, blue above it, full colour one point away."
        )
        % {"mean": decimal(scale.mid, 2)},
        gettext("Grey blank: hidden to protect a small group. White blank: no ratings. Outlined: the weakest link."),
    )
    # Wrapped within the matrix's width: a note running on to the right would widen the printed page.
    last = max(size, 8)
    for row, note in enumerate(notes, start=1):
        sheet.merge_range(row, 0, row, last, note, f.wrapped_note)
        sheet.set_row(row, 15 * max(1, -(-len(note) // (40 + 6 * last))))
    sheet.write_string(header, 0, gettext("Rater ↓  Provider →"), f.header)
    width = min(40, max([len(n) for n in matrix.departments] + [20]) + 2)
    sheet.set_column(0, 0, width)
    if size:
        sheet.set_column(1, size, 6.5)
    sheet.set_row(header, min(220, max(60, 7.5 * max([len(n) for n in matrix.departments] + [10]) + 12)))
    for i, name in enumerate(matrix.departments):
        sheet.write_string(header, i + 1, name, f.rotated)
        sheet.write_string(header + 1 + i, 0, name, f.bold)
    weakest = matrix.weakest_cell(book.weakest)
    for (i, j), mean in matrix.cells.items():
        if mean is None:
            sheet.write_blank(header + 1 + i, j + 1, None, f.hidden)
        else:
            fill = f.cell(scale.colour(mean), outlined=(i, j) == weakest)
            sheet.write_number(header + 1 + i, j + 1, rounded(mean, 2), fill)
    sheet.freeze_panes(header + 1, 1)
    _print_setup(sheet, book, repeat_row=header, repeat_column=True)
    if size >= WIDE_LINKS:  # one A4 width would print a dozen columns too small to read
        sheet.set_paper(8)  # A3
        sheet.fit_to_pages(1 if size < 2 * WIDE_LINKS else 2, 0)


DEPARTMENT_COLUMNS = (
    (_("Dimension"), 22),
    (_("Respondents"), 12),
    (_("Ratings"), 12),
    (_("Mean (1–5)"), 10),
    (_("Favorable % (4 or 5)"), 12),
    (_("Company mean"), 10),
    (_("Compared with company"), 12),
    (_("Expected (1–5)"), 10),
    (_("Gap (mean − expected)"), 12),
    (_("Change since previous cycle"), 12),
    (_("Rank (1 = best)"), 10),
    (_("Note"), 40),
)


def _header_height(columns) -> float:
    """A heading row tall enough for its longest wrapped heading in the file's language (German
    headings run to four lines in a column of 12): three lines at least, as in English."""
    lines = max(_wrapped_lines(gettext(title), _column_width(title, width)) for title, width in columns)
    return 15 * max(3, lines)


def _column_width(title: str, width: float) -> float:
    """`width`, or wider where a word of the heading in the file's language would not fit (German
    compounds): a heading wraps between words, never inside one."""
    return max(width, max((len(word) for word in gettext(title).split()), default=0) + 1.5)


def _wrapped_lines(text: str, width: float) -> int:
    """How many lines `text` wraps to between words in a column `width` characters wide (bold)."""
    per_line, lines, used = max(1.0, width * 0.95), 1, 0.0
    for word in text.split():
        if used and used + 1 + len(word) > per_line:
            lines, used = lines + 1, len(word)
        else:
            used += (1 if used else 0) + len(word)
    return lines


def _part_sheet(workbook, f: _Formats, book: ScorecardBook, part) -> None:
    """A sheet an app above reports adds (reports.panels.BookPart): its title, then its list."""
    from .base import write_list_sheet

    sheet = workbook.add_worksheet(part.sheet_title)
    sheet.write_string(0, 0, f"{part.sheet_title}, {book.cycle.name}", f.title)
    sheet.set_column(0, len(part.sheet.columns) - 1, 16)
    write_list_sheet(workbook, sheet, part.sheet, first_row=2)
    _print_setup(sheet, book, repeat_row=2)


def _department_sheet(workbook, sheet, f: _Formats, book: ScorecardBook, card: DepartmentCard) -> None:
    values = {"department": card.department.name, "cycle": book.cycle.name}
    sheet.write_string(0, 0, gettext("%(department)s — scorecard %(cycle)s") % values, f.title)
    row = _key_figures(sheet, f, book, card, 1)
    for col, (title, width) in enumerate(DEPARTMENT_COLUMNS):
        sheet.set_column(col, col, _column_width(title, width))
    first_header = None
    tables = {}  # scope → first row of its six dimension rows
    for scope in card.scopes:
        sheet.write_string(row + 1, 0, scope_title(scope), f.subtitle)
        header = row + 2
        first_header = header if first_header is None else first_header
        for col, (title, _width) in enumerate(DEPARTMENT_COLUMNS):
            sheet.write_string(header, col, gettext(title), f.header)
        sheet.set_row(header, _header_height(DEPARTMENT_COLUMNS))
        row = header + 1
        tables[scope] = row
        for dimension in [*book.dimensions, None]:
            _dimension_row(sheet, f, book, card, scope, dimension, row)
            row += 1
    trend_first = row + 3
    row = _trend_table(sheet, f, card, row + 1)
    for scope in card.scopes:
        row = _comments(sheet, f, book, card, scope, row + 1)
    row = _charts(workbook, sheet, f, card, tables, trend_first, row + 1)
    if first_header is not None:
        sheet.freeze_panes(first_header + 1, 1)
        _print_setup(sheet, book, repeat_row=first_header)
    else:
        _print_setup(sheet, book, repeat_row=0)


def _key_figures(sheet, f: _Formats, book: ScorecardBook, card: DepartmentCard, row: int) -> int:
    supplier = card.shown(Scope.SUPPLIER)
    ranked = book.ranked.get(Scope.SUPPLIER, 0)
    company = gettext("Company mean (1–5)")
    figures = [
        (gettext("Overall as a supplier (1–5)"), supplier.mean if supplier else None, f.mean, ""),
        (company, book.company_mean(Scope.SUPPLIER), f.mean, gettext("all departments shown")),
        (
            gettext("Rank as a supplier"),
            supplier.rank if supplier else None,
            f.int,
            gettext("of %(count)s departments shown") % {"count": ranked},
        ),
        (
            gettext("Gap (mean − expected)"),
            supplier.gap if supplier else None,
            f.signed,
            gettext("negative: expectations not met"),
        ),
    ]
    rate = card.participation
    if rate is not None and rate.eligible and rate.eligible >= book.min_group_size and rate.response_rate is not None:
        of = gettext("of %(count)s") % {"count": rate.eligible}
        figures.append((gettext("Response rate of its staff (%)"), rate.response_rate * 100, f.pct, of))
    for label, value, fmt, note in figures:
        sheet.write_string(row, 0, label, f.bold)
        _number(sheet, row, 2, value, fmt)
        if value is None and card.row(Scope.SUPPLIER) is not None and label is not company:
            note = _hidden_note(book)
        if note:
            sheet.write_string(row, 3, note, f.note)
        row += 1
    return row


def _dimension_row(sheet, f: _Formats, book, card: DepartmentCard, scope, dimension, row: int) -> None:
    # The questions themselves are on the Read-me sheet: here the label keeps the table narrow
    # enough to print large on one page width.
    slug = dimension.slug if dimension is not None else OVERALL
    sheet.write_string(
        row,
        0,
        gettext(dimension.label) if dimension is not None else gettext("Overall (all six)"),
        f.bold if dimension is None else f.text,
    )
    company = book.company_mean(scope, slug)
    _number(sheet, row, 5, company, f.mean)
    result = card.row(scope, slug)
    if result is None or result.suppressed:
        sheet.write_string(row, 11, gettext("No ratings") if result is None else _hidden_note(book), f.note)
        return
    _number(sheet, row, 1, result.respondents, f.int)
    _number(sheet, row, 2, result.ratings, f.int)
    _number(sheet, row, 3, result.mean, f.mean)
    _number(sheet, row, 4, result.favorable_pct, f.pct)
    _number(sheet, row, 6, None if company is None else result.mean - company, f.signed)
    _number(sheet, row, 7, result.expectation_mean, f.mean)
    _number(sheet, row, 8, result.gap, f.signed)
    _number(sheet, row, 9, result.delta, f.signed)
    _number(sheet, row, 10, result.rank, f.int)


CHART_ROWS = 16  # rows a chart covers at the default row height (288 px / 20 px, with room)


def _charts(workbook, sheet, f: _Formats, card: DepartmentCard, tables: dict, trend_first: int, row: int) -> int:
    """Excel's own charts of the tables above (they read the cells, so a hidden figure is a gap):
    each scope's six dimensions against the company, then the trend. Returns the row below them."""
    name = sheet.get_name().replace("'", "''")

    def cells(first: int, last: int, col: int) -> list:
        return [name, first, col, last, col]

    if tables or card.trend:
        sheet.write_string(row, 0, gettext("Charts"), f.subtitle)
        row += 1
    for scope, first in tables.items():
        chart = workbook.add_chart({"type": "bar"})
        last = first + 5
        chart.add_series(
            {"name": gettext("This department"), "categories": cells(first, last, 0), "values": cells(first, last, 3)}
        )
        chart.add_series(
            {"name": gettext("Company"), "categories": cells(first, last, 0), "values": cells(first, last, 5)}
        )
        chart_title = gettext("%(scope)s: mean by dimension (1–5)") % {"scope": scope_title(scope)}
        chart.set_title({"name": chart_title, "name_font": {"size": 11}})
        chart.set_x_axis({"min": 1, "max": 5, "major_unit": 1})
        chart.set_y_axis({"reverse": True})  # the dimensions in the table's order, top to bottom
        chart.show_blanks_as("gap")
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 620, "height": 300})
        sheet.insert_chart(row, 0, chart)
        row += CHART_ROWS
    if card.trend:
        chart = workbook.add_chart({"type": "line"})
        last = trend_first + len(card.trend) - 1
        for col, title in ((1, gettext("As a supplier")), (2, gettext("Its management"))):
            chart.add_series(
                {
                    "name": title,
                    "categories": cells(trend_first, last, 0),
                    "values": cells(trend_first, last, col),
                    "marker": {"type": "circle"},
                    "data_labels": {"value": True, "position": "above" if col == 1 else "below", "num_format": "0.00"},
                }
            )
        chart.set_title({"name": gettext("Trend: overall mean by cycle"), "name_font": {"size": 11}})
        chart.set_y_axis({"min": 1, "max": 5, "major_unit": 1})
        chart.show_blanks_as("gap")
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 620, "height": 300})
        sheet.insert_chart(row, 0, chart)
        row += CHART_ROWS
    return row


def _trend_table(sheet, f: _Formats, card: DepartmentCard, row: int) -> int:
    if not card.trend:
        return row
    sheet.write_string(row, 0, gettext("Trend: overall mean by cycle"), f.subtitle)
    titles = (gettext("Cycle"), gettext("As a supplier"), gettext("Management"))
    for col, title in enumerate(titles):
        sheet.write_string(row + 1, col, title, f.header)
    widths = [_column_width(title, width) for title, width in DEPARTMENT_COLUMNS[:3]]
    sheet.set_row(row + 1, 15 * max(_wrapped_lines(t, w) for t, w in zip(titles, widths, strict=True)))
    row += 2
    for name, supplier, management in card.trend:
        sheet.write_string(row, 0, name, f.text)
        _number(sheet, row, 1, supplier, f.mean)
        _number(sheet, row, 2, management, f.mean)
        row += 1
    return row


def _comments(sheet, f: _Formats, book: ScorecardBook, card: DepartmentCard, scope: str, row: int) -> int:
    texts = card.comments.get(scope)
    if scope == Scope.SUPPLIER:
        title = gettext("Comments about it as a supplier")
    else:
        title = gettext("Comments about its management")
    if not texts:
        threshold = selectors.comments_minimum(min_group_size=book.min_group_size)
        note = gettext("%(title)s: not shown (fewer than %(count)s comments).") % {"title": title, "count": threshold}
        sheet.write_string(row, 0, note, f.note)
        return row + 1
    written = sum(group.count for group in texts)
    values = {"title": title, "count": written}
    sheet.write_string(
        row, 0, gettext("%(title)s (%(count)s, in random order; identical ones once)") % values, f.subtitle
    )
    row += 1
    width = sum(w for _, w in DEPARTMENT_COLUMNS)
    for group in texts:
        text = group.text if group.count == 1 else f"{group.text}  (×{group.count})"
        sheet.merge_range(row, 0, row, len(DEPARTMENT_COLUMNS) - 1, "", f.wrap)
        sheet.write_string(row, 0, text, f.wrap)
        sheet.set_row(row, 15 * _lines(text, width))
        row += 1
    return row


def _lines(text: str, width: float) -> int:
    """Roughly how many lines `text` takes in a wrapped column `width` characters wide."""
    per_line = max(1, int(width * 1.15))
    return sum(1 + len(part) // per_line for part in text.splitlines() or [""])


README = (
    (_("Mean"), _("Average score, 1 (very poor) to 5 (excellent).")),
    (_("Favorable %"), _("Share of scores that are 4 (good) or 5 (excellent).")),
    (_("Expected"), _("Average of the level of service raters said they expected, 1 to 5.")),
    (_("Gap"), _("Mean minus expected. Negative: the department served below what was expected of it.")),
    (
        _("Change since previous cycle"),
        _("Mean minus the previous cycle's mean (blank when either is hidden or missing)."),
    ),
    (_("Rank"), _("Among the departments shown for that dimension, 1 = best; equal means share a rank.")),
    (_("Compared with company"), _("Mean minus the company mean (all ratings of all departments in that scope).")),
    (_("Respondents"), _("Distinct people who gave at least one rating. Ratings: the number of scores.")),
    (_("As a supplier"), _("How the other departments rated the department.")),
    (_("Its management"), _("How the department's own staff rated their management (its managers do not rate it).")),
    (_("Weakest department"), _("The department with the lowest overall mean as a supplier.")),
    (
        _("Weakest link"),
        _("The rater → provider pair with the lowest overall mean (a department's management included)."),
    ),
    (
        _("Comments"),
        _(
            "Shown for a department only when at least 10 (and at least the minimum group size) were written, "
            "in random order, never grouped by who wrote them."
        ),
    ),
)


def _readme_sheet(workbook, f: _Formats, book: ScorecardBook) -> None:
    sheet = workbook.add_worksheet("Read-me")
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 100)
    title = gettext("How to read these scorecards (%(cycle)s)") % {"cycle": book.cycle.name}
    sheet.write_string(0, 0, title, f.title)
    sheet.write_string(2, 0, gettext("Term"), f.header)
    sheet.write_string(2, 1, gettext("What it means"), f.header)
    blank = gettext(
        "A blank figure with a note means fewer than %(size)s people answered, or that showing it "
        "would let someone work out the answers of a smaller group by subtraction. Answers are anonymous: "
        "nothing about a group that small is shown, in any file."
    ) % {"size": book.min_group_size}
    rows = [(gettext("Blank cells"), blank), *((gettext(term), gettext(meaning)) for term, meaning in README)]
    rows += [
        (gettext(d.label), gettext("Dimension: %(question)s") % {"question": gettext(d.question)})
        for d in book.dimensions
    ]
    for row, (term, meaning) in enumerate(rows, start=3):
        sheet.write_string(row, 0, term, f.bold)
        sheet.write_string(row, 1, meaning, f.wrap)
        sheet.set_row(row, 15 * _lines(meaning, 100))
    sheet.freeze_panes(3, 0)
    _print_setup(sheet, book, repeat_row=2)
