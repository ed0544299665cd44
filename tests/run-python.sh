#!/usr/bin/env bash
# The Python package's tests: builds and installs python/ into a fresh virtual environment
# (the Rust build reuses $CARGO_TARGET_DIR), runs pytest against the real broker, then
# type-checks the example with mypy --strict and the stubs with stubtest.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
PYTHON=${PYTHON:-python3}
VENV=$CARGO_TARGET_DIR/pyvenv

echo "run-python: fresh virtual environment in $VENV"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV" || {
    echo "run-python: '$PYTHON -m venv' failed (on Debian: apt-get install python3-venv)" >&2
    exit 1
}
PY=$VENV/bin/python
"$PY" -m pip install -q -r python/requirements-test.txt
echo "run-python: pip install ./python (maturin, release build in $CARGO_TARGET_DIR)"
"$PY" -m pip install -q ./python

bootstrap=$(tests/kafka/kafka.sh start | tail -n1)
export STEADY_BOOTSTRAP=${bootstrap#bootstrap=}
echo "run-python: broker at $STEADY_BOOTSTRAP"

# Caches go to the virtual environment, not the source tree.
export MYPY_CACHE_DIR=$VENV/mypy-cache HYPOTHESIS_STORAGE_DIRECTORY=$VENV/hypothesis
cd python
"$PY" -m pytest -p no:cacheprovider -ra tests
"$PY" -m mypy --strict examples/quickstart.py
(cd "$VENV" && "$PY" -m mypy.stubtest steady) # stubtest keeps its cache in the working directory
echo "run-python: all passed"
