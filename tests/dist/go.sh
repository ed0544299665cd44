#!/usr/bin/env bash
# Uses the Go package as a user would before it is published: installs libsteady into a
# temporary prefix (packaging/install.sh --rpath), writes a separate module in a temporary
# directory that requires steady.dev/steady (replace → this checkout's go/ directory) and holds
# go/example/main.go's code, then builds and runs it against the local broker with nothing but
# PKG_CONFIG_PATH pointing at the prefix: the loader finds libsteady.so.0 through the rpath
# that steady.pc's Libs carries. It also runs the package's broker-free tests from that module.
# The Go build cache is a fresh one, as on a new machine: Go does not key its cache on
# pkg-config's output (golang/go#24544), so a shared cache would hand back the package as
# compiled against another prefix.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
start=$SECONDS
work="$(mktemp -d "${TMPDIR:-/tmp}/steady-dist-go.XXXXXX")"
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
app="$work/app"
fail() { echo "dist-go: $*" >&2; exit 1; }

"$root/packaging/install.sh" --rpath "$prefix"

unset CPATH C_INCLUDE_PATH LIBRARY_PATH LD_LIBRARY_PATH LD_RUN_PATH PKG_CONFIG_LIBDIR \
    CGO_CFLAGS CGO_CPPFLAGS CGO_LDFLAGS GOFLAGS GOWORK
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
export CGO_ENABLED=1
# A module of its own: no go.work, no parent go.mod; no network. steady has no dependencies;
# its tests' (run below) come from the module cache, checked against steady's go.sum, which
# the module takes over (the checksum database is not asked).
export GOWORK=off GOFLAGS=-mod=mod GOPROXY=off GOCACHE="$work/gocache"

mkdir -p "$app"
cp "$root/go/example/main.go" "$app/main.go"
cat >"$app/go.mod" <<MOD
module example.com/steady-dist-go

go 1.24

require steady.dev/steady v0.0.0

replace steady.dev/steady => $root/go
MOD
cp "$root/go/go.sum" "$app/go.sum"
cd "$app"
go build -o example .
elf="$(readelf -d example)"
dynamic="$(grep -E '\((NEEDED|RUNPATH|RPATH)\)' <<<"$elf")"
echo "dist-go: readelf -d example:"
sed 's/^/    /' <<<"$dynamic"
grep -q 'NEEDED.*\[libsteady\.so\.0\]' <<<"$dynamic" || fail "example does not need libsteady.so.0"
grep -q "RUNPATH.*$prefix/lib" <<<"$dynamic" || fail "example has no runpath to $prefix/lib"
if grep -q "$root/target" <<<"$dynamic"; then
    fail "example refers to the build tree $root/target"
fi

# The package's own tests that need no broker, built from this module.
go test -count=1 -run 'TestSeedDoctorExample|TestCheckMisuse|TestErrorModel' steady.dev/steady

bootstrap="$("$root/tests/kafka/kafka.sh" start | tail -n1 | sed 's/^bootstrap=//')"
topic="steady-dist-go-$$-$(date +%s)"
"$root/tests/kafka/kafka.sh" topic create "$topic" 1
printf 'n:1\tk1\thello\nn:2\tk2\tsteady\nn:3\tk3\tworld\n' | "$root/tests/c/produce.sh" "$bootstrap" "$topic"
echo "dist-go: run example"
./example -bootstrap "$bootstrap" -topic "$topic" -group "$topic" -count 3 | tee example.out
grep -q "@2: world" example.out || fail "example did not consume the topic"
echo "dist-go: passed in $((SECONDS - start)) s"
