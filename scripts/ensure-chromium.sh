#!/usr/bin/env bash
# Browser tests drive Debian's chromium; never a browser download. Install it when it is missing
# and apt-get can; otherwise the browser tests skip with a reason (and fail when CI is set).
exec bash "$(dirname "$0")/ensure-debian-package.sh" chromium chromium "browser tests will be skipped."
