#!/bin/sh
# Screenshots an HTML report with headless Chromium (or Chrome):
#   conformance/tools/screenshot-report.sh REPORT.html OUT.png [WIDTHxHEIGHT]
# or writes the page as the browser has it after its script ran:
#   conformance/tools/screenshot-report.sh --dom 'REPORT.html#unexpected' OUT.html
# Exits 3 (after saying so) when no headless browser is installed
# (`apt-get install chromium` on Debian), 1 when the browser wrote nothing.
set -eu
usage="usage: screenshot-report.sh [--dom] REPORT.html[#fragment] OUT [WIDTHxHEIGHT]"
mode=screenshot
if [ "${1:-}" = --dom ]; then mode=dom; shift; fi
report=${1:?$usage}
out=${2:?$usage}
size=${3:-1280x1600}
browser=
for b in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
if [ -z "$browser" ]; then
    echo "screenshot-report: no headless browser (chromium, chromium-browser, google-chrome); apt-get install chromium" >&2
    exit 3
fi
case $report in /*) ;; *) report=$(pwd)/$report ;; esac
profile=$(mktemp -d "${TMPDIR:-/tmp}/screenshot-report-XXXXXX")
trap 'rm -rf "$profile"' EXIT
rm -f "$out"
flags="--headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir=$profile"
# Bounded: a browser that hangs is killed after 60 s.
if [ "$mode" = dom ]; then
    timeout 60 "$browser" $flags --dump-dom "file://$report" >"$out" 2>/dev/null || true
else
    timeout 60 "$browser" $flags --window-size="$(echo "$size" | tr x ,)" \
        --screenshot="$out" "file://$report" >/dev/null 2>&1 || true
fi
if [ ! -s "$out" ]; then
    echo "screenshot-report: $browser wrote nothing for $report" >&2
    exit 1
fi
echo "screenshot-report: $out ($browser)"
