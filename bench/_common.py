"""What every benchmark shares: Django set up from the environment, PostgreSQL required, and a
throwaway database (`<name>_bench`) created for the run and dropped after it, so that a benchmark
never touches the data of the database DATABASE_URL names."""

import contextlib
import os
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chainsurvey.settings")
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()


def require_postgres(script: str) -> None:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit(f"{script} measures PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/<name>")


@contextlib.contextmanager
def throwaway_database(*, keep: bool = False):
    """Create (or, with keep, reuse) `<name>_bench`, migrated; drop it afterwards unless keep."""
    from django.db import connection

    settings_dict = connection.settings_dict
    name = settings_dict["NAME"]
    settings_dict.setdefault("TEST", {})["NAME"] = f"{name}_bench"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep)
    try:
        yield
    finally:
        if not keep:
            connection.creation.destroy_test_db(name, verbosity=0)
