"""Playwright's sync API moves the session into a context of its own, where Django's connections
are new objects: the browser fixture hands them the test database's serialized rows, or every
serialized_rollback test after the first browser test would run as a plain transactional one."""

from django.db import connections

from surveys.models import Dimension


def test_serialized_rollback_still_restores_the_data_migrations_rows_once_the_browser_runs(browser):
    assert hasattr(connections["default"], "_test_serialized_contents")
    # The data migrations' rows: six service dimensions, the expectation and the outcome.
    assert Dimension.objects.count() == 8
