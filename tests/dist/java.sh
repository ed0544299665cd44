#!/usr/bin/env bash
# Uses the Java package as a user would: `mvn install` in java/ puts dev.steady:steady:VERSION
# (libsteady for linux-x86_64 inside) into the local Maven repository; a separate Maven project
# (tests/dist/java-app, copied to a temporary directory, plus the documented example
# java/src/test/java/dev/steady/Example.java as app.Example) depends on it from there, and
# runs the example against the local broker on Java 25 with no -D flag and no native-access
# flag:
#   java -jar app.jar        the app's manifest has Enable-Native-Access: ALL-UNNAMED: no warning
#   java -cp app.jar:steady.jar app.Example     runs; the JVM warns about native access
#   java -p app.jar:lib -m app/app.Example      runs as modules; the JVM warns likewise
# The three start at once on an empty cache, so they extract the library concurrently. Then:
# the cached copy is reused, the manifest's grant holds under --illegal-native-access=deny
# (restricted methods blocked, as a future JDK will by default), the flags
# --enable-native-access=ALL-UNNAMED (class path) and =dev.steady (module path) silence the
# warning, and -Dsteady.library still overrides the bundled copy.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
start=$SECONDS
target="${CARGO_TARGET_DIR:-$root/target}"
export JAVA_HOME="${STEADY_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
java="$JAVA_HOME/bin/java"
work="$(mktemp -d "${TMPDIR:-/tmp}/steady-dist-java.XXXXXX")"
trap 'rm -rf "$work"' EXIT
fail() { echo "dist-java: $*" >&2; exit 1; }
# Nothing may reach the JVMs but their command lines.
unset LD_LIBRARY_PATH JAVA_TOOL_OPTIONS JDK_JAVA_OPTIONS _JAVA_OPTIONS CLASSPATH

# One version everywhere: the crates', the Java package's, the one the app depends on.
version="$(awk '/^\[workspace.package\]/ { on = 1; next } /^\[/ { on = 0 }
    on && $1 == "version" { gsub(/"/, "", $3); print $3 }' "$root/Cargo.toml")"
pom_version="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$root/java/pom.xml" | head -n1)"
app_version="$(grep -A2 '<artifactId>steady</artifactId>' "$root/tests/dist/java-app/pom.xml" |
    sed -n 's:.*<version>\(.*\)</version>.*:\1:p')"
[[ -n $version && $pom_version == "$version" && $app_version == "$version" ]] ||
    fail "versions differ: Cargo.toml '$version', java/pom.xml '$pom_version', java-app '$app_version'"

# The package, as `make dist` builds it.
cd "$root"
t0=$SECONDS
cargo build --release -p steady-ffi
(cd "$root/java" && mvn -B -ntp -q install -DskipTests -Dsteady.native="$target/release/libsteady.so")
jar="$root/java/target/steady-$version.jar"
installed="$HOME/.m2/repository/dev/steady/steady/$version/steady-$version.jar"
cmp -s "$jar" "$installed" || fail "$installed is not the JAR just built"
echo "dist-java: built and installed dev.steady:steady:$version in $((SECONDS - t0)) s:" \
    "$(du -k "$jar" | cut -f1) KiB"
"$JAVA_HOME/bin/jar" tf "$jar" | grep native | sed 's/^/    /'
entries="$("$JAVA_HOME/bin/jar" tf "$jar")" # captured: grep -q would close the pipe early
grep -qx 'dev/steady/native/linux-x86_64/libsteady.so' <<<"$entries" ||
    fail "the JAR carries no dev/steady/native/linux-x86_64/libsteady.so"
manifest="$(unzip -p "$jar" META-INF/MANIFEST.MF | tr -d '\r')"
grep -qx 'Enable-Native-Access: ALL-UNNAMED' <<<"$manifest" ||
    fail "the JAR's manifest lacks Enable-Native-Access: ALL-UNNAMED"
module="$("$JAVA_HOME/bin/jar" --describe-module --file "$jar")"
grep -q "^dev.steady@$version " <<<"$module" && grep -qx 'exports dev.steady' <<<"$module" ||
    fail "the JAR is not module dev.steady exporting dev.steady: $module"
unzip -p "$jar" dev/steady/native/linux-x86_64/native.properties >"$work/native.properties"
sha256="$(sed -n 's/^sha256=//p' "$work/native.properties")"
[[ "$(unzip -p "$jar" dev/steady/native/linux-x86_64/libsteady.so | sha256sum | cut -d' ' -f1)" == "$sha256" ]] ||
    fail "the bundled libsteady.so does not match native.properties"
grep -qx "version=$version" "$work/native.properties" || fail "native.properties: $(cat "$work/native.properties")"

# The application: its own project, steady from the local repository only.
t0=$SECONDS
app="$work/app"
cp -r "$root/tests/dist/java-app" "$app"
mkdir -p "$app/src/main/java/app"
sed 's/^package dev\.steady;$/package app;\n\nimport dev.steady.*;/' \
    "$root/java/src/test/java/dev/steady/Example.java" >"$app/src/main/java/app/Example.java"
grep -q '^package app;$' "$app/src/main/java/app/Example.java" || fail "Example.java has no package line to rewrite"
cd "$app"
mvn -B -ntp -q package
cmp -s target/lib/"steady-$version.jar" "$installed" || fail "the app did not get the installed JAR"
echo "dist-java: built the app in $((SECONDS - t0)) s"

