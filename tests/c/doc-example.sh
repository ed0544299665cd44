#!/usr/bin/env bash
# Fails when the code block that follows "<!-- example: FILE -->" in DOC differs from FILE, so the
# documented example is the one the tests compile and run. Usage: doc-example.sh DOC FILE
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
doc="$root/$1"
file="$2"
block="$(awk -v marker="<!-- example: $file -->" '
    $0 == marker { found = 1; next }
    found && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' "$doc")"
if [[ "$block" != "$(cat "$root/$file")" ]]; then
    echo "doc-example: the example in $1 differs from $file" >&2
    diff <(printf '%s\n' "$block") "$root/$file" >&2 || true
    exit 1
fi
