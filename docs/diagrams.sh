#!/usr/bin/env bash
# Renders the book's state diagrams (docs/src/diagrams/*.dot, which
# conformance/tests/book.rs regenerates from the machines) to SVG with
# Graphviz, top to bottom so that the labels stay readable at page width.
# With --check, fails when a committed SVG differs instead of writing it.
set -euo pipefail
cd "$(dirname "$0")/src/diagrams"
status=0
for f in *.dot; do
  svg="${f%.dot}.svg"
  rendered="$(sed 's/^\( *\)rankdir=LR;/\1rankdir=TB;/' "$f" | dot -Tsvg)"
  if [ "${1:-}" = "--check" ]; then
    if [ "$rendered" != "$(cat "$svg" 2>/dev/null)" ]; then
      echo "docs/src/diagrams/$svg differs from $f rendered: run docs/diagrams.sh" >&2
      status=1
    fi
  else
    printf '%s\n' "$rendered" > "$svg"
  fi
done
exit $status
