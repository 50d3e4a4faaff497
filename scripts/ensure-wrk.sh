#!/usr/bin/env bash
# bench/pages.py loads the report pages with wrk, whose figures the bench README compares. Install
# it when it is missing and apt-get can; otherwise the script falls back to its Python client
# (which shares the cores with the server: lower figures) and says so.
set -u
if command -v wrk >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's wrk for bench/pages.py..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null && exit 0
fi
echo "wrk is not available: bench/pages.py will use its Python client." >&2
exit 0
