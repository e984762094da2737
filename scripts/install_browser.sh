#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (tests/browser/) when /usr/bin/chromium is missing.
# Playwright drives this browser; it never downloads one of its own (no `playwright install`).
set -euo pipefail
cd "$(dirname "$0")/.."

[[ -x /usr/bin/chromium ]] && exit 0

mkdir -p logs
log=logs/install-browser.log
as_root=()
[[ $(id -u) -eq 0 ]] || as_root=(sudo)
echo "Installing Debian's chromium for the browser tests (log: $log)..."
{
  "${as_root[@]}" apt-get update -q
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
} > "$log" 2>&1 || { tail -20 "$log"; echo "Could not install chromium: see $log"; exit 1; }
/usr/bin/chromium --version 2>/dev/null | tee -a "$log"
