#!/usr/bin/env bash
# Runs the Java binding's JUnit tests (java/, Maven, Java 25 FFM API) against the local broker,
# including the documented example. The tests load the libsteady the build bundles into the
# classes (-Dsteady.native: the one just built), extracted to java/target/cache, as a JAR would.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
export JAVA_HOME="${STEADY_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"

cargo build --release -p steady-ffi
tests/c/doc-example.sh docs/java.md java/src/test/java/dev/steady/Example.java
bootstrap="$(tests/kafka/kafka.sh start | tail -n1 | sed 's/^bootstrap=//')"

cd java
mvn -B -ntp test \
    -Dsteady.native="$target/release/libsteady.so" \
    -Dsteady.bootstrap="$bootstrap" \
    -Dsteady.kafka.sh="$root/tests/kafka/kafka.sh" \
    -Dsteady.header="$root/include/steady.h"
