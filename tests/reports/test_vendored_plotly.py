"""plotly.js is the file committed under static/vendor/ (plotly.js's cartesian bundle, a third of the
full one): the one its note (static/vendor/README.md) describes, loaded by every page that draws a
figure, and holding every trace type those pages draw."""

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache

from surveys.models import Department
from tests.reports.snapshots import build_company

VENDOR = Path(settings.BASE_DIR) / "static" / "vendor"
BUNDLE = VENDOR / "plotly-cartesian.min.js"
NOTE = (VENDOR / "README.md").read_text()
TEMPLATES = Path(settings.BASE_DIR) / "templates"
SHAPES = {"rect", "line", "circle", "path"}


def bundle_text() -> str:
    return BUNDLE.read_text(encoding="utf-8")


def test_the_bundle_is_the_file_its_note_names_byte_for_byte():
    noted = re.search(r"sha256 of `plotly-cartesian.min.js`:\s*`([0-9a-f]{64})`", NOTE)
    assert noted, "static/vendor/README.md names the file's sha256"
    assert hashlib.sha256(BUNDLE.read_bytes()).hexdigest() == noted[1]


def test_the_bundles_version_banner_and_code_are_the_version_its_note_names():
    noted = re.search(r"`plotly\.js-cartesian-dist-min@(\d+\.\d+\.\d+)`", NOTE)
    assert noted, "static/vendor/README.md names the npm package and its version"
    text = bundle_text()
    banner = re.match(r"/\*\*\n\* plotly\.js \(cartesian - minified\) v(\d+\.\d+\.\d+)\n", text)
    assert banner and banner[1] == noted[1]
    assert f'version="{noted[1]}"' in text  # Plotly.version, what the browser tests see
    assert "Licensed under the MIT license" in text[:300]
    assert (VENDOR / "plotly-cartesian.LICENSE.txt").read_text().startswith("MIT License")


def test_every_template_loads_the_vendored_bundle_and_collectstatic_finds_it_there():
    loads = {}
    for template in TEMPLATES.rglob("*.html"):
        for src in re.findall(r"<script src=\"\{% static '([^']*plotly[^']*)' %\}\"", template.read_text()):
            loads[template.name] = src
    assert loads == {
        "dashboard.html": "vendor/plotly-cartesian.min.js",
        "department.html": "vendor/plotly-cartesian.min.js",
    }
    assert Path(finders.find("vendor/plotly-cartesian.min.js")) == BUNDLE
    assert finders.find("vendor/plotly.min.js") is None  # the full bundle is no longer served


@pytest.mark.django_db
def test_every_trace_type_the_pages_draw_is_one_the_bundle_registers(client, executive, org):
    registered = set(re.findall(r'moduleType:"trace",name:"([a-z0-9]+)"', bundle_text()))
    assert {"heatmap", "scatter", "bar"} <= registered
    build_company(departments=10, cycles=3, include=(org["sales"], org["it"]))
    client.force_login(executive.user)
    drawn = set()
    cache.clear()
    pages = ["/reports/"] + [f"/reports/2020-Q3/departments/{d.slug}/" for d in Department.objects.all()]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200
        found = re.findall(r'<script id="[^"]+" type="application/json">(.*?)</script>', response.text, flags=re.S)
        for payload in found:
            figure = json.loads(payload)
            for trace in figure.get("data", []) if isinstance(figure, dict) else []:
                drawn.add(trace.get("type", "scatter"))  # plotly.js's default type
    # The scripts build traces of their own too (static/js/heatmap.js: the link heatmap's); their
    # other `type`s are shapes'.
    for script in (Path(settings.BASE_DIR) / "static" / "js").glob("*.js"):
        drawn |= set(re.findall(r'\btype: *"([a-z0-9]+)"', script.read_text())) - SHAPES
    assert {"heatmap", "scatter", "bar"} <= drawn, drawn
    assert drawn <= registered, drawn - registered


def test_the_csp_allows_the_style_plotly_gives_a_heatmap_drawn_as_one_image_and_no_other():
    from reports.views import PLOTLY_IMAGE_STYLE, PLOTLY_STYLES

    # plotly.js's STYLE: its CSS_DECLARATIONS, each "name: value; ", one after the other.
    declarations = re.search(r"CSS_DECLARATIONS=(\[\[.*?\]\]);", bundle_text())
    assert declarations
    written = "".join(f"{name}: {value}; " for name, value in json.loads(declarations[1]))
    assert written == PLOTLY_IMAGE_STYLE
    hashes = [
        f"'sha256-{base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()}'" for style in ("", written)
    ]
    assert {"style-src": ["'unsafe-hashes'", *hashes]} == PLOTLY_STYLES
