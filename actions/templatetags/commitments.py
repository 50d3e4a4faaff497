"""Template filters of the commitments pages."""

from django import template

from ..verdicts import DECLINED, IMPROVED, NO_CLEAR_CHANGE, NOT_MEASURABLE, PENDING

register = template.Library()

_BADGES = {
    IMPROVED: "text-bg-success",
    DECLINED: "text-bg-danger",
    NO_CLEAR_CHANGE: "text-bg-secondary",
    NOT_MEASURABLE: "text-bg-light border",
    PENDING: "text-bg-light border",
}


@register.filter
def verdict_badge(verdict: str) -> str:
    """Bootstrap badge classes of a verdict (the word is always written too: colour is never alone)."""
    return _BADGES.get(verdict, "text-bg-light border")


@register.filter
def label_of(slug: str, labels: dict) -> str:
    """A dimension's admin-editable label, by slug."""
    return labels.get(slug, slug.capitalize())
