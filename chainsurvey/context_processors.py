"""What every page's navigation needs to know: who may see the dashboard, and where we are."""

from surveys import roles

# URL namespace → the navigation entry its pages belong to.
SECTIONS = {"surveys": "survey", "reports": "dashboard", "hr": "cycles"}


def navigation(request):
    match = request.resolver_match  # None on a page for an address that resolved to nothing
    section = SECTIONS.get(match.namespace, "") if match else ""
    if section == "cycles" and match.url_name.startswith("org"):
        section = "org"
    # A callable: the template calls it only where it draws the navigation for a signed-in
    # person, and the role is read with the user (accounts.backends), so most pages pay no query.
    return {"nav_sees_dashboards": lambda: roles.can_see_dashboards(request.user), "nav_section": section}
