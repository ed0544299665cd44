# Paths shared by bench/run.sh and the per-language build scripts (sourced).
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
# The build outputs and the snapshot of steady's artifacts that every run uses.
BUILD=$CARGO_TARGET_DIR/bench
SNAP=$BUILD/snap
JAVA_HOME=${STEADY_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export JAVA_HOME
mkdir -p "$BUILD"
