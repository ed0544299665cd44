#!/usr/bin/env bash
# steady against each language's usual Kafka consumer (bench/README.md).
#
#   bench/run.sh [--quick] [driver options: --only c,go,java,python,rust --parts
#                throughput,latency,goodput --rounds N --configs same,defaults,librdkafka_backoff]
#
# Starts (or reuses) the broker instance "bench" of tests/kafka/kafka.sh, snapshots steady's
# build (bench/snapshot.sh; STEADY_BENCH_KEEP_SNAPSHOT=1 keeps an existing one), builds the
# programs of bench/c, bench/go, bench/java and bench/python, creates the topics once, then
# runs bench/driver.py, then bench/ordering/run.sh (not when --only or --parts narrow the
# run): results in bench/results/ (--quick: bench/results/quick/).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
say() { echo "bench/run.sh: $*" >&2; }

records=1000000
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    [[ ${args[i]} == --records ]] && records=${args[i + 1]}
done

bootstrap=$(tests/kafka/kafka.sh start --instance bench | tail -n1 | sed 's/^bootstrap=//')
say "broker at $bootstrap"
if [[ ${STEADY_BENCH_KEEP_SNAPSHOT:-0} == 1 ]]; then
    bench/snapshot.sh --keep
else
    bench/snapshot.sh
fi
for lang in c go java python; do
    say "building bench/$lang"
    "bench/$lang/build.sh" >"$BUILD/build-$lang.log" 2>&1 || { cat "$BUILD/build-$lang.log" >&2; exit 1; }
done

# The topics: steady bench's throughput topic (created and filled once, reused after), the
# goodput topic (more records than any reader finishes) and an empty one for the latency runs.
for spec in "$records" 30000; do
    "$SNAP/steady" bench --bootstrap-servers "$bootstrap" --records "$spec" --size 100 \
        --partitions 12 --reader plain --runs 0 | sed -n 1,2p >&2
done
tests/kafka/kafka.sh topic create steady-bench-latency-p12 12 --instance bench >/dev/null 2>&1 || true

python3 bench/driver.py --bootstrap "$bootstrap" "$@"

# steady.ordering's benchmark, unless the run was narrowed to some languages or parts.
ordering=(--rounds 3)
for a in "${args[@]}"; do
    case $a in
        --only | --parts) exit 0 ;;
        --quick) ordering=(--rounds 1 --out bench/results/quick) ;;
    esac
done
bench/ordering/run.sh "$bootstrap" "${ordering[@]}"
