"""Downloads here are built in the request unless a test turns background exports on itself (a
REDIS_URL in the environment, as on CI, must not send them through the export task)."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _no_broker(settings):
    settings.REDIS_URL = ""
    settings.CHAINSURVEY_BACKGROUND_EXPORTS = False


@pytest.fixture
def empty_cache():
    """The page cache empty before and after the test (pages are cached per process)."""
    cache.clear()
    yield
    cache.clear()
