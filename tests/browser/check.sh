#!/usr/bin/env bash
# report.html in a real browser (tests/browser.rs): installs Chromium from
# Debian's packages when it is missing and this runs as root with apt-get,
# then runs the test with SEZSIM_BROWSER_REQUIRED=1 so that it cannot skip.
# Without a browser and no way to install one, says so and exits 0.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get install -y --no-install-recommends chromium >/dev/null \
      || { apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null; } \
      || true
  fi
fi
if ! command -v chromium >/dev/null 2>&1; then
  echo "SKIPPED: the browser test needs Debian's chromium package, which could not be installed here"
  exit 0
fi
SEZSIM_BROWSER_REQUIRED=1 cargo test --locked --test browser -- --nocapture
