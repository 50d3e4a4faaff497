#!/usr/bin/env bash
# The single sign-on tests start npm's oidc-provider (pinned in tests/oidc/package-lock.json) on
# 127.0.0.1. Install it with `npm ci` when it is missing and npm is there; otherwise say what
# happens without it and carry on (the tests skip with a reason, and fail when CI is set).
set -u
dir="$(cd "$(dirname "$0")/../tests/oidc" && pwd)"
if [ -d "$dir/node_modules/oidc-provider" ]; then
  exit 0
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "node or npm is not installed: the single sign-on tests will be skipped." >&2
  exit 0
fi
echo "Installing the test OpenID provider (npm ci in tests/oidc)..."
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || echo "npm ci failed in tests/oidc: the single sign-on tests will fail." >&2
exit 0
