"""Guards for tests that need the machine's PostgreSQL or Redis: skip with a reason when the
service is absent, but fail when CI is set, where every test must run."""

import os

import pytest

IN_CI = bool(os.environ.get("CI"))


def skip_unless_available(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason}; CI is set, so this test must run, not skip.")
    pytest.skip(reason)


def require_redis() -> str:
    """The REDIS_URL of the environment, once Redis answers a ping there."""
    import redis

    url = os.environ.get("REDIS_URL", "")
    if not url:
        skip_unless_available("needs Redis: REDIS_URL is not set")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        skip_unless_available(f"needs Redis: {url} does not answer ({exc})")
    return url


def require_postgresql() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        skip_unless_available(f"needs PostgreSQL: the test database is {connection.vendor} (set DATABASE_URL)")
