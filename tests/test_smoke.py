import pytest


@pytest.mark.django_db
def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_signed_out_visitor_is_sent_to_login(client):
    response = client.get("/survey/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_employee_signs_in_with_email_case_insensitively(client, employee):
    assert client.login(email="EMMA@example.com", password="correct horse battery staple")


def test_role_groups_hold_cumulative_permissions(hr, executive, manager, employee):
    assert hr.user.has_perm("surveys.export_results") and hr.user.has_perm("surveys.view_all_results")
    assert executive.user.has_perm("surveys.view_all_results")
    assert not executive.user.has_perm("surveys.export_results")
    assert manager.user.has_perm("surveys.view_own_department_results")
    assert not manager.user.has_perm("surveys.view_all_results")
    assert not employee.user.has_perm("surveys.view_own_department_results")
