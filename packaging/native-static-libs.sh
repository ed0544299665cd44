#!/usr/bin/env bash
# Prints the native libraries a program linking libsteady.a needs besides it, as linker flags
# (e.g. "-lz -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"): rustc's --print native-static-libs for
# the built steady-ffi crate. It asks rustc about a one-line staticlib over the already built
# rlib, so cargo's own build stays untouched (no rebuild) and the answer is the one rustc gives
# for `cargo rustc -p steady-ffi --crate-type staticlib -- --print native-static-libs`.
# Usage: native-static-libs.sh [TARGET_DIR]   (default $CARGO_TARGET_DIR or ./target; release)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${1:-${CARGO_TARGET_DIR:-$root/target}}"
release="$target/release"
rlib="$release/libsteady.rlib"
if [[ ! -f "$rlib" ]]; then
    echo "native-static-libs: $rlib is missing; run cargo build --release -p steady-ffi" >&2
    exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo 'extern crate steady;' >"$work/probe.rs"
if ! "${RUSTC:-rustc}" --color never --edition 2021 --crate-type staticlib --crate-name probe \
    --print native-static-libs -L "dependency=$release/deps" --extern "steady=$rlib" \
    --out-dir "$work" "$work/probe.rs" 2>"$work/log"; then
    cat "$work/log" >&2
    echo "native-static-libs: rustc failed" >&2
    exit 1
fi
libs="$(sed -n 's/^note: native-static-libs: //p' "$work/log")"
if [[ -z "$libs" ]]; then
    echo "native-static-libs: rustc printed no native-static-libs" >&2
    exit 1
fi
printf '%s\n' "$libs"
