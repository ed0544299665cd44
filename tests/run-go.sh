#!/usr/bin/env bash
# Runs the Go binding's tests (go/, cgo over libsteady.so) with the race detector against the
# local broker, then builds and runs the documented example.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"

cargo build --release -p steady-ffi
tests/c/doc-example.sh docs/go.md go/example/main.go
bootstrap="$(tests/kafka/kafka.sh start | tail -n1 | sed 's/^bootstrap=//')"
export STEADY_BOOTSTRAP="$bootstrap"
export CGO_ENABLED=1
export CGO_LDFLAGS="-L$target/release -Wl,-rpath,$target/release"
export LD_LIBRARY_PATH="$target/release${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

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
