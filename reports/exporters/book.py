"""What the scorecard workbook and PDF say alike, beside their figures: the scope titles and a link
in words, in the active language (a file asked for on the web is written in its requester's, the
command line's in English). The figures themselves come from `selectors.scorecard_book`
(exporters only lay out).
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

from ..models import Scope

SCOPE_TITLES = {
    Scope.SUPPLIER: _("As a supplier (rated by the other departments)"),
    Scope.MANAGEMENT: _("Its management (rated by its own staff)"),
}


def scope_title(scope: str) -> str:
    return gettext(SCOPE_TITLES[scope])


def link_label(link: dict) -> str:
    """A link in words: "Sales → IT", or "Sales staff → their own management" on the diagonal."""
    rater, provider = link["rater"].name, link["provider"].name
    if rater == provider:
        return gettext("%(department)s staff → their own management") % {"department": rater}
    return f"{rater} → {provider}"
