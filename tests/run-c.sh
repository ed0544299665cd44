#!/usr/bin/env bash
# Builds the C tests against libsteady.a and libsteady.so with AddressSanitizer and
# UndefinedBehaviorSanitizer, runs them and the documented example against the local broker,
# then runs the tests once more under valgrind (shared library, no sanitizer). The library is
# linked as users link it: installed by packaging/install.sh (with --rpath, so the programs find
# libsteady.so.0 there) into a prefix in the cargo target directory, flags from pkg-config
# (steady.pc for the shared library, steady-static.pc for libsteady.a).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
prefix="$target/steady-prefix/c"
build="$root/tests/c/build"
mkdir -p "$build"

tests/c/doc-example.sh docs/c.md tests/c/example.c
packaging/install.sh --rpath "$prefix"
pc() { PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config "$@"; }

warn=(-std=c11 -Wall -Wextra -Wpedantic -Werror -g)
san=(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
tests=(tests/c/harness.c tests/c/test_doctor.c tests/c/test_consumer.c tests/c/test_misuse.c
       tests/c/test_semantics.c tests/c/test_bulk.c tests/c/test_fatal.c tests/c/test_events.c
       tests/c/test_logging.c tests/c/test_retries.c tests/c/test_security.c)
read -ra static <<<"$(pc --cflags --libs steady-static)"
read -ra shared <<<"$(pc --cflags --libs steady)"
shared+=(-lpthread)

gcc "${warn[@]}" "${san[@]}" "${tests[@]}" "${static[@]}" -o "$build/test-static"
gcc "${warn[@]}" "${san[@]}" "${tests[@]}" "${shared[@]}" -o "$build/test-shared"
gcc "${warn[@]}" "${tests[@]}" "${shared[@]}" -o "$build/test-valgrind"
gcc "${warn[@]}" "${san[@]}" tests/c/example.c "${shared[@]}" -o "$build/example"
for bin in test-static test-shared example; do
    if ! nm "$build/$bin" | grep -c __asan_init >/dev/null; then
        echo "run-c: $bin is not built with AddressSanitizer" >&2
        exit 1
    fi
done

bootstrap="$(tests/kafka/kafka.sh start | tail -n1 | sed 's/^bootstrap=//')"
suffix="$$-$(date +%s)"
export STEADY_BOOTSTRAP="$bootstrap"
export STEADY_TOPIC_SLOW="steady-c-slow-$suffix"
export STEADY_TOPIC_EMPTY="steady-c-empty-$suffix"
export STEADY_TOPIC_SEMANTICS="steady-c-semantics-$suffix"
export STEADY_TOPIC_FENCED="steady-c-fenced-$suffix"
export STEADY_TOPIC_EVENTS="steady-c-events-$suffix"
export STEADY_TOPIC_LOGGING="steady-c-logging-$suffix"
export STEADY_TOPIC_BULK="steady-c-bulk-$suffix"
export STEADY_TOPIC_RETRIES="steady-c-retries-$suffix"
export STEADY_TOPIC_DLQ="steady-c-dlq-$suffix"
export STEADY_EVENTS_RECORDS=400
export STEADY_SLOW_RECORDS=2
example_topic="steady-c-example-$suffix"
for topic in "$STEADY_TOPIC_SLOW" "$STEADY_TOPIC_EMPTY" "$STEADY_TOPIC_SEMANTICS" \
    "$STEADY_TOPIC_FENCED" "$STEADY_TOPIC_LOGGING" "$STEADY_TOPIC_BULK" "$STEADY_TOPIC_RETRIES" \
    "$STEADY_TOPIC_DLQ" "$example_topic"; do
    tests/kafka/kafka.sh topic create "$topic" 1
done
tests/kafka/kafka.sh topic create "$STEADY_TOPIC_EVENTS" 4
printf 'trace:a\tk1\tslow-1\ntrace:b\tk2\tslow-2\n' | tests/c/produce.sh "$bootstrap" "$STEADY_TOPIC_SLOW"
printf 'h:1\tk1\tv1\nh:2\tk2\tv2\n' | tests/c/produce.sh "$bootstrap" "$STEADY_TOPIC_SEMANTICS"
for i in 0 1 2 3 4; do printf 'b:%d\tk%d\tv%d\n' "$i" "$i" "$i"; done |
    tests/c/produce.sh "$bootstrap" "$STEADY_TOPIC_BULK"
printf 'r:1\tk1\tretry-me\nr:2\tk2\treject-me\n' | tests/c/produce.sh "$bootstrap" "$STEADY_TOPIC_RETRIES"
printf 'n:1\tk1\tfenced\n' | tests/c/produce.sh "$bootstrap" "$STEADY_TOPIC_FENCED"
printf 'l:1\tk1\tlogged-1\nl:2\tk2\tlogged-2\n' | tests/c/produce.sh "$bootstrap" "$STEADY_TOPIC_LOGGING"
# The event scenario's records: payload = sequence number, keys spread them over 4 partitions.
for ((i = 0; i < STEADY_EVENTS_RECORDS; i++)); do printf 's:%d\tk%d\t%d\n' "$i" "$i" "$i"; done |
    tests/c/produce.sh "$bootstrap" "$STEADY_TOPIC_EVENTS"
printf 'n:1\tk1\thello\nn:2\tk2\tsteady\nn:3\tk3\tworld\n' | tests/c/produce.sh "$bootstrap" "$example_topic"

# The secure broker (an SSL and a SASL_SSL listener, a SCRAM user), shared with the other suites.
secure="$(tests/kafka/kafka.sh start --instance secure --secure)"
line() { sed -n "s/^$1=//p" <<<"$secure"; }
export STEADY_SECURE_SSL="$(line ssl)" STEADY_SECURE_SASL_SSL="$(line sasl_ssl)"
export STEADY_SECURE_CA="$(line ca)" STEADY_SECURE_USER="$(line sasl.username)"
export STEADY_SECURE_PASSWORD="$(line sasl.password)"
export STEADY_SECURE_TOPIC="steady-c-secure-$suffix" STEADY_SECURE_RECORDS=20
tests/kafka/kafka.sh topic create "$STEADY_SECURE_TOPIC" 2 --instance secure
for ((i = 0; i < STEADY_SECURE_RECORDS; i++)); do printf 's:%d\tk%d\t%d\n' "$i" "$i" "$i"; done |
    tests/c/produce.sh "$(line bootstrap)" "$STEADY_SECURE_TOPIC"

# Full unwinding: the Rust frames have no frame pointers, and lsan.supp matches one of them.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS="suppressions=$root/tests/c/lsan.supp:print_suppressions=0"
echo "run-c: static library, ASan+UBSan"
"$build/test-static"
echo "run-c: shared library, ASan+UBSan"
"$build/test-shared"
echo "run-c: example"
"$build/example" "$bootstrap" "$example_topic" "steady-c-example-$suffix" 3 | tee "$build/example.out"
grep -q "@2: world" "$build/example.out"

echo "run-c: shared library under valgrind"
valgrind --leak-check=full --error-exitcode=1 --errors-for-leak-kinds=definite,indirect,possible \
    --show-leak-kinds=definite,indirect,possible --suppressions=tests/c/valgrind.supp \
    "$build/test-valgrind"
