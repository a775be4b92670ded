#!/usr/bin/env bash
# Installs Debian's Chromium (and a font, so headless pages render text) when it is missing, and
# prints the browser's path. Fast and silent when it is already there; the report's browser test
# calls it, so a fresh CI machine gets the browser on first use. Installing needs root or sudo.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ] && fc-list 2>/dev/null | grep -q .; then
    echo "$CHROMIUM"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
else
    echo "ensure_chromium: $CHROMIUM is missing and installing it needs root (apt-get install chromium)." >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Wait for another apt run (another job on the machine) instead of failing on its lock.
APT=("${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300 -qq)
"${APT[@]}" update >/dev/null
"${APT[@]}" install -y --no-install-recommends chromium fonts-dejavu-core >/dev/null

if [ ! -x "$CHROMIUM" ]; then
    echo "ensure_chromium: apt-get finished but $CHROMIUM is not there." >&2
    exit 1
fi
echo "$CHROMIUM"
