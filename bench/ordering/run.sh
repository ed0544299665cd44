#!/usr/bin/env bash
# steady.ordering with slow handlers on 16 threads (bench/README.md, section 5): the Rust
# benchmark (`steady bench-ordering`, from the snapshot) and the same from Python
# (python_bench.py, in the venv of bench/python/build.sh), on the broker instance "bench".
#
#   bench/ordering/run.sh BOOTSTRAP [--rounds N] [--out DIR]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT"
bootstrap=$1
shift
rounds=3
out=bench/results
while (($#)); do
    case $1 in
        --rounds) rounds=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        *) echo "bench/ordering/run.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
mkdir -p "$out"
"$SNAP/steady" bench-ordering --bootstrap-servers "$bootstrap" --rounds "$rounds" \
    --out "$out/ordering-rust.json"
if [[ -f bench/ordering/python_bench.py ]]; then
    python=$(bench/python/build.sh)
    "$python" bench/ordering/python_bench.py --bootstrap "$bootstrap" --rounds "$rounds" \
        --out "$out/ordering-python.json"
fi
