"""/api/docs/ in a real browser: Swagger UI from the app's own files renders the API's lists under
the app's CSP, with no console error (a CSP refusal would be one), no request to another host and
no serious accessibility violation; "Authorize" takes a token and "Try it out" reads the API."""

import pytest

from api.tokens import token_create
from surveys.roles import Role
from tests.factories import DepartmentFactory, EmployeeFactory

from .conftest import DESKTOP, PHONE, serious_violations


@pytest.fixture
def key():
    employee = EmployeeFactory(department=DepartmentFactory(name="Sales", slug="sales"), role=Role.EMPLOYEE)
    return token_create(user=employee.user, name="docs").key


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_api_docs_render_from_the_apps_own_files_without_csp_errors(new_page, live_server, viewport, key):
    page = new_page(viewport)
    elsewhere, refused = [], []
    page.on("request", lambda r: None if r.url.startswith(live_server.url) else elsewhere.append(r.url))
    page.on("response", lambda r: refused.append(r.url) if r.status >= 400 else None)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert page.get_by_text("Chain Survey API").first.is_visible()
    for path in ("/api/v1/cycles/", "/api/v1/cycles/{cycle}/scorecards/", "/api/v1/cycles/{cycle}/commitments/"):
        assert page.locator(f'.opblock-summary-path[data-path="{path}"]').count() == 1
    assert elsewhere == [] and refused == []
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    # Authorize with a token, then try the cycles list: the answer comes from the API itself.
    page.get_by_role("button", name="Authorize").first.click()
    page.get_by_label("Value:").fill(f"Token {key}")
    page.get_by_role("button", name="Apply credentials").click()
    page.locator(".auth-btn-wrapper").get_by_role("button", name="Close").click()
    operation = page.locator("#operations-cycles-cycles_list")
    operation.locator(".opblock-summary").click()
    assert serious_violations(page) == []  # an operation opened: its parameters and examples
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    result = operation.locator(".live-responses-table .response .response-col_status").first
    result.wait_for()
    assert result.inner_text().strip().startswith("200")
