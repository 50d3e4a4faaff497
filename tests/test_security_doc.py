"""SECURITY.md stays true to the tests it cites: every `file::test` it names exists, and nothing
is left "to be completed"."""

import re
from pathlib import Path

from django.conf import settings

SECURITY = (Path(settings.BASE_DIR) / "SECURITY.md").read_text(encoding="utf-8")


def test_every_test_security_md_names_exists():
    cited = set(re.findall(r"`(tests/[\w/.]+\.py)::(\w+)`", SECURITY))
    assert len(cited) > 50, "the reader found the citations"
    missing = [
        f"{path}::{name}"
        for path, name in sorted(cited)
        if not (Path(settings.BASE_DIR) / path).exists()
        or not re.search(rf"^\s*(async )?def {name}\(", (Path(settings.BASE_DIR) / path).read_text(), re.M)
    ]
    assert missing == [], "SECURITY.md cites tests that do not exist"


def test_nothing_is_left_to_be_completed():
    assert not re.search(r"to be completed|\bTODO\b|\bTBD\b", SECURITY, re.I)
