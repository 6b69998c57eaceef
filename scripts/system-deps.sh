#!/usr/bin/env bash
# Check (and, as root on Debian/Ubuntu, install) the system packages the app needs.
#   system-deps.sh run   - WeasyPrint's libraries (pango, harfbuzz-subset)
#   system-deps.sh test  - the above plus Chromium (/usr/bin/chromium) and poppler-utils
# Never runs `playwright install`: browser tests drive Debian's /usr/bin/chromium.
set -euo pipefail
. "$(dirname "$0")/_common.sh"

mode="${1:-test}"
case "$mode" in run | test) ;; *) die "usage: $0 run|test" ;; esac

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
    for pkg in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; do
        installed "$pkg" || missing+=("$pkg")
    done
    if [ "$mode" = test ]; then
        [ -x /usr/bin/chromium ] || missing+=(chromium)
        { command -v pdftoppm && command -v pdftotext; } >/dev/null 2>&1 || missing+=(poppler-utils)
    fi
else
    # Not Debian-like: we can only check and advise.
    if [ "$mode" = test ]; then
        [ -x /usr/bin/chromium ] || warn "/usr/bin/chromium not found: browser tests need Chromium there"
        command -v pdftoppm >/dev/null 2>&1 || warn "pdftoppm/pdftotext (poppler) not found: PDF tests need them"
    fi
    exit 0
fi

[ ${#missing[@]} -eq 0 ] && exit 0

if is_root && command -v apt-get >/dev/null 2>&1; then
    apt_install "${missing[@]}" || die "could not install system packages: ${missing[*]}"
else
    cat >&2 <<MSG
WARNING: missing system packages: ${missing[*]}
  Install them as root, then re-run:
    sudo apt-get install -y --no-install-recommends ${missing[*]}
  (Browser tests need /usr/bin/chromium; PDF tests need poppler-utils;
   libharfbuzz-subset0 makes WeasyPrint about twice as fast.)
MSG
fi
