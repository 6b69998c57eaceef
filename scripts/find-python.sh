#!/usr/bin/env bash
# Print the path of a Python >= 3.12 interpreter, or fail with a clear message.
# Order: $PYTHON, python3.13, python3.12 on PATH, pyenv's 3.13.*/3.12.*, python3.
set -euo pipefail

ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
for name in python3.13 python3.12; do
    if p="$(command -v "$name" 2>/dev/null)"; then candidates+=("$p"); fi
done
pyenv_root="${PYENV_ROOT:-}"
if [ -z "$pyenv_root" ] && command -v pyenv >/dev/null 2>&1; then
    pyenv_root="$(pyenv root 2>/dev/null || true)"
fi
[ -z "$pyenv_root" ] && [ -d "$HOME/.pyenv" ] && pyenv_root="$HOME/.pyenv"
if [ -n "$pyenv_root" ] && [ -d "$pyenv_root/versions" ]; then
    while IFS= read -r d; do
        [ -n "$d" ] && candidates+=("$d/bin/python3")
    done < <(ls -d "$pyenv_root"/versions/3.13.* "$pyenv_root"/versions/3.12.* 2>/dev/null | sort -rV)
fi
if p="$(command -v python3 2>/dev/null)"; then candidates+=("$p"); fi

for c in "${candidates[@]}"; do
    # pyenv shims exist for every installed version but fail when that version is
    # not selected: ok() really runs the interpreter, so such shims are skipped.
    if ok "$c"; then
        printf '%s\n' "$c"
        exit 0
    fi
done

cat >&2 <<MSG
ERROR: no Python >= 3.12 found.
  Tried: ${candidates[*]:-(nothing on PATH)}
  Install Python 3.12 or 3.13 (e.g. 'pyenv install 3.12' or your OS packages),
  or point PYTHON=/path/to/python3.12 at one: make run PYTHON=/path/to/python3.12
MSG
exit 1
