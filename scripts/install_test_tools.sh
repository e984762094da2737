#!/usr/bin/env bash
# Installs, from Debian's packages and only when missing, the programs the tests drive:
# chromium for the browser tests (Playwright drives it; it never downloads a browser of its own,
# no `playwright install`) and nginx-light to check the deployment's proxy configuration.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
[[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
[[ ${#missing[@]} -eq 0 ]] && exit 0

mkdir -p logs
log=logs/install-test-tools.log
as_root=()
[[ $(id -u) -eq 0 ]] || as_root=(sudo)
echo "Installing ${missing[*]} from Debian's packages for the tests (log: $log)..."
{
  "${as_root[@]}" apt-get update -q
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
} > "$log" 2>&1 || { tail -20 "$log"; echo "Could not install ${missing[*]}: see $log"; exit 1; }
