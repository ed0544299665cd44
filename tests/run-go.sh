#!/usr/bin/env bash
# Runs the Go binding's tests (go/, cgo over libsteady.so) with the race detector against the
# local broker, then builds and runs the documented example. The package finds libsteady with
# pkg-config, so the library is installed first (packaging/install.sh --rpath) into a prefix in
# the cargo target directory and PKG_CONFIG_PATH points at it; the rpath from steady.pc lets the
# test binaries load libsteady.so.0 from there. Go's build cache does not notice pkg-config's
# output changing (golang/go#24544) and would link a package compiled against another prefix,
# so the prefix's path never changes and the build cache is one of this script's own.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"

tests/c/doc-example.sh docs/go.md go/example/main.go
prefix="$target/steady-prefix/go"
packaging/install.sh --rpath "$prefix"
bootstrap="$(tests/kafka/kafka.sh start | tail -n1 | sed 's/^bootstrap=//')"
export STEADY_BOOTSTRAP="$bootstrap"
export CGO_ENABLED=1
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
export GOCACHE="$target/steady-prefix/go-cache"

cd go
go vet ./...
go test -race -count=1 -v -timeout 20m ./... 2>&1 | tee "$target/go-test.log"
passed=$(grep -c '^--- PASS' "$target/go-test.log" || true)
failed=$(grep -c '^--- FAIL' "$target/go-test.log" || true)

topic="steady-go-example-$$-$(date +%s)"
../tests/kafka/kafka.sh topic create "$topic" 1
printf 'n:1\tk1\thello\nn:2\tk2\tsteady\nn:3\tk3\tworld\n' | ../tests/c/produce.sh "$bootstrap" "$topic"
go build -race -o "$target/steady-go-example" ./example
"$target/steady-go-example" -bootstrap "$bootstrap" -topic "$topic" -group "$topic" -count 3 | tee "$target/go-example.out"
grep -q "@2: world" "$target/go-example.out"
echo "go: $passed passed, $failed failed"
