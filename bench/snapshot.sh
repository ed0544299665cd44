#!/usr/bin/env bash
# Copies what the benchmarks use of steady into $CARGO_TARGET_DIR/bench/snap, so that every
# run of one `make bench` uses the same build, whatever is rebuilt meanwhile: libsteady.so,
# the steady CLI, the header, the Go and Java bindings' sources, the Python wheel, and
# librdkafka.a (with the OpenSSL and zstd it was linked with) as rdkafka-sys built it.
#
#   bench/snapshot.sh          from target/release and dist/ (make bench builds first)
#   bench/snapshot.sh --keep   keep an existing snapshot
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [[ ${1:-} == --keep && -f $SNAP/info.json ]]; then
    echo "bench/snapshot.sh: keeping $SNAP ($(cat "$SNAP/info.json"))" >&2
    exit 0
fi
rel=$CARGO_TARGET_DIR/release
for f in "$rel/libsteady.so" "$rel/steady"; do
    [[ -f $f ]] || { echo "bench/snapshot.sh: no $f: run make build first" >&2; exit 1; }
done
rm -rf "$SNAP" && mkdir -p "$SNAP/rdkafka" "$SNAP/include" "$SNAP/pkgconfig"
cp -p "$rel/libsteady.so" "$rel/steady" "$SNAP/"
ln -s libsteady.so "$SNAP/libsteady.so.0"
cp -p "$ROOT/include/steady.h" "$SNAP/include/"
cp -rp "$ROOT/go" "$SNAP/go"
mkdir -p "$SNAP/java" && cp -rp "$ROOT/java/src/main/java" "$SNAP/java/src"

# librdkafka as rdkafka-sys built it for the release build (the newest such build).
out=$(ls -td "$rel"/build/rdkafka-sys-*/out 2>/dev/null | while read -r d; do
    [[ -f $d/src/librdkafka.a ]] && echo "$d" && break; done)
[[ -n $out ]] || { echo "bench/snapshot.sh: no librdkafka.a under $rel/build" >&2; exit 1; }
ssl=$(ls -td "$rel"/build/openssl-sys-*/out/openssl-build/install/lib 2>/dev/null | head -n1)
zstd=$(ls -td "$rel"/build/zstd-sys-*/out 2>/dev/null | while read -r d; do
    [[ -f $d/libzstd.a ]] && echo "$d" && break; done)
cp -p "$out/src/librdkafka.a" "$out/src/rdkafka.h" "$ssl/libssl.a" "$ssl/libcrypto.a" \
    "$zstd/libzstd.a" "$SNAP/rdkafka/"

cat >"$SNAP/pkgconfig/steady.pc" <<PC
Name: steady
Description: steady (benchmark snapshot)
Version: 0
Cflags: -I$SNAP/include
Libs: -L$SNAP -lsteady -Wl,-rpath,$SNAP
PC

# The Python wheel: dist/'s when it is at least as new as the library, else a fresh build.
wheel=$(ls -t "$ROOT"/dist/steady-*-cp39-abi3-*.whl 2>/dev/null | head -n1 || true)
if [[ -z $wheel || $wheel -ot $rel/libsteady.so ]] && [[ ${STEADY_BENCH_WHEEL_BUILD:-1} == 1 ]]; then
    (cd "$ROOT" && tests/dist/python.sh build) >&2
    wheel=$(ls -t "$ROOT"/dist/steady-*-cp39-abi3-*.whl | head -n1)
fi
cp -p "$wheel" "$SNAP/"
ver=$(grep -m1 'define RD_KAFKA_VERSION ' "$SNAP/rdkafka/rdkafka.h" | awk '{print $3}')
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$ROOT" status --porcelain -- core ffi go java python cli 2>/dev/null | wc -l)
printf '{"commit": "%s", "uncommitted_files_in_core_ffi_bindings": %d, "libsteady_built": "%s", "wheel": "%s", "librdkafka_for_c_peer": "%s"}\n' \
    "$commit" "$dirty" "$(date -u -r "$rel/libsteady.so" +%FT%TZ)" "$(basename "$wheel")" "$ver" \
    >"$SNAP/info.json"
cat "$SNAP/info.json"
