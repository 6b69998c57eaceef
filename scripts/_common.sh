# Shared helpers for the scripts in this folder. Source it; do not run it.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.local"
VENV="$ROOT/.venv"

# Progress and errors go to stderr: stdout of services.sh is eval'd by callers.
log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# apt_install PKG...: install Debian packages when we are root and apt-get exists.
# Tries without `apt-get update` first (fast when the lists are fresh), then updates once.
apt_install() {
    is_root || return 1
    command -v apt-get >/dev/null 2>&1 || return 1
    log "apt-get install -y --no-install-recommends $*"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends "$@" >&2 9>&-; then
        log "install failed; running apt-get update and retrying"
        apt-get update >&2 9>&- || return 1
        apt-get install -y --no-install-recommends "$@" >&2 9>&- || return 1
    fi
}
