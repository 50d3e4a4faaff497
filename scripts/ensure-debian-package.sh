#!/usr/bin/env bash
# ensure-debian-package.sh COMMAND PACKAGE "WITHOUT IT"
# Install Debian's PACKAGE when COMMAND is missing and apt-get can (never a download from elsewhere);
# otherwise print what happens without it and carry on: callers decide whether that is fatal.
set -u
command_name=$1 package=$2 without=$3
if command -v "$command_name" >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's $package..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq "$package" >/dev/null && exit 0
fi
echo "$package is not available: $without" >&2
exit 0
