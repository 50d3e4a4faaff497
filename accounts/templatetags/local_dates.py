"""Dates in the reader's language: `{{ when|day:"j F Y" }}`.

The format names the English page's writing (the contract's pages and emails); in another language
the same parts are written as that language writes them — German "7. Dezember 2026", Spanish
"7 de diciembre de 2026", French "7 décembre 2026" — with Django's month and day names of the
active language (settings.LANGUAGES). Accounts is the lowest app, so every template may load it.
"""

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import translation

register = template.Library()

# English format → the same date in another language (the parts that differ; the rest is kept).
_FORMATS = {
    "de": {
        "j M Y": "j. M Y",
        "j F Y": "j. F Y",
        "j F": "j. F",
        "l j F Y": "l, j. F Y",
        "l j F": "l, j. F",
        "j F Y, H:i": "j. F Y, H:i",
        "l j F Y, H:i": "l, j. F Y, H:i",
        "j M Y, H:i": "j. M Y, H:i",
        "j M Y, H:i:s": "j. M Y, H:i:s",
    },
    "fr": {
        "j M Y": "j b Y",
        "j M Y, H:i": "j b Y, H:i",
        "j M Y, H:i:s": "j b Y, H:i:s",
    },  # French writes its short months lower-case
    "es": {
        "j M Y": "j b Y",
        "j M Y, H:i": "j b Y, H:i",
        "j M Y, H:i:s": "j b Y, H:i:s",
        "j F Y": r"j \d\e F \d\e Y",
        "j F": r"j \d\e F",
        "l j F Y": r"l, j \d\e F \d\e Y",
        "l j F": r"l, j \d\e F",
        "j F Y, H:i": r"j \d\e F \d\e Y, H:i",
        "l j F Y, H:i": r"l, j \d\e F \d\e Y, H:i",
    },
}


def local_format(english: str, language: str | None = None) -> str:
    """The date format `english` as written in `language` (the active one by default)."""
    language = (language or translation.get_language() or "en").split("-")[0]
    return _FORMATS.get(language, {}).get(english, english)


@register.filter
def day(value, english_format: str = "j F Y") -> str:
    """`value` (a date or datetime) in the active language, after the English format given."""
    if value in (None, ""):
        return ""
    return date_filter(value, local_format(english_format))


@register.filter
def midsentence(value) -> str:
    """A label (a status, a verdict) written inside a sentence: lower-cased as English, French and
    Spanish write it there, kept as it is in German, whose nouns keep their capital
    ("2 Verbesserungen", not "2 verbesserungen")."""
    text = str(value)
    return text if (translation.get_language() or "").startswith("de") else text.lower()