bootstrap="$("$root/tests/kafka/kafka.sh" start | tail -n1 | sed 's/^bootstrap=//')"
topic="steady-dist-java-$$-$(date +%s)"
"$root/tests/kafka/kafka.sh" topic create "$topic" 1 >/dev/null
printf 'n:1\tk1\thello\nn:2\tk2\tsteady\nn:3\tk3\tworld\n' | "$root/tests/c/produce.sh" "$bootstrap" "$topic"

# An empty cache of the app's own, instead of ~/.cache.
export XDG_CACHE_HOME="$work/cache"
cached="$XDG_CACHE_HOME/steady/$version-${sha256:0:16}/libsteady.so"
warning='WARNING: A restricted method in java.lang.foreign.SymbolLookup has been called'
appjar="target/java-app-$version.jar"
run() { # NAME ARGS…: runs the example, output in NAME.out and NAME.err
    local name=$1
    shift
    timeout 120 "$java" "$@" "$bootstrap" "$topic" "$topic-$name" 3 >"$name.out" 2>"$name.err"
}
check() { # NAME: the example consumed the three records
    grep -q "@2: world" "$1.out" || { cat "$1.out" "$1.err" >&2; fail "$1 did not consume the topic"; }
}

t0=$SECONDS
run jar -jar "$appjar" & jar_pid=$!
run classpath -cp "$appjar:target/lib/steady-$version.jar" app.Example & cp_pid=$!
run modules -p "$appjar:target/lib" -m app/app.Example & mp_pid=$!
for job in "jar $jar_pid" "classpath $cp_pid" "modules $mp_pid"; do
    set -- $job
    wait "$2" || { cat "$1.out" "$1.err" >&2; fail "$1 failed"; }
    check "$1"
done
echo "dist-java: three JVMs at once on an empty cache ran the example in $((SECONDS - t0)) s"
grep -q 'WARNING' jar.err && { cat jar.err >&2; fail "java -jar warned: the manifest's grant did not apply"; }
grep -qF "$warning" classpath.err && grep -q 'called by dev.steady.Native in an unnamed module' classpath.err ||
    { cat classpath.err >&2; fail "java -cp: not the expected native-access warning"; }
grep -qF "$warning" modules.err && grep -q 'called by dev.steady.Native in module dev.steady' modules.err ||
    { cat modules.err >&2; fail "java -p: not the expected native-access warning"; }
echo "dist-java: java -jar: no warning; java -cp and java -p: the JVM's warning:"
sed 's/^/    /' classpath.err

[[ "$(find "$XDG_CACHE_HOME" -type f)" == "$cached" ]] ||
    fail "the cache should hold $cached alone: $(find "$XDG_CACHE_HOME" -type f)"
[[ "$(sha256sum "$cached" | cut -d' ' -f1)" == "$sha256" ]] || fail "$cached does not match the bundled library"
inode="$(stat -c %i "$cached")"

# The cached copy is reused; the manifest's grant is real (restricted methods denied otherwise).
run deny --illegal-native-access=deny -jar "$appjar" || { cat deny.out deny.err >&2; fail "java -jar with deny failed"; }
check deny
[[ "$(stat -c %i "$cached")" == "$inode" ]] || fail "the cached library was written again"
run deny-cp --illegal-native-access=deny -cp "$appjar:target/lib/steady-$version.jar" app.Example &&
    fail "java -cp with --illegal-native-access=deny ran: nothing was denied"
grep -q 'IllegalCallerException: Illegal native access from an unnamed module' deny-cp.err ||
    { cat deny-cp.err >&2; fail "java -cp with deny: not the expected IllegalCallerException"; }
echo "dist-java: java --illegal-native-access=deny -jar runs from the cache; -cp is denied"

# The flags that grant native access on the class path and on the module path: no warning.
run grant-cp --enable-native-access=ALL-UNNAMED -cp "$appjar:target/lib/steady-$version.jar" app.Example &
cp_pid=$!
run grant-modules --enable-native-access=dev.steady -p "$appjar:target/lib" -m app/app.Example & mp_pid=$!
for job in "grant-cp $cp_pid" "grant-modules $mp_pid"; do
    set -- $job
    wait "$2" || { cat "$1.out" "$1.err" >&2; fail "$1 failed"; }
    check "$1"
    grep -q 'WARNING' "$1.err" && { cat "$1.err" >&2; fail "$1 warned despite the grant"; }
done
echo "dist-java: --enable-native-access=ALL-UNNAMED -cp and =dev.steady -p: no warning"

# -Dsteady.library overrides the bundled copy.
run override -Dsteady.library="$target/release/libsteady.so" -jar "$appjar" ||
    { cat override.out override.err >&2; fail "-Dsteady.library=$target/release/libsteady.so failed"; }
check override
run missing -Dsteady.library="$work/none/libsteady.so" -jar "$appjar" && fail "-Dsteady.library=missing ran"
grep -qF -- "cannot load -Dsteady.library=$work/none/libsteady.so" missing.err ||
    { cat missing.err >&2; fail "-Dsteady.library=missing: not the expected error"; }
echo "dist-java: -Dsteady.library overrides the bundled library"
echo "dist-java: passed in $((SECONDS - start)) s"
