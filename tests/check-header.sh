#!/usr/bin/env bash
# Fails when include/steady.h differs from what cbindgen (pinned) generates from ffi/src, or when
# the header does not compile on its own as C11 and as C++17 with every warning an error.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$root/ffi/gen-header.sh" "$work/steady.h"
if ! diff -u "$root/include/steady.h" "$work/steady.h"; then
    echo "check-header: include/steady.h is out of date; run ffi/gen-header.sh and commit it" >&2
    exit 1
fi

printf '#include "steady.h"\n#include "steady.h"\nint main(void) { return STEADY_RESULT_OK; }\n' >"$work/alone.c"
cp "$work/alone.c" "$work/alone.cpp"
flags=(-Wall -Wextra -Wpedantic -Werror -I"$root/include" -fsyntax-only)
gcc -std=c11 "${flags[@]}" "$work/alone.c"
g++ -std=c++17 "${flags[@]}" "$work/alone.cpp"
echo "check-header: include/steady.h is current and compiles as C11 and C++17"
