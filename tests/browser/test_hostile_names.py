"""Hostile department and people names in a real browser: shown as text, and nothing runs (no
dialog opens, no `<img src=x>` element exists) on the survey pages, home and the admin's org pages."""

from surveys.models import Draft
from tests.test_hostile_names import HOSTILE, hostile_company

from .conftest import DESKTOP, sign_in


def visit(page, url):
    page.goto(url)
    page.wait_for_load_state("load")
    assert page.locator("img[src='x']").count() == 0, f"{url}: an <img src=x> element was created"


def test_hostile_names_show_as_text_and_nothing_runs(new_page, live_server, tmp_path, console_errors):
    company = hostile_company()
    person = company["people"][0]
    dialogs = []
    page = new_page(DESKTOP)
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    sign_in(page, live_server, person.user.email)
    visit(page, f"{live_server.url}/survey/")  # the screener
    for name in HOSTILE[1:]:
        assert page.get_by_label(name, exact=True).is_visible()

    providers = [company["eo"].id, *(d.id for d in company["departments"])]
    Draft.objects.create(employee=person, cycle=company["cycle"], providers=providers)
    visit(page, f"{live_server.url}/survey/")  # the ratings
    # The person works in the first department: it is their own management's section.
    for label in (f"Your management ({HOSTILE[0]})", *HOSTILE[1:]):
        assert page.get_by_role("heading", name=label).is_visible()  # "2 Your management (…)"
        assert page.get_by_label(f"I did not deal with {label} after all").is_visible()
    page.screenshot(path=tmp_path / "ratings.png")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Submit my answers").click()  # every section's error names it
    assert page.get_by_text(f"Rate {HOSTILE[2]} on at least one dimension").first.is_visible()
    assert page.locator("img[src='x']").count() == 0
    visit(page, f"{live_server.url}/")
    assert page.get_by_text(HOSTILE[0]).first.is_visible()  # the signed-in person's name in the menu bar

    page.context.clear_cookies()
    sign_in(page, live_server, company["hr"].user.email)
    for path in ("/admin/surveys/department/", "/admin/surveys/employee/"):
        visit(page, f"{live_server.url}{path}")
        for name in HOSTILE:
            assert (
                page.get_by_role("link", name=name, exact=True).first.is_visible()
                or page.get_by_text(name, exact=True).first.is_visible()
            )
    visit(page, f"{live_server.url}/admin/surveys/department/{company['departments'][2].pk}/change/")
    assert page.get_by_label("Name").input_value() == HOSTILE[2]
    assert dialogs == [], f"a dialog opened: {dialogs}"
    # The admin's own pages name no icon, so the browser asks for /favicon.ico: not a page error.
    console_errors[:] = [error for error in console_errors if "/favicon.ico" not in error]
