#!/usr/bin/env bash
# Compiles Bench.java with the snapshot's steady Java sources (FFM, loads the snapshot's
# libsteady.so through -Dsteady.library) against kafka-clients 4.x from Maven Central.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
out=$BUILD/java
rm -rf "$out/classes" && mkdir -p "$out/classes" "$out/lib"
if ! ls "$out"/lib/kafka-clients-*.jar >/dev/null 2>&1; then
    mvn -B -ntp -q -f "$BENCH/java/pom.xml" dependency:copy-dependencies \
        -DoutputDirectory="$out/lib" -DincludeScope=runtime
fi
"$JAVA_HOME/bin/javac" -nowarn -d "$out/classes" -cp "$out/lib/*" \
    $(find "$SNAP/java/src" -name '*.java' ! -name module-info.java) "$BENCH/java/Bench.java"
echo "$out"
