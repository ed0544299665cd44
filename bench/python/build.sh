#!/usr/bin/env bash
# A virtual environment with the snapshot's steady wheel and confluent-kafka from PyPI.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
CONFLUENT_KAFKA=${CONFLUENT_KAFKA:-confluent-kafka==2.16.1}
venv=$BUILD/python
wheel=$(ls "$SNAP"/steady-*.whl)
stamp="$(basename "$wheel") $(stat -c %Y "$wheel") $CONFLUENT_KAFKA"
if [[ $(cat "$venv/stamp" 2>/dev/null) != "$stamp" ]]; then
    rm -rf "$venv"
    "${PYTHON:-python3}" -m venv "$venv"
    "$venv/bin/pip" install -q --only-binary :all: "$CONFLUENT_KAFKA"
    "$venv/bin/pip" install -q --no-index "$wheel"
    echo "$stamp" >"$venv/stamp"
fi
echo "$venv/bin/python"
