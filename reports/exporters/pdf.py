"""The scorecards as PDF: one A4 page per department that its head can be handed (key figures,
bars per dimension against the company, the trend, the gap, the anonymity note), and for the
whole company a summary page in front.

Drawn with ReportLab's canvas over a `ScorecardBook`; text in Source Sans Pro, a TrueType font
installed from pip (package font-source-sans-pro) and embedded, so accented names render the same
on every machine. Hidden figures are never drawn: the page says why they are missing.
"""

from __future__ import annotations

import datetime
import itertools
import os
from typing import IO

from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext

from surveys.dimensions import OVERALL

from ..colours import HIDDEN_GREY, ink_on
from ..models import Scope
from ..numbers import MINUS, decimal, percent, signed
from ..selectors import DepartmentCard, ScorecardBook
from .book import link_label, scope_title

FONT, BOLD = "ChainSans", "ChainSans-Bold"
INK, MUTED, RULE = (0.12, 0.16, 0.22), (0.38, 0.42, 0.48), (0.82, 0.85, 0.89)
BAR, COMPANY, WEAK = (0.16, 0.39, 0.67), (0.10, 0.10, 0.10), (0.80, 0.25, 0.22)
MARGIN = 42


def _register_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    from reportlab import rl_config

    # Plain deflated streams: ASCII85 on top only makes the file 25 % larger and slower to write.
    rl_config.useA85 = 0
    import font_source_sans_pro

    folder = os.path.join(os.path.dirname(font_source_sans_pro.__file__), "files")
    pdfmetrics.registerFont(TTFont(FONT, os.path.join(folder, "SourceSansPro-Regular.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, os.path.join(folder, "SourceSansPro-Semibold.ttf")))


def render_pdf(book: ScorecardBook, stream: IO[bytes], *, department_id: int | None = None) -> int:
    """Write the PDF: every department after a summary page, or only `department_id`'s page.
    Returns the number of department pages."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    _register_fonts()
    cards = [c for c in book.cards if department_id is None or c.department.id == department_id]
    canvas = Canvas(stream, pagesize=A4, pageCompression=1, invariant=1, initialFontName=FONT)
    title = gettext("Chain Survey scorecards %(cycle)s") % {"cycle": book.cycle.name}
    if department_id is not None and cards:
        title = gettext("%(department)s: Chain Survey scorecard %(cycle)s") % {
            "department": cards[0].department.name,
            "cycle": book.cycle.name,
        }
    canvas.setTitle(title)
    canvas.setAuthor("Chain Survey")
    total = len(cards) + (1 if department_id is None else 0)
    page = 0
    if department_id is None:
        page += 1
        _summary_page(canvas, book, page, total)
    for card in cards:
        page += 1
        _department_page(canvas, book, card, page, total)
    canvas.save()
    return len(cards)


def _fit(canvas, text: str, font: str, size: float, width: float) -> float:
    """The largest size up to `size` at which `text` fits in `width`."""
    measured = canvas.stringWidth(text, font, size)
    return size if measured <= width else max(7, size * width / measured)


def _frame(canvas, book: ScorecardBook, page: int, total: int) -> None:
    width, height = canvas._pagesize
    canvas.setFillColorRGB(*MUTED)
    canvas.setFont(FONT, 9)
    canvas.drawString(MARGIN, height - 28, f"Chain Survey · {book.cycle.name}")
    canvas.drawRightString(width - MARGIN, 22, gettext("Page %(page)s of %(total)s") % {"page": page, "total": total})
    note = gettext(
        "Answers are anonymous. No figure of a group smaller than %(size)s respondents is shown, "
        "nor one that would let it be worked out by subtraction: such figures are left out and marked hidden."
    ) % {"size": book.min_group_size}
    canvas.setFont(FONT, 8)
    for i, line in enumerate(_wrap(canvas, note, FONT, 8, width - 2 * MARGIN)[:2]):
        canvas.drawString(MARGIN, 36 - 10 * i, line)


def _department_page(canvas, book: ScorecardBook, card: DepartmentCard, page: int, total: int) -> None:
    width, height = canvas._pagesize
    name = card.department.name
    canvas.setFillColorRGB(*INK)
    size = _fit(canvas, name, BOLD, 24, width - 2 * MARGIN)
    canvas.setFont(BOLD, size)
    canvas.drawString(MARGIN, height - 62, name)
    facts = " · ".join([gettext("Department scorecard, %(cycle)s") % {"cycle": book.cycle.name}, *_facts(book, card)])
    canvas.setFont(FONT, _fit(canvas, facts, FONT, 11, width - 2 * MARGIN))  # longer in some languages
    canvas.setFillColorRGB(*MUTED)
    canvas.drawString(MARGIN, height - 80, facts)
    y = _key_figures(canvas, book, card, height - 100)
    for scope in card.scopes:
        y = _bars(canvas, book, card, scope, y - 18)
    y = _trend(canvas, book, card, y - 18)
    _parts(canvas, book, card, y - 22)
    _frame(canvas, book, page, total)  # last, so that text extraction starts with the department's name
    canvas.showPage()


def _facts(book: ScorecardBook, card: DepartmentCard) -> list[str]:
    facts = []
    supplier = card.shown(Scope.SUPPLIER)
    if supplier is not None:
        facts.append(gettext("rated by %(count)s people of other departments") % {"count": supplier.respondents})
    rate = card.participation
    if rate is not None and rate.eligible and rate.eligible >= book.min_group_size and rate.response_rate is not None:
        facts.append(
            gettext("%(rate)s of its %(eligible)s staff took part")
            % {"rate": percent(rate.response_rate * 100, 0), "eligible": rate.eligible}
        )
    return facts


def _key_figures(canvas, book: ScorecardBook, card: DepartmentCard, top: float) -> float:
    width = canvas._pagesize[0] - 2 * MARGIN
    supplier = card.shown(Scope.SUPPLIER)
    company = book.company_mean(Scope.SUPPLIER)
    ranked = book.ranked.get(Scope.SUPPLIER, 0)
    previous = book.previous_cycle
    boxes = [
        (
            gettext("Overall as a supplier"),
            _num(supplier.mean if supplier else None),
            gettext("company %(mean)s") % {"mean": _num(company)},
        ),
        (
            gettext("Rank"),
            str(supplier.rank) if supplier and supplier.rank else "–",
            gettext("of %(count)s departments") % {"count": ranked},
        ),
        (
            gettext("Gap to expectation"),
            _signed(supplier.gap if supplier else None),
            gettext("expected %(mean)s") % {"mean": _num(_get(supplier, "expectation_mean"))},
        ),
        (
            gettext("Change"),
            _signed(supplier.delta if supplier else None),
            gettext("since %(cycle)s") % {"cycle": previous} if previous else gettext("no earlier cycle"),
        ),
    ]
    box = width / len(boxes)
    for i, (label, value, sub) in enumerate(boxes):
        x = MARGIN + i * box
        canvas.setStrokeColorRGB(*RULE)
        canvas.roundRect(x + 2, top - 64, box - 4, 62, 6, stroke=1, fill=0)
        canvas.setFillColorRGB(*MUTED)
        canvas.setFont(FONT, 9)
        canvas.drawString(x + 10, top - 16, _clip_to(canvas, label, box - 16, 9))
        canvas.setFillColorRGB(*INK)
        canvas.setFont(BOLD, 20)
        canvas.drawString(x + 10, top - 40, value)
        canvas.setFillColorRGB(*MUTED)
        canvas.setFont(FONT, 9)
        canvas.drawString(x + 10, top - 56, _clip_to(canvas, sub, box - 16, 9))
    bottom = top - 64
    if card.row(Scope.SUPPLIER) is not None and supplier is None:
        canvas.setFont(FONT, 9)
        canvas.drawString(MARGIN, bottom - 12, gettext("Hidden as a supplier, to protect a small group."))
        bottom -= 12
    return bottom


def _get(row, attribute):
    return None if row is None else getattr(row, attribute)


def _num(value, decimals: int = 2) -> str:
    return "–" if value is None else decimal(value, decimals)


def _signed(value) -> str:
    if value is None:
        return "–"
    text = signed(value)
    return _num(0.0) if text in (signed(0.0), f"{MINUS}{_num(0.0)}") else text


def _wrap(canvas, text: str, font: str, size: float, width: float) -> list[str]:
    """`text` in lines that fit in `width`, broken between words."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and canvas.stringWidth(candidate, font, size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


def _bars(canvas, book: ScorecardBook, card: DepartmentCard, scope: str, top: float) -> float:
    """One bar per dimension (1 to 5 scale) with the company mean as a black tick, then the numbers."""
    width = canvas._pagesize[0] - 2 * MARGIN
    canvas.setFillColorRGB(*INK)
    canvas.setFont(BOLD, 12)
    canvas.drawString(MARGIN, top, scope_title(scope))
    label_w, value_w = 110, 190
    scale_x, scale_w = MARGIN + label_w, width - label_w - value_w
    y = top - 14
    _scale(canvas, scale_x, scale_w, y)
    rows = [(gettext(d.label), d.slug) for d in book.dimensions] + [(gettext("Overall"), OVERALL)]
    for label, slug in rows:
        y -= 18
        canvas.setFillColorRGB(*INK)
        canvas.setFont(BOLD if slug == OVERALL else FONT, 10)
        canvas.drawString(MARGIN, y + 3, _clip_to(canvas, label, label_w - 4, 10))
        result, company = card.row(scope, slug), book.company_mean(scope, slug)
        shown = result is not None and not result.suppressed
        if shown:
            canvas.setFillColorRGB(*(WEAK if company is not None and result.mean < company - 0.25 else BAR))
            canvas.rect(scale_x, y, scale_w * (result.mean - 1) / 4, 11, stroke=0, fill=1)
        if company is not None:
            x = scale_x + scale_w * (company - 1) / 4
            canvas.setStrokeColorRGB(*COMPANY)
            canvas.setLineWidth(1.5)
            canvas.line(x, y - 2, x, y + 13)
            canvas.setLineWidth(1)
        canvas.setFont(FONT, 9)
        canvas.setFillColorRGB(*(INK if shown else MUTED))
        canvas.drawString(scale_x + scale_w + 8, y + 3, _row_text(book, result, company))
    canvas.setFont(FONT, 8)
    canvas.setFillColorRGB(*MUTED)
    ticks = any(book.company_mean(scope, slug) is not None for _, slug in rows)
    caption = (
        gettext("Bar: this department's mean (1–5). Black tick: company mean. Red: 0.25 or more below it.")
        if ticks
        else gettext("Bar: this department's mean (1–5). The company mean is hidden to protect a small group.")
    )
    canvas.drawString(scale_x, y - 14, caption)
    return y - 20


def _scale(canvas, x: float, width: float, y: float) -> None:
    canvas.setFont(FONT, 8)
    canvas.setFillColorRGB(*MUTED)
    canvas.setStrokeColorRGB(*RULE)
    for score in range(1, 6):
        at = x + width * (score - 1) / 4
        canvas.drawCentredString(at, y, str(score))
        canvas.line(at, y - 4, at, y - 8 - 18 * 7)


def _row_text(book: ScorecardBook, result, company) -> str:
    if result is None:
        return gettext("no ratings")
    if result.suppressed:
        return gettext("hidden to protect a small group")
    parts = [_num(result.mean), gettext("%(percent)s favorable") % {"percent": percent(result.favorable_pct, 0)}]
    if result.gap is not None:
        parts.append(gettext("gap %(value)s") % {"value": _signed(result.gap)})
    if result.delta is not None:
        parts.append(gettext("change %(value)s") % {"value": _signed(result.delta)})
    return " · ".join(parts)


def _trend(canvas, book: ScorecardBook, card: DepartmentCard, top: float) -> float:
    """Overall mean as a supplier (and of its management) over the last cycles, as a small line
    chart; returns how far down the page it reaches."""
    if len(card.trend) < 1 or top < 150:
        return top
    canvas.setFillColorRGB(*INK)
    canvas.setFont(BOLD, 12)
    canvas.drawString(MARGIN, top, gettext("Trend: overall mean by cycle"))
    chart_h, chart_w = min(120, top - 90), canvas._pagesize[0] - 2 * MARGIN - 150
    base, x0 = top - 20 - chart_h, MARGIN + 30
    canvas.setFont(FONT, 8)
    canvas.setStrokeColorRGB(*RULE)
    for score in range(1, 6):
        y = base + chart_h * (score - 1) / 4
        canvas.setFillColorRGB(*MUTED)
        canvas.drawRightString(x0 - 6, y - 3, str(score))
        canvas.line(x0, y, x0 + chart_w, y)
    # Points sit inside the axes (never on the score labels), one column per cycle.
    inset = 28
    step = (chart_w - 2 * inset) / max(1, len(card.trend) - 1) if len(card.trend) > 1 else 0

    def at(i: int) -> float:
        return x0 + inset + step * i if step else x0 + chart_w / 2

    series = [(1, BAR, gettext("As a supplier")), (2, MUTED, gettext("Its management"))]
    for index, colour, legend in series:
        points = [
            (at(i), base + chart_h * (entry[index] - 1) / 4, entry[index], entry)
            for i, entry in enumerate(card.trend)
            if entry[index] is not None
        ]
        if not points:
            continue
        canvas.setStrokeColorRGB(*colour)
        canvas.setFillColorRGB(*colour)
        canvas.setLineWidth(2)
        for (xa, ya, *_), (xb, yb, *_) in itertools.pairwise(points):
            canvas.line(xa, ya, xb, yb)
        canvas.setLineWidth(1)
        for x, y, value, entry in points:
            canvas.circle(x, y, 2.5, stroke=0, fill=1)
            canvas.setFont(FONT, 8)
            canvas.drawCentredString(x, y + _label_offset(index, entry), _num(value))
        ly = base + chart_h - 14 * index
        canvas.rect(x0 + chart_w + 14, ly, 10, 3, stroke=0, fill=1)
        canvas.setFont(FONT, 9)
        canvas.drawString(x0 + chart_w + 28, ly - 2, legend)
    canvas.setFillColorRGB(*MUTED)
    canvas.setFont(FONT, 8)
    for i, (name, _, _) in enumerate(card.trend):
        canvas.drawCentredString(at(i), base - 12, name)
    return base - 12


def _label_offset(index: int, entry) -> float:
    """Where a trend value's label goes: the higher of the two series labels above its point, the
    lower one below, so that two close values never print on each other."""
    supplier, management = entry[1], entry[2]
    if supplier is None or management is None:
        return 6
    higher = 1 if supplier >= management else 2
    return 6 if index == higher else -11


PARTS_BOTTOM = 56  # above the page's anonymity note


def _parts(canvas, book: ScorecardBook, card: DepartmentCard, top: float) -> None:
    """What apps above reports add to a department's page (its commitments), as many lines as fit."""
    for part in book.parts:
        lines = part.department_lines.get(card.department.id)
        if not lines or top - 16 < PARTS_BOTTOM:
            continue
        canvas.setFillColorRGB(*INK)
        canvas.setFont(BOLD, 12)
        canvas.drawString(MARGIN, top, part.sheet_title)
        top -= 15
        width = canvas._pagesize[0] - 2 * MARGIN
        canvas.setFont(FONT, 9)
        for i, line in enumerate(lines):
            if top - 12 < PARTS_BOTTOM and i < len(lines) - 1:
                canvas.setFillColorRGB(*MUTED)
                more = gettext("… and %(count)s more in the workbook.") % {"count": len(lines) - i}
                canvas.drawString(MARGIN, top, more)
                break
            canvas.drawString(MARGIN, top, _clip(canvas, line, width))
            top -= 12
        top -= 8


def _clip(canvas, text: str, width: float) -> str:
    if canvas.stringWidth(text, FONT, 9) <= width:
        return text
    while text and canvas.stringWidth(text + "…", FONT, 9) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _summary_page(canvas, book: ScorecardBook, page: int, total: int) -> None:
    _width, height = canvas._pagesize
    canvas.setFillColorRGB(*INK)
    canvas.setFont(BOLD, 22)
    canvas.drawString(MARGIN, height - 62, gettext("Department scorecards, %(cycle)s") % {"cycle": book.cycle.name})
    weakest = book.weakest or {}
    department, link = weakest.get("department"), weakest.get("link")
    lines = [
        (
            gettext("Weakest department"),
            f"{department['department'].name} ({_num(department['mean'])})" if department else gettext("none shown"),
        ),
        (gettext("Weakest link"), f"{link_label(link)} ({_num(link['mean'])})" if link else gettext("none shown")),
        (
            gettext("Company mean"),
            gettext("%(mean)s (all departments shown)") % {"mean": _num(book.company_mean(Scope.SUPPLIER))},
        ),
    ]
    y = height - 92
    canvas.setFont(FONT, 11)
    canvas.setFillColorRGB(*INK)
    canvas.drawString(MARGIN, y, _headline(book))
    y -= 22
    value_x = MARGIN + max(130, max(canvas.stringWidth(label, FONT, 11) for label, _text in lines) + 12)
    for label, text in lines:
        canvas.setFont(FONT, 11)
        canvas.setFillColorRGB(*MUTED)
        canvas.drawString(MARGIN, y, label)
        canvas.setFillColorRGB(*INK)
        canvas.setFont(BOLD, 11)
        canvas.drawString(value_x, y, text)
        y -= 17
    y = _heatmap(canvas, book, y - 16)
    _ranking(canvas, book, y - 18)
    canvas.setFont(FONT, 8)
    canvas.setFillColorRGB(*MUTED)
    made = gettext("Made %(date)s. One page per department follows.") % {
        "date": date_format(datetime.date.today(), "DATE_FORMAT")
    }
    canvas.drawString(MARGIN, 50, made)
    _frame(canvas, book, page, total)
    canvas.showPage()


def _headline(book: ScorecardBook) -> str:
    """One sentence a reader takes away: where the chain is weakest, against the company."""
    weakest = book.weakest or {}
    link, company = weakest.get("link"), book.company_mean(Scope.SUPPLIER)
    if not link:
        return gettext("No link of this cycle has enough respondents to be shown.")
    values = {"link": link_label(link), "mean": _num(link["mean"])}
    if company is None:
        return gettext("The chain is weakest where %(link)s: %(mean)s.") % values
    values["company"] = _num(company)
    return gettext("The chain is weakest where %(link)s: %(mean)s, against a company mean of %(company)s.") % values


HEATMAP_MAX_HEIGHT = 300


def _heatmap(canvas, book: ScorecardBook, top: float) -> float:
    """The Links matrix as the dashboard colours it (reports.colours), the weakest link outlined;
    returns how far down it reaches."""
    matrix = book.matrix
    n = len(matrix.departments)
    if not n:
        return top
    width = canvas._pagesize[0] - 2 * MARGIN
    canvas.setFillColorRGB(*INK)
    canvas.setFont(BOLD, 12)
    canvas.drawString(MARGIN, top, gettext("Who rates whom: overall mean of each link"))
    label_w = min(130, max(canvas.stringWidth(name, FONT, 8) for name in matrix.departments) + 6)
    cell = min(28, (width - label_w) / n, HEATMAP_MAX_HEIGHT / n)
    header = min(90, label_w)  # rotated provider names above the columns
    x0, y0 = MARGIN + label_w, top - 10 - header
    scale, weakest = book.colour_scale(), matrix.weakest_cell(book.weakest)
    canvas.setFont(FONT, 8)
    for i, name in enumerate(matrix.departments):
        canvas.setFillColorRGB(*INK)
        canvas.drawRightString(x0 - 4, y0 - cell * i - cell / 2 - 3, _clip_to(canvas, name, label_w - 6, 8))
        canvas.saveState()
        canvas.translate(x0 + cell * i + cell / 2 + 3, y0 + 4)
        canvas.rotate(90)
        canvas.drawString(0, 0, _clip_to(canvas, name, header - 6, 8))
        canvas.restoreState()
    for (i, j), mean in matrix.cells.items():
        x, y = x0 + cell * j, y0 - cell * (i + 1)
        colour = HIDDEN_GREY if mean is None else scale.colour(mean)
        canvas.setFillColorRGB(*_rgb(colour))
        canvas.rect(x + 0.5, y + 0.5, cell - 1, cell - 1, stroke=0, fill=1)
        if mean is not None and cell >= 18:
            canvas.setFillColorRGB(*_rgb(ink_on(colour)))
            canvas.setFont(FONT, 7 if cell < 24 else 8)
            canvas.drawCentredString(x + cell / 2, y + cell / 2 - 2.5, _num(mean))
    if weakest is not None:
        i, j = weakest
        canvas.setStrokeColorRGB(0, 0, 0)
        canvas.setLineWidth(2)
        canvas.rect(x0 + cell * j, y0 - cell * (i + 1), cell, cell, stroke=1, fill=0)
        canvas.setLineWidth(1)
    bottom = y0 - cell * n - 12
    canvas.setFont(FONT, 8)
    canvas.setFillColorRGB(*MUTED)
    legend = gettext(
        "Rows rate columns; the diagonal is each department's own management. "
        "White: the company mean (%(mean)s), orange below it, blue above it. Grey: hidden to protect a "
        "small group. No square: no ratings. Outlined: weakest link."
    ) % {"mean": _num(scale.mid)}
    for line in _wrap(canvas, legend, FONT, 8, width):
        canvas.drawString(MARGIN, bottom, line)
        bottom -= 10
    return bottom


def _rgb(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))


def _clip_to(canvas, text: str, width: float, size: float) -> str:
    if canvas.stringWidth(text, FONT, size) <= width:
        return text
    while text and canvas.stringWidth(text + "…", FONT, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _ranking(canvas, book: ScorecardBook, top: float) -> None:
    """Every department as a supplier, weakest first: mean, favorable %, gap, change, rank."""
    columns = [
        (gettext("Department"), MARGIN),
        (gettext("Mean"), 300),
        (gettext("Favorable"), 350),
        (gettext("Gap"), 410),
        (gettext("Change"), 460),
        (gettext("Rank"), 515),
    ]
    canvas.setFillColorRGB(*INK)
    room = [b - a - 4 for (_t, a), (_u, b) in itertools.pairwise(columns)] + [60]
    for (title, x), width in zip(columns, room, strict=True):
        canvas.setFont(BOLD, _fit(canvas, title, BOLD, 10, width))  # a longer word in some languages
        canvas.drawString(x, top, title)
    ordered = sorted(
        book.cards, key=lambda c: (c.shown(Scope.SUPPLIER) is None, _get(c.shown(Scope.SUPPLIER), "mean") or 0)
    )
    rows = min(len(ordered), int((top - 80) // 13))
    y = top - 15
    for card in ordered[:rows]:
        shown = card.shown(Scope.SUPPLIER)
        canvas.setFont(FONT, 9.5)
        name = card.department.name
        canvas.drawString(MARGIN, y, name if canvas.stringWidth(name, FONT, 9.5) < 250 else name[:40] + "…")
        if shown is None:
            canvas.setFillColorRGB(*MUTED)
            canvas.drawString(
                300,
                y,
                pgettext("a hidden figure", "hidden")
                if card.row(Scope.SUPPLIER)
                else gettext("not rated as a supplier"),
            )
            canvas.setFillColorRGB(*INK)
        else:
            values = [_num(shown.mean), percent(shown.favorable_pct, 0), _signed(shown.gap), _signed(shown.delta)]
            for (_, x), text in zip(columns[1:5], values, strict=True):
                canvas.drawString(x, y, text)
            canvas.drawString(515, y, str(shown.rank or "–"))
        y -= 13
    if rows < len(ordered):
        canvas.setFont(FONT, 9)
        canvas.drawString(MARGIN, y, gettext("… and %(count)s more: see their pages.") % {"count": len(ordered) - rows})
