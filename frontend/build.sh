#!/usr/bin/env bash
# Rebuild the vendored front-end files. Run from anywhere: frontend/build.sh
#
# Needs node (20+) and npm, at build time only. The outputs are committed, so
# running or testing the Django app never needs npm or the network:
#   static/vendor/govuk-frontend/epep.min.css         GOV.UK Frontend + ePEP styles
#   static/vendor/govuk-frontend/govuk-frontend.min.js GOV.UK Frontend ES module
#   static/vendor/govuk-frontend/assets/images/...     images the CSS references
#   static/vendor/govuk-frontend/LICENSE.txt           GOV.UK Frontend licence (MIT)
#   tests/browser/axe.min.js, tests/browser/AXE-LICENSE.txt  (axe-core, MPL-2.0)
#
# COPY_GOVUK_ICONS=1 also copies GOV.UK's favicons and manifest.json. They show
# the GOV.UK crown, which only services on GOV.UK may use, so they are off by
# default for this council-run service. See README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
final_out="$root/static/vendor/govuk-frontend"
final_axe="$root/tests/browser"
static_prefix="/static/vendor/govuk-frontend/"

# Build into a scratch folder and move into place only if every check passes,
# so a failed build never leaves half-written files in the tree.
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
out="$stage/govuk-frontend"
axe_out="$stage/axe"

cd "$here"

if [ ! -d node_modules ]; then
    # No package here needs an install script (sass is pure JavaScript; its
    # optional file watcher is not used).
    npm ci --ignore-scripts --no-audit --no-fund
fi

gf="$here/node_modules/govuk-frontend/dist/govuk"
gf_version="$(node -p 'require("./node_modules/govuk-frontend/package.json").version')"
axe_dir="$here/node_modules/axe-core"

mkdir -p "$out/assets/images" "$axe_out"

# --- CSS -------------------------------------------------------------------
node_modules/.bin/sass \
    --pkg-importer=node \
    --style=compressed \
    --no-source-map \
    --quiet-deps \
    scss/epep.scss "$out/epep.min.css"

# --- JavaScript --------------------------------------------------------------
# Drop the trailing sourceMappingURL comment: the .map is not vendored, and
# Django's ManifestStaticFilesStorage (and WhiteNoise's) would fail
# collectstatic on a reference to a missing file.
sed -e 's#//\# sourceMappingURL=[^ ]*$##' \
    "$gf/govuk-frontend.min.js" > "$out/govuk-frontend.min.js"

# --- Images ------------------------------------------------------------------
# Only what epep.min.css references (the check below fails if this list
# falls behind a new GOV.UK Frontend version). Never the fonts.
images=(govuk-crest.svg)
for img in "${images[@]}"; do
    cp "$gf/assets/images/$img" "$out/assets/images/$img"
done
if [ "${COPY_GOVUK_ICONS:-0}" = "1" ]; then
    for img in favicon.ico favicon.svg govuk-icon-mask.svg govuk-icon-180.png \
        govuk-icon-192.png govuk-icon-512.png; do
        cp "$gf/assets/images/$img" "$out/assets/images/$img"
    done
    cp "$gf/assets/manifest.json" "$out/assets/manifest.json"
fi

# --- GOV.UK Frontend licence -----------------------------------------------
# The npm package declares "license": "MIT" but ships no licence file; this
# is the LICENSE.txt of the alphagov/govuk-frontend repository.
cat > "$out/LICENSE.txt" <<'EOF'
The MIT License (MIT)

Copyright (C) 2017 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
EOF

# --- axe-core (browser accessibility tests only; never served) --------------
cp "$axe_dir/axe.min.js" "$axe_out/axe.min.js"
{
    cat "$axe_dir/LICENSE"
    if [ -f "$axe_dir/LICENSE-3RD-PARTY.txt" ]; then
        printf '\n\n==== Third-party notices for code bundled in axe.min.js ====\n\n'
        cat "$axe_dir/LICENSE-3RD-PARTY.txt"
    fi
} > "$axe_out/AXE-LICENSE.txt"

# --- Checks ------------------------------------------------------------------
css="$out/epep.min.css"
fail=0
complain() { echo "build.sh: $*" >&2; fail=1; }

grep -q 'GDS Transport' "$css" && complain "epep.min.css mentions GDS Transport"
grep -q '@font-face' "$css" && complain "epep.min.css has an @font-face rule"
grep -q '/assets/fonts' "$css" && complain "epep.min.css refers to /assets/fonts"
grep -q 'sourceMappingURL' "$css" "$out/govuk-frontend.min.js" \
    && complain "a vendored file still refers to a source map"
[ -e "$out/assets/fonts" ] && complain "fonts were copied"
grep -q "version=\"$gf_version\"" "$out/govuk-frontend.min.js" \
    || complain "govuk-frontend.min.js is not version $gf_version"

# Every url(...) in the CSS must be one of our static files.
while IFS= read -r url; do
    url="${url#url(}"; url="${url%)}"
    url="${url#[\"\']}"; url="${url%[\"\']}"
    case "$url" in
        data:*) continue ;;
        "$static_prefix"*) ;;
        *) complain "url($url) is outside $static_prefix"; continue ;;
    esac
    file="$out/${url#"$static_prefix"}"
    file="${file%%[?#]*}"
    [ -f "$file" ] || complain "url($url) in epep.min.css: no such file ${file#"$out"/}"
done < <(grep -o 'url([^)]*)' "$css" | sort -u)

[ "$fail" = 0 ] || { echo "build.sh: failed; nothing was changed" >&2; exit 1; }

# Replace the whole vendor folder, so nothing stale (fonts, old images) survives.
rm -rf "$final_out"
mkdir -p "$(dirname "$final_out")" "$final_axe"
cp -R "$out" "$final_out"
cp "$axe_out/axe.min.js" "$axe_out/AXE-LICENSE.txt" "$final_axe/"

echo "GOV.UK Frontend $gf_version, axe-core $(node -p 'require("./node_modules/axe-core/package.json").version')"
(cd "$root" && find static/vendor/govuk-frontend tests/browser/axe.min.js tests/browser/AXE-LICENSE.txt \
    -type f -printf '%8s  %p\n' | sort -k2)
