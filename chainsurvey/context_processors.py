"""What every page's navigation needs to know: which links the signed-in person gets, and where we are."""

from surveys import roles

# URL namespace → the navigation entry its pages belong to.
SECTIONS = {
    "surveys": "survey",
    "reports": "reports",
    "hr": "cycles",
    "training": "training",
    "recognition": "recognition",
}


def _section(match) -> str:
    if match is None:  # a page for an address that resolved to nothing
        return ""
    section = SECTIONS.get(match.namespace, "")
    return "org" if section == "cycles" and match.url_name.startswith("org") else section


def navigation(request):
    # Callables: the template calls them only where it draws the navigation for a signed-in
    # person, and the role is read with the user (accounts.backends), so most pages pay no query.
    # (An error page for a request refused before the middleware ran has no request.user at all.)
    # Executives and HR get the dashboard; managers, who see only their own department, get that.
    return {
        "nav_sees_dashboards": lambda: roles.can_see_dashboards(request.user),
        "nav_sees_own_department": lambda: (
            roles.can_see_own_department(request.user) and not roles.can_see_dashboards(request.user)
        ),
        "nav_section": _section(request.resolver_match),
    }
