"""Figures as text in the active language: a decimal comma in German, French and Spanish, a minus
sign for negatives, the language's way of writing a percentage. The pages (report_cells) and the
PDF write their figures with these; the CSV never does (its numbers are the contract's)."""

from django.utils.formats import number_format
from django.utils.translation import pgettext

MINUS = "\u2212"


def decimal(value, digits: int = 2) -> str:
    """`value` rounded to `digits` decimals ("3.25", "3,25"); a negative with a minus sign."""
    return number_format(round(value, digits), decimal_pos=digits).replace("-", MINUS)


def signed(value, digits: int = 2) -> str:
    """A change with its sign ("+0.25", "−0,25"); zero as "+0.00" like any positive."""
    text = decimal(value, digits)
    return text if text.startswith(MINUS) else f"+{text}"


def percent(value, digits: int = 1) -> str:
    """`value`, already a percentage, as the language writes one ("12.5%", "12,5 %")."""
    # Translators: a percentage; %(number)s is the number, already in your language's format.
    return pgettext("percentage", "%(number)s%%") % {"number": decimal(value, digits)}
