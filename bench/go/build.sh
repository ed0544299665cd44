#!/usr/bin/env bash
# Builds bench-go against the snapshot's Go binding and libsteady (pkg-config file of its own)
# and confluent-kafka-go v2 from the Go module proxy (its bundled static librdkafka).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
export CGO_ENABLED=1 PKG_CONFIG_PATH=$SNAP/pkgconfig GOCACHE=$BUILD/go-cache GOFLAGS=-mod=mod
work=$BUILD/go-src
rm -rf "$work" && mkdir -p "$work"
cp "$BENCH/go/main.go" "$BENCH/go/go.mod" "$work/"
[[ -f $BENCH/go/go.sum ]] && cp "$BENCH/go/go.sum" "$work/"
(cd "$work" && go mod edit -replace steady.dev/steady="$SNAP/go" && go mod tidy >/dev/null 2>&1 || true
 cd "$work" && go build -o "$BUILD/bench-go" .)
# Keep go.sum next to the source (the checksums of confluent-kafka-go).
cp "$work/go.sum" "$BENCH/go/go.sum"
echo "$BUILD/bench-go"
