#!/usr/bin/env bash
# Builds bench-c: steady's C ABI (libsteady.so of the snapshot bench/run.sh takes) and a plain
# librdkafka loop (librdkafka.a as rdkafka-sys built it, with its OpenSSL and zstd), one binary.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
rk=$SNAP/rdkafka
gcc -std=gnu11 -O2 -Wall -o "$BUILD/bench-c" "$BENCH/c/bench.c" \
    -I"$rk" -I"$ROOT/include" \
    "$rk/librdkafka.a" "$rk/libssl.a" "$rk/libcrypto.a" "$rk/libzstd.a" \
    -L"$SNAP" -lsteady -Wl,-rpath,"$SNAP" -lz -lm -ldl -lpthread -lrt
echo "$BUILD/bench-c"
