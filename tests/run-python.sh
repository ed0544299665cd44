#!/usr/bin/env bash
# The Python package's tests, run on what users install: builds the sdist and the abi3
# manylinux wheel into dist/ (the Rust build reuses $CARGO_TARGET_DIR), then installs that wheel
# into fresh virtual environments without a Rust toolchain and runs pytest against the real
# broker on every CPython 3.9-3.13 found (the whole suite on $PYTHON, default python3, with
# mypy --strict on the example and stubtest on the stubs; a smoke subset on the others).
# tests/dist/python.sh does the work.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/tests/dist/python.sh" build
"$ROOT/tests/dist/python.sh" test
