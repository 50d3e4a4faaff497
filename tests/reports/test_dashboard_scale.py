"""The dashboard of a 200-department company: its figure data stays small enough to send (≤ 300 KB
gzip-compressed, every json_script payload of the page together), and its heatmap's grouped order
is made from shown figures only. The query count at this size is pinned with the others in
test_dashboard_views.py."""

import gzip
import re

import pytest
from django.core.cache import cache

from reports import seriation
from tests.reports.snapshots import build_company

FIGURE_DATA_BUDGET = 300 * 1024


def figure_payloads(content: bytes) -> list[bytes]:
    return re.findall(rb'<script id="[^"]+" type="application/json">(.*?)</script>', content, flags=re.S)


@pytest.fixture
def company_of_200(db):
    cache.clear()
    # Every link rated (the worst case for the page's size), a fifth hidden, eight cycles of trend.
    return build_company(departments=200, cycles=8, hidden_share=0.2, link_dimensions=("overall",))


def test_the_figure_data_of_a_200_department_dashboard_fits_300_kb_compressed(client, executive, company_of_200):
    client.force_login(executive.user)
    response = client.get("/reports/")
    assert response.status_code == 200
    payloads = figure_payloads(response.content)
    assert len(payloads) >= 5  # the heatmap and the figures under it
    # Beyond 40 departments the trends have no legend, and the page says how to find a line.
    assert b"the chart has no legend" in response.content
    compressed = len(gzip.compress(b"".join(payloads)))
    assert compressed <= FIGURE_DATA_BUDGET, f"figure data {compressed / 1024:.0f} KB gzip"


def test_the_grouped_heatmap_order_is_made_from_the_shown_means_only(client, executive, company_of_200):
    import json

    client.force_login(executive.user)
    content = client.get("/reports/").content
    found = re.search(rb'<script id="heatmap-data" type="application/json">(.*?)</script>', content, re.S)
    heatmap = json.loads(found[1])
    assert heatmap["defaultOrder"] == "cluster"
    cells = heatmap["cells"]["overall"]
    assert any(flag == 1 for row in cells["hidden"] for flag in row)
    # The order is what the published matrix (None where hidden) gives, nothing else.
    assert cells["order"] == seriation.heatmap_order(cells["mean"])
    assert sorted(cells["order"]["rows"]) == list(range(200)) == sorted(cells["order"]["cols"])
