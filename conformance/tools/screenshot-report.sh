#!/bin/sh
# Screenshots an HTML report with headless Chromium (or Chrome):
#   conformance/tools/screenshot-report.sh REPORT.html OUT.png [WIDTHxHEIGHT]
# Exits 3 (after saying so) when no headless browser is installed
# (`apt-get install chromium` on Debian), 1 when the screenshot fails.
set -eu
report=${1:?usage: screenshot-report.sh REPORT.html OUT.png [WIDTHxHEIGHT]}
png=${2:?usage: screenshot-report.sh REPORT.html OUT.png [WIDTHxHEIGHT]}
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
rm -f "$png"
# Bounded: a browser that hangs is killed after 60 s.
timeout 60 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$profile" --window-size="$(echo "$size" | tr x ,)" \
    --screenshot="$png" "file://$report" >/dev/null 2>&1 || true
if [ ! -s "$png" ]; then
    echo "screenshot-report: $browser wrote no screenshot of $report" >&2
    exit 1
fi
echo "screenshot-report: $png ($browser)"
