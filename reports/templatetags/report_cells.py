"""Template tags that write one figure cell: its value, or the hidden label and never a value."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def score(cell, hidden_label: str, field: str = "mean", digits: int = 2):
    """A figure of a cell (see `reports.dashboards.cell`): the value; `hidden_label` ("hidden to
    protect a small group") when hidden; an en dash when nobody rated it."""
    if cell is None:
        return mark_safe('<span class="text-body-secondary" title="no ratings">–</span>')
    if cell["hidden"]:
        return format_html('<span class="cell-hidden">{}</span>', hidden_label)
    value = cell.get(field)
    if value is None:
        return mark_safe('<span class="text-body-secondary">–</span>')
    if field == "favorable_pct":
        return f"{value:.1f}%"
    if field in ("delta", "gap"):
        return signed(value)
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


@register.simple_tag
def compact(cell, min_group_size: int):
    """A heatmap table cell: the mean to two decimals, or "hidden" (the caption says why) when hidden."""
    if cell is None:
        return mark_safe('<span class="text-body-secondary" aria-label="no ratings">·</span>')
    if cell["hidden"]:
        # Short: a 40-department table has hundreds of these; the caption says what it means. No
        # count: a cell hidden to protect another group may have many respondents.
        return mark_safe('<span class="cell-hidden">hidden</span>')
    return f"{cell['mean']:.2f}"


@register.filter
def signed(value):
    if value is None:
        return "–"
    return f"{value:+.2f}".replace("-", "−")


@register.filter
def percent(value, digits: int = 0):
    if value is None:
        return "–"
    return f"{value * 100:.{digits}f}%"


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


_MARKS = {
    True: (
        '<span class="mark-up" title="significant improvement">▲'
        '<span class="visually-hidden"> significant improvement</span></span>'
    ),
    False: (
        '<span class="mark-down" title="significant decline">▼'
        '<span class="visually-hidden"> significant decline</span></span>'
    ),
}


@register.simple_tag
def trend_mark(cell):
    """▲ or ▼ for a significant change since the previous cycle, with words for screen readers."""
    if not cell or cell.get("hidden") or not cell.get("delta_significant") or cell.get("delta") is None:
        return ""
    return mark_safe(_MARKS[cell["delta"] > 0])


@register.filter
def get_index(sequence, index):
    return sequence[index]
