"""Template tags that write one figure cell: its value, or the hidden label and never a value."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext

from reports.numbers import decimal
from reports.numbers import percent as percent_text
from reports.numbers import signed as _signed

register = template.Library()


@register.simple_tag
def score(cell, hidden_label: str, field: str = "mean", digits: int = 2):
    """A figure of a cell (see `reports.dashboards.cell`): the value; `hidden_label` ("hidden to
    protect a small group") when hidden; an en dash when nobody rated it."""
    if cell is None:
        return format_html('<span class="text-body-secondary" title="{}">–</span>', gettext("no ratings"))
    if cell["hidden"]:
        return format_html('<span class="cell-hidden">{}</span>', hidden_label)
    value = cell.get(field)
    if value is None:
        return mark_safe('<span class="text-body-secondary">–</span>')
    if field == "favorable_pct":
        return percent_text(value, 1)
    if field in ("delta", "gap"):
        return signed(value)
    if isinstance(value, float):
        return decimal(value, digits)
    return str(value)


@register.simple_tag
def compact(cell, min_group_size: int):
    """A heatmap table cell: the mean to two decimals, or "hidden" (the caption says why) when hidden."""
    if cell is None:
        return format_html('<span class="text-body-secondary" aria-label="{}">·</span>', gettext("no ratings"))
    if cell["hidden"]:
        # Short: a 40-department table has hundreds of these; the caption says what it means. No
        # count: a cell hidden to protect another group may have many respondents.
        return format_html('<span class="cell-hidden">{}</span>', pgettext("a hidden figure", "hidden"))
    return decimal(cell["mean"], 2)


@register.filter
def signed(value):
    if value is None:
        return "–"
    return _signed(value)


@register.filter
def percent(value, digits: int = 0):
    """A share (0.25) as a percentage ("25%", "25 %")."""
    if value is None:
        return "–"
    return percent_text(value * 100, digits)


@register.filter
def percent_figure(value, digits: int = 1):
    """A percentage (12.5) as the page's language writes it ("12.5%", "12,5 %")."""
    if value is None:
        return "–"
    return percent_text(value, digits)


@register.filter
def cycle_names(cycles) -> str:
    return ", ".join(c.name for c in cycles)


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


def _mark(up: bool) -> str:
    words = gettext("significant improvement") if up else gettext("significant decline")
    return format_html(
        '<span class="mark-{}" title="{}">{}<span class="visually-hidden"> {}</span></span>',
        "up" if up else "down",
        words,
        "▲" if up else "▼",
        words,
    )


@register.simple_tag
def trend_mark(cell):
    """▲ or ▼ for a significant change since the previous cycle, with words for screen readers."""
    if not cell or cell.get("hidden") or not cell.get("delta_significant") or cell.get("delta") is None:
        return ""
    return _mark(cell["delta"] > 0)


@register.filter
def get_index(sequence, index):
    return sequence[index]
