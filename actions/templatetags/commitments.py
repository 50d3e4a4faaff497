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
    """A dimension's admin-editable label, by slug, in the page's language (the stored English label
    translated at render time, as the survey's: surveys.translations; an edited label shows as is)."""
    from django.utils.translation import gettext

    return gettext(labels.get(slug, slug.capitalize()))


@register.filter
def scope_name(scope: str) -> str:
    """A commitment's scope in words, in the page's language (the slug stays in exports)."""
    from django.utils.translation import pgettext

    if scope == "supplier":
        return pgettext("scope", "supplier")
    if scope == "management":
        return pgettext("scope", "management")
    return scope


@register.filter
def translated(text: str) -> str:
    """A stored English text (a dimension's label) in the page's language, itself if untranslated."""
    from django.utils.translation import gettext

    return gettext(text) if text else text
