import datetime

import pytest
from django.core.cache import cache

from surveys.demo import seed_demo


@pytest.fixture
def demo(db):
    cache.clear()
    return seed_demo(today=datetime.date(2026, 11, 15))


def test_demo_pages_render(client, demo):
    from surveys.models import Employee

    manager = Employee.objects.get(user__email="marcus.reed@demo.example")
    client.force_login(manager.user)
    r = client.get("/actions/")
    assert r.status_code == 200, r.content[:2000]
    url = f"/actions/2026-Q3/departments/{manager.department.slug}/"
    r = client.get(url)
    assert r.status_code == 200, r.content.decode()[:3000]
    print(r.content.decode()[:200])
