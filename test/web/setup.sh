#!/usr/bin/env bash
# Make sure a Chromium is there for the browser tests (test/web/*.test.ts): Debian's package,
# driven by playwright-core, so no browser is downloaded at test time. Called by `npm run test:ts`;
# idempotent, and returns at once when the browser is installed. C2C_CHROMIUM names another
# Chromium binary to use instead (the tests read the same variable).
set -euo pipefail

CHROMIUM="${C2C_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ -n "${C2C_CHROMIUM:-}" ]; then
  echo "test/web/setup.sh: C2C_CHROMIUM=$C2C_CHROMIUM is not an executable" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "test/web/setup.sh: the browser tests need Chromium at /usr/bin/chromium; install Debian's package (apt-get install chromium) or set C2C_CHROMIUM" >&2
  exit 1
fi
echo "test/web/setup.sh: installing Debian's chromium (once) ..." >&2
export DEBIAN_FRONTEND=noninteractive
# The package lists may be missing or stale on a fresh machine; an install without them finds nothing.
apt-get update -qq
# fonts-liberation: metric-compatible fonts, so text in the screenshots has the same shape everywhere.
apt-get install -y -qq chromium fonts-liberation >/dev/null
echo "test/web/setup.sh: installed $(dpkg-query -W -f='${Package} ${Version}' chromium)" >&2
