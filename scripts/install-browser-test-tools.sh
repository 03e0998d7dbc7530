#!/usr/bin/env bash
# Installs the npm packages the browser tests use into .tools/browser (git-ignored), pinned:
# playwright-core, which drives Debian's chromium (it never downloads a browser), and the player
# libraries whose files the tests serve in place of the CDN URLs of the player page
# (functions/.../player/PlayerPage.java names the same versions; the test checks they agree).
# Run by the local module's Maven build before its tests.
set -euo pipefail
cd "$(dirname "$0")/.."
PACKAGES=(playwright-core@1.65.1 dashjs@5.2.1 shaka-player@5.2.12 hls.js@1.7.4)
dir=.tools/browser
stamp="$dir/installed.txt"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "${PACKAGES[*]}" ]; then exit 0; fi
command -v npm >/dev/null || { echo "error: npm is required to install the browser test tools" >&2; exit 1; }
rm -rf "$dir"
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --silent --no-save --no-package-lock --no-audit --no-fund \
  --prefix "$dir" "${PACKAGES[@]}" >/dev/null
echo "${PACKAGES[*]}" > "$stamp"
