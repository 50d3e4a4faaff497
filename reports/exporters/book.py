"""What the scorecard workbook and PDF say alike, beside their figures: the scope titles and a link
in words. The figures themselves come from `selectors.scorecard_book` (exporters only lay out).
"""

from ..models import Scope

SCOPE_TITLES = {
    Scope.SUPPLIER: "As a supplier (rated by the other departments)",
    Scope.MANAGEMENT: "Its management (rated by its own staff)",
}


def link_label(link: dict) -> str:
    """A link in words: "Sales → IT", or "Sales staff → their own management" on the diagonal."""
    rater, provider = link["rater"].name, link["provider"].name
    return f"{rater} staff → their own management" if rater == provider else f"{rater} → {provider}"
