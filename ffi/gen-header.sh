#!/usr/bin/env bash
# Writes the C header of the ffi crate with the pinned cbindgen (installed on first use into
# $CARGO_TARGET_DIR/tools). Usage: ffi/gen-header.sh [OUTPUT]   (default: include/steady.h)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
version=0.29.4
cbindgen="$target/tools/bin/cbindgen"
if ! "$cbindgen" --version 2>/dev/null | grep -qx "cbindgen $version"; then
    echo "installing cbindgen $version into $target/tools" >&2
    cargo install cbindgen --version "$version" --locked --root "$target/tools" \
        --target-dir "$target/tools/build" >&2
fi
out="${1:-$root/include/steady.h}"
"$cbindgen" --quiet --config "$root/ffi/cbindgen.toml" --crate steady-ffi \
    --output "$out" "$root/ffi"
