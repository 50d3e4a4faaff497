"""/api/schema/ is a valid OpenAPI 3 document that describes what the API answers (every row of a
real response validates against it), /api/docs/ is served from the app's own files, every list
registered in api.resources has its address; and the throttles say when to retry."""

import jsonschema
import pytest
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

from api.resources import RESOURCES, EveryoneMasked, OwnDepartment, Viewer
from api.views import TokenRateThrottle
from reports.exporters.base import Column, ListExporter

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_public_and_a_valid_openapi_3_document(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # drf-spectacular's own check against the OpenAPI 3 meta-schema
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": schema["components"]["securitySchemes"]["tokenAuth"]["description"],
    }


def test_the_schema_is_generated_without_a_warning(tmp_path):
    # drf-spectacular warns where it has to guess a type; --fail-on-warn turns a guess into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert "/api/v1/cycles/{cycle}/scorecards/" in (tmp_path / "schema.yml").read_text()


def test_every_registered_list_has_its_address_and_its_rows_in_the_schema(schema):
    for name, resource in RESOURCES.items():
        operation = schema["paths"][f"/api/v1/cycles/{{cycle}}/{name}/"]["get"]
        assert operation["security"] == [{"tokenAuth": []}]
        row = schema["components"]["schemas"][f"{name.title().rstrip('s')}Row"]
        assert list(row["properties"]) == [c.name for c in resource.columns]  # the CSV's columns, in order


def _json_schema(node):
    """OpenAPI 3.0's `nullable: true` in JSON Schema's words (`type: [..., "null"]`)."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False) and "type" in node:
        node["type"] = [node["type"], "null"]
    return node


def _response_schema(schema, path):
    ref = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    return {"$ref": ref, "components": _json_schema(schema["components"])}


@pytest.mark.parametrize("role", ["employee", "manager", "hr"])
def test_real_responses_validate_against_the_schema(api, company, keys, schema, role):
    paths = {"/api/v1/": "/api/v1/", "/api/v1/cycles/": "/api/v1/cycles/"}
    for name in RESOURCES:
        paths[f"/api/v1/cycles/{{cycle}}/{name}/"] = f"/api/v1/cycles/2026-Q1/{name}/"
    checked = 0
    for path, url in paths.items():
        response = api(keys[role], url)
        if response.status_code == 403:
            continue
        body = response.json()
        jsonschema.validate(body, _response_schema(schema, path))
        checked += len(body.get("results", [body]))
    assert checked > 5


def test_the_schema_would_refuse_a_figure_sent_as_text(api, company, keys, schema):
    body = api(keys["hr"], "/api/v1/cycles/2026-Q1/scorecards/").json()
    shown = next(row for row in body["results"] if not row["suppressed"])
    shown["mean"] = f"{shown['mean']:.2f}"
    with pytest.raises(jsonschema.ValidationError, match="is not of type"):
        jsonschema.validate(body, _response_schema(schema, "/api/v1/cycles/{cycle}/scorecards/"))


def test_the_docs_page_is_served_from_the_apps_own_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "<style" not in page
    assert "script-src 'self'" in response["Content-Security-Policy"]
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert '"validatorUrl": null' in script.content.decode()  # the schema is never sent to swagger.io


# ---- Throttling ----


def test_a_person_over_the_rate_gets_429_saying_when_to_retry(api, company, keys, monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"api": "3/minute"})
    assert [api(keys["hr"], "/api/v1/cycles/").status_code for _ in range(3)] == [200] * 3
    refused = api(keys["hr"], "/api/v1/cycles/")
    assert refused.status_code == 429
    wait = int(refused["Retry-After"])
    assert 0 < wait <= 60
    assert refused.json()["detail"] == f"Too many requests: try again in {wait} second{'s' if wait != 1 else ''}."
    # Per person: someone else is not slowed down.
    assert api(keys["manager"], "/api/v1/cycles/").status_code == 200


def test_the_public_schema_is_throttled_per_client_address(client, monkeypatch):
    from api.docs import AddressRateThrottle

    monkeypatch.setattr(AddressRateThrottle, "THROTTLE_RATES", {"api_anon": "2/minute"})
    assert [client.get("/api/schema/").status_code for _ in range(2)] == [200, 200]
    refused = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert client.get("/api/schema/", REMOTE_ADDR="10.9.9.9").status_code == 200


# ---- The rules, for an exporter that pages through no records (a new list, e.g. drivers) ----


class Plain(ListExporter):
    columns = (Column("department"), Column("observations", "int"), Column("correlation", "float", 2))

    def rows(self):
        yield from [("Sales", 120, 0.61), ("IT", 40, 0.3), (None, 500, 0.5)]


def test_the_own_department_rule_filters_rows_by_name_when_an_exporter_has_no_records(company):
    manager = Viewer(sees_all=False, department_id=company["sales"].id)
    assert OwnDepartment().select(Plain(), manager).items == [("Sales", 120, 0.61)]
    assert OwnDepartment(company_rows=True).select(Plain(), manager).items == [("Sales", 120, 0.61), (None, 500, 0.5)]
    assert len(OwnDepartment().select(Plain(), Viewer(sees_all=True, department_id=None)).items) == 3
    assert not OwnDepartment().allows(Viewer(sees_all=False, department_id=None))


def test_the_masking_rule_blanks_other_departments_columns(company):
    rule = EveryoneMasked(masked=("correlation",))
    manager = Viewer(sees_all=False, department_id=company["sales"].id)
    assert rule.select(Plain(), manager).items == [("Sales", 120, 0.61), ("IT", 40, None), (None, 500, None)]
