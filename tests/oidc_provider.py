"""Starts the test OpenID Connect provider (tests/oidc/provider.mjs, npm's `oidc-provider`) on
127.0.0.1 for the single sign-on tests.

Its packages are installed by `make test` / `.ci/run` (`npm ci` in tests/oidc); when they are
missing and npm is there, the first test installs them. Tests skip with a reason only where node
or npm is missing, and fail instead when CI is set.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "oidc"
CLIENT_ID = "chain-survey-test"
CLIENT_SECRET = "a-test-secret-known-only-to-these-tests"


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {reason}")
    pytest.skip(reason)


def ensure_installed() -> str:
    """The node executable, with tests/oidc's packages installed (skips or fails if it cannot be)."""
    node = shutil.which("node")
    if node is None:
        _unavailable("node is not installed: the single sign-on tests need it for their OpenID provider")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            _unavailable("npm is not installed: run `npm ci` in tests/oidc")
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0:
            pytest.fail(f"`npm ci` in tests/oidc failed:\n{done.stderr[-2000:]}")
    return node


@contextmanager
def running_provider(*, redirect_uri: str, post_logout_redirect_uri: str, accounts: dict):
    """Yields the issuer URL of a provider knowing one client (ours) and these accounts:
    {login: {"password", "email", "email_verified"}}. Stopped on leaving."""
    node = ensure_installed()
    config = {
        "client": {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [redirect_uri],
            "post_logout_redirect_uris": [post_logout_redirect_uri],
        },
        "accounts": accounts,
    }
    process = subprocess.Popen(
        [node, str(HERE / "provider.mjs"), json.dumps(config)],
        cwd=HERE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # oidc-provider's development-mode warnings
        text=True,
    )
    try:
        line = process.stdout.readline()
        if not line:
            pytest.fail(f"the test OpenID provider did not start (exit code {process.wait(timeout=10)})")
        yield json.loads(line)["issuer"]
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def use_provider(settings, issuer: str) -> None:
    """Point the app (settings fixture) at `issuer` with the test client."""
    import copy

    from accounts import oidc
    from chainsurvey.settings import sso_origin

    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(sso_origin(issuer))  # as settings.py does for the issuer
    settings.CONTENT_SECURITY_POLICY = policy
    settings.CHAINSURVEY_OIDC_ISSUER = issuer
    settings.CHAINSURVEY_OIDC_CLIENT_ID = CLIENT_ID
    settings.CHAINSURVEY_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.CHAINSURVEY_OIDC_NAME = "Test Company SSO"
    oidc.forget_provider()
