"""reports.pages: the cache key of every report page names everything the page shows, so that a
change to any of it is never served from a stale cache."""

import pytest
from django.core.cache import cache

from reports import pages
from reports.models import DepartmentResult
from reports.selectors import VisibleCycle
from tests.reports.snapshots import build_company

# Keys name the versions of what panels (commitments) show: one query, hence the database.
pytestmark = pytest.mark.django_db

Q1, Q2 = VisibleCycle(id=1, name="2026-Q1", summary_id=10), VisibleCycle(id=2, name="2026-Q2", summary_id=20)
BASE = {"what": "page:department", "cycle": Q2, "cycles": [Q2, Q1], "department": 7, "full": True, "downloads": False}

CHANGES = {
    "another page": {"what": "page:dashboard"},
    "another cycle shown": {"cycle": Q1},
    "the shown cycle rolled up again": {
        "cycle": Q2._replace(summary_id=21),
        "cycles": [Q2._replace(summary_id=21), Q1],
    },
    "an earlier cycle rolled up again": {"cycles": [Q2, Q1._replace(summary_id=11)]},
    "a cycle published": {"cycles": [VisibleCycle(id=3, name="2026-Q3", summary_id=30), Q2, Q1]},
    "a cycle no longer visible": {"cycles": [Q2]},
    "another department": {"department": 8},
    "the other departments not linked": {"full": False},
    "HR's downloads": {"downloads": True},
}


def _key(**changes) -> str:
    arguments = {**BASE, **changes}
    return pages.cache_key(arguments.pop("what"), **arguments)


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_changing_anything_a_page_shows_changes_its_cache_key(change):
    assert _key(**change) != _key()


def test_every_change_gives_a_key_of_its_own_and_the_same_inputs_the_same_key():
    keys = [_key(**change) for change in CHANGES.values()]
    assert len(set(keys)) == len(keys)
    assert _key() == _key(downloads=False, full=True, department=7)


def test_a_key_fits_every_cache_backend():
    key = _key(cycles=[VisibleCycle(id=n, name=f"20{n:02}-Q1", summary_id=1000 + n) for n in range(20)])
    assert len(key) < 250 and " " not in key  # memcached's limits


def test_a_viewer_part_cannot_stand_in_for_a_shown_one():
    with pytest.raises(AssertionError):
        pages.cache_key("dashboard", cycle=Q2, cycles=[Q2], snapshot=1)


def test_something_new_a_page_shows_is_added_to_every_page_key_in_one_place(client, executive, org, monkeypatch):
    """Once pages show commitments, their version joins `_shown`: the dashboard and department
    pages (whole pages and their bodies) are built again."""
    cache.clear()
    build_company(departments=4, cycles=2, include=(org["sales"],))
    client.force_login(executive.user)
    latest = DepartmentResult.objects.order_by("-cycle__name").values_list("cycle__name", flat=True).first()
    urls = ["/reports/", f"/reports/{latest}/departments/sales/"]
    for url in urls:
        assert client.get(url).status_code == 200
    DepartmentResult.objects.filter(
        cycle__name=latest, department=org["sales"], scope="supplier", dimension="overall"
    ).update(mean=4.987, respondents=40, ratings=400, suppressed=False)
    assert all("4.99" not in client.get(url).content.decode() for url in urls)  # cached

    shown = pages._shown
    monkeypatch.setattr(pages, "_shown", lambda cycles: {**shown(cycles), "commitments": "changed"})
    assert all("4.99" in client.get(url).content.decode() for url in urls)
    cache.clear()
