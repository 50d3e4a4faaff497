"""The tokens page in a real browser: a person makes a token from the navigation, copies the key
shown once, the key reads the API, and revoking it stops it. No serious accessibility violation,
no console error, nothing too wide."""

import pytest

from surveys.roles import Role
from tests.factories import DepartmentFactory, EmployeeFactory

from .conftest import DESKTOP, PHONE, serious_violations, sign_in


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_person_makes_copies_and_revokes_a_token(new_page, live_server, viewport, tmp_path):
    EmployeeFactory(
        department=DepartmentFactory(name="Sales", slug="sales"),
        role=Role.MANAGER,
        user__email="mark@example.com",
        user__full_name="Mark Rowe",
    )
    page = new_page(viewport)
    sign_in(page, live_server, "mark@example.com")
    if viewport is PHONE:
        page.get_by_role("button", name="Toggle navigation").click()
    page.get_by_role("link", name="Mark Rowe (your API tokens)").click()
    page.wait_for_load_state("load")
    assert page.get_by_text("You have no token.").is_visible()
    assert serious_violations(page) == []

    page.get_by_label("Name").fill("Power BI")
    page.get_by_role("button", name="Create token").click()
    page.wait_for_load_state("load")
    key = page.get_by_label("Key").input_value()
    assert key.startswith("cs_")
    page.screenshot(path=tmp_path / "tokens.png", full_page=True)
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    api = page.context.request
    assert api.get(f"{live_server.url}/api/v1/cycles/", headers={"Authorization": f"Token {key}"}).status == 200

    page.goto(f"{live_server.url}/accounts/tokens/")
    assert key not in page.content()  # shown once
    page.get_by_role("button", name="Revoke Power BI").click()
    page.wait_for_load_state("load")
    assert page.get_by_text("Token revoked: it no longer works.").is_visible()
    assert api.get(f"{live_server.url}/api/v1/cycles/", headers={"Authorization": f"Token {key}"}).status == 401
