"""Settings of the gunicorn that bench/load.py starts: the production settings (DEBUG off, taken
from the environment as usual) with two bench-only changes. Passwords are checked with a cheap
hasher unless BENCH_REAL_PASSWORD_HASHING=1, so that 2,000 sign-ins measure the app rather than
PBKDF2's deliberate cost (which load.py measures on its own), and static files need no collectstatic."""

import os

from chainsurvey.settings import *  # noqa: F403

if os.environ.get("BENCH_REAL_PASSWORD_HASHING") != "1":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
