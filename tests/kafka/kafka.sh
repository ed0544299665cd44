#!/usr/bin/env bash
# Real Apache Kafka brokers on 127.0.0.1 for the tests and the demo (see README.md).
# The jars come from Maven Central on first use and are cached in tests/kafka/.cache.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=$HERE/.cache
RUN=$HERE/run
DEFAULT_VERSION=4.1.1
START_TIMEOUT=${KAFKA_START_TIMEOUT:-90}
STOP_TIMEOUT=${KAFKA_STOP_TIMEOUT:-30}
TOPIC_TIMEOUT=${KAFKA_TOPIC_TIMEOUT:-60}

usage() {
    cat >&2 <<'EOF'
usage: kafka.sh COMMAND [--instance NAME] [--version VERSION]

  start       start the broker (idempotent); the last line printed is bootstrap=127.0.0.1:PORT
  stop        stop the broker and delete its data
  kill        stop the broker but keep its data (start or resume brings it back)
  resume      same as start: restarts a killed broker on its port with its data
  restart     kill, then start again on the same port with the same data
  stop-all    stop every broker and delete all their data
  topic create NAME PARTITIONS   create a topic (also: topic NAME PARTITIONS)
  api-versions                   print the broker's ApiVersions answer: "api_key min max" lines

  --instance NAME   a separate broker with its own data and ports (default: "default",
                    or "kafka-VERSION" with --version)
  --version V       Apache Kafka version: 4.x (KRaft, default 4.1.1), 0.10.0.1 or 0.10.2.2
                    (ZooKeeper-based)
EOF
    exit 2
}

say() { echo "kafka.sh: $*" >&2; }
# fail CODE MESSAGE: print MESSAGE to stderr and exit with CODE.
fail() {
    local code=$1
    shift
    say "$*"
    exit "$code"
}

# ---------------------------------------------------------------- arguments

COMMAND=${1:-}
[[ -n $COMMAND ]] || usage
shift
INSTANCE=""
VERSION=""
POSITIONAL=()
while (($#)); do
    case $1 in
        --instance) INSTANCE=${2:?--instance needs a name}; shift 2 ;;
        --instance=*) INSTANCE=${1#*=}; shift ;;
        --version) VERSION=${2:?--version needs a version}; shift 2 ;;
        --version=*) VERSION=${1#*=}; shift ;;
        -h | --help) usage ;;
        *) POSITIONAL+=("$1"); shift ;;
    esac
done

# ---------------------------------------------------------------- instances

# Kafka line of a version: "kraft" for 4.x, "zk" for the 0.10 brokers.
kafka_line() {
    case $1 in
        4.*) echo kraft ;;
        0.10.0.1 | 0.10.2.2) echo zk ;;
        *) fail 2 "unsupported Kafka version '$1' (supported: 4.x, 0.10.0.1, 0.10.2.2)" ;;
    esac
}

# Preferred first port of an instance: fixed for the well-known ones, hashed for others.
preferred_port() {
    case $1 in
        default) echo 19092 ;;
        kafka-0.10.0.1) echo 19100 ;;
        kafka-0.10.2.2) echo 19110 ;;
        *) echo $((20000 + ($(printf '%s' "$1" | cksum | cut -d' ' -f1) % 2000) * 2)) ;;
    esac
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# True when PORT is recorded by an instance other than $INSTANCE.
port_claimed() {
    local f
    for f in "$RUN"/*/instance.env; do
        [[ -e $f && $f != "$DIR/instance.env" ]] || continue
        grep -qE "^(PORT|AUX_PORT)=$1\$" "$f" && return 0
    done
    return 1
}

# Sets PORT (the Kafka listener) and AUX_PORT (KRaft controller or ZooKeeper) for a new instance:
# the preferred pair, or the next free pair when something else holds it.
choose_ports() {
    local port
    port=$(preferred_port "$INSTANCE")
    for _ in $(seq 1 200); do
        if ! port_in_use "$port" && ! port_in_use $((port + 1)) &&
            ! port_claimed "$port" && ! port_claimed $((port + 1)); then
            PORT=$port
            AUX_PORT=$((port + 1))
            return
        fi
        port=$((port + 2))
        ((port < 24000)) || port=20000
    done
    fail 1 "no free port pair found for instance '$INSTANCE'"
}

resolve_instance() {
    [[ -n $INSTANCE ]] || if [[ -n $VERSION ]]; then INSTANCE=kafka-$VERSION; else INSTANCE=default; fi
    [[ $INSTANCE =~ ^[A-Za-z0-9._-]+$ ]] || fail 2 "bad instance name '$INSTANCE' (letters, digits, . _ - only)"
    DIR=$RUN/$INSTANCE
    PORT=""
    AUX_PORT=""
    if [[ -f $DIR/instance.env ]]; then
        local recorded
        recorded=$(sed -n 's/^VERSION=//p' "$DIR/instance.env")
        if [[ -n $VERSION && $VERSION != "$recorded" ]]; then
            fail 2 "instance '$INSTANCE' holds Kafka $recorded, not $VERSION: stop it first"
        fi
        VERSION=$recorded
        PORT=$(sed -n 's/^PORT=//p' "$DIR/instance.env")
        AUX_PORT=$(sed -n 's/^AUX_PORT=//p' "$DIR/instance.env")
    fi
    VERSION=${VERSION:-$DEFAULT_VERSION}
    LINE=$(kafka_line "$VERSION")
    LIBS=$CACHE/$VERSION
}

# Serialises commands on one instance (and on the jar cache) between concurrent callers.
lock() {
    mkdir -p "$RUN"
    exec 9>"$RUN/.$INSTANCE.lock"
    flock -w 300 9 || fail 1 "instance '$INSTANCE' is locked by another kafka.sh for over 300 s"
}

# ---------------------------------------------------------------- processes

# PID stored in pid file $1 when that process is alive and runs from this instance's directory.
live_pid() {
    local pid
    pid=$(cat "$DIR/$1.pid" 2>/dev/null) || return 1
    [[ -n $pid ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$DIR/" && echo "$pid"
}

# Stops the process of pid file $1: TERM, a bounded wait, then KILL.
stop_process() {
    local pid
    pid=$(live_pid "$1") || { rm -f "$DIR/$1.pid"; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((STOP_TIMEOUT * 10))); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "$1 of '$INSTANCE' did not stop within ${STOP_TIMEOUT}s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
    rm -f "$DIR/$1.pid"
}

# Starts a JVM in the background, detached from the caller's terminal and pipes.
# spawn NAME LOGFILE JAVA ARGS...
spawn() {
    local name=$1 logfile=$2
    shift 2
    setsid "$@" </dev/null >"$logfile" 2>&1 9>&- &
    echo $! >"$DIR/$name.pid"
}

show_log_tail() {
    local f
    for f in "$DIR"/logs/*.log; do
        [[ -s $f ]] || continue
        echo "----- last lines of $f" >&2
        tail -n 40 "$f" >&2
    done
}

# ---------------------------------------------------------------- protocol check

# Sends an ApiVersions v0 request to 127.0.0.1:PORT and prints the raw answer as hex
# (without the 4-byte size); fails when nothing sensible comes back.
api_versions_hex() {
    local port=$1 size hex
    exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
    # size 18 | api_key 18 | version 0 | correlation id 1 | client id "kafka.sh"
    printf '\x00\x00\x00\x12\x00\x12\x00\x00\x00\x00\x00\x01\x00\x08kafka.sh' >&3
    size=$(timeout 5 head -c 4 <&3 | od -An -tu1 | awk '{print $1*16777216+$2*65536+$3*256+$4}')
    if [[ -z $size ]] || ((size < 6 || size > 65536)); then
        exec 3<&-
        return 1
    fi
    hex=$(timeout 5 head -c "$size" <&3 | od -An -v -tx1 | tr -d ' \n')
    exec 3<&-
    # correlation id 1, error code 0
    [[ ${#hex} -eq $((size * 2)) && ${hex:0:12} == 000000010000 ]] || return 1
    echo "$hex"
}

broker_answers() { api_versions_hex "$PORT" >/dev/null 2>&1; }

# Prints "api_key min max" for each API the broker announces.
print_api_versions() {
    local hex count i off
    hex=$(api_versions_hex "$PORT") || fail 1 "broker of '$INSTANCE' on port $PORT did not answer ApiVersions"
    count=$((16#${hex:12:8}))
    for ((i = 0; i < count; i++)); do
        off=$((20 + i * 12))
        echo "$((16#${hex:off:4})) $((16#${hex:off+4:4})) $((16#${hex:off+8:4}))"
    done
}

# ---------------------------------------------------------------- jars and Java

# Downloads the jars of $VERSION into $LIBS once; later starts use them offline.
fetch_jars() {
    [[ -f $LIBS/.complete ]] && return 0
    mkdir -p "$CACHE"
    exec 8>"$CACHE/.lock"
    flock -w 900 8 || fail 1 "the jar cache is locked by another kafka.sh for over 900 s"
    if [[ ! -f $LIBS/.complete ]]; then
        say "downloading Apache Kafka $VERSION jars from Maven Central into $LIBS (first start only)"
        local tmp=$LIBS.tmp
        rm -rf "$tmp" "$LIBS"
        mkdir -p "$tmp"
        if ! mvn -q -B -Dstyle.color=never -f "$HERE/pom.xml" -P "$LINE" -Dkafka.version="$VERSION" \
            dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" >&2; then
            rm -rf "$tmp"
            fail 1 "could not download Apache Kafka $VERSION from Maven Central (see the Maven output above)"
        fi
        touch "$tmp/.complete"
        mv "$tmp" "$LIBS"
        say "jars cached in $LIBS"
    fi
    exec 8>&-
}

# The Java 17 runtime that Apache Kafka 4.x runs on.
java17() {
    local j
    for j in "${KAFKA_JAVA:-}" /usr/lib/jvm/java-17-openjdk-amd64/bin/java "$(command -v java || true)"; do
        [[ -n $j && -x $j ]] || continue
        if "$j" -version 2>&1 | grep -qE 'version "(1[7-9]|2[0-9])'; then
            echo "$j"
            return
        fi
    done
    fail 3 "cannot run Kafka $VERSION here: no Java 17 or newer found"
}

# JVM options of the short-lived command-line tools: start-up time matters, not peak speed.
TOOL_JVM_OPTS=(-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto)

# ---------------------------------------------------------------- KRaft broker (4.x)

write_kraft_config() {
    cat >"$DIR/server.properties" <<EOF
# Apache Kafka $VERSION, one combined broker and controller for tests (written by kafka.sh)
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$AUX_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$AUX_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DIR/data
num.network.threads=2
num.io.threads=4
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
auto.create.topics.enable=false
group.initial.rebalance.delay.ms=0
group.coordinator.rebalance.protocols=classic,consumer
EOF
}

# A random KRaft cluster id: 16 bytes in URL-safe base64 that does not start with '-'.
new_cluster_id() {
    local id
    while :; do
        id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
        [[ $id != -* ]] && echo "$id" && return
    done
}

# JVM options of the broker.
BROKER_JVM_OPTS=(-Xms256m -Xmx768m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true)

# Logging options of the KRaft broker and its storage tool: into the instance's logs/server.log.
kraft_log_opts() {
    echo -Dkafka.logs.dir="$DIR/logs" -Dlog4j2.configurationFile="$HERE/log4j2.properties"
}

start_kraft() {
    local java
    java=$(java17)
    if [[ ! -f $DIR/data/meta.properties ]]; then
        write_kraft_config
        # shellcheck disable=SC2046
        "$java" "${TOOL_JVM_OPTS[@]}" $(kraft_log_opts) -cp "$LIBS/*" kafka.tools.StorageTool format \
            -t "$(new_cluster_id)" -c "$DIR/server.properties" >"$DIR/logs/format.log" 2>&1 ||
            { show_log_tail; fail 1 "formatting the KRaft log directory of '$INSTANCE' failed"; }
    fi
    # shellcheck disable=SC2046
    spawn broker "$DIR/logs/broker.out.log" "$java" "${BROKER_JVM_OPTS[@]}" $(kraft_log_opts) -cp "$LIBS/*" \
        kafka.Kafka "$DIR/server.properties"
}

# ---------------------------------------------------------------- commands

# Waits until the broker answers ApiVersions; fails with its log tail otherwise.
await_broker() {
    local deadline=$((SECONDS + START_TIMEOUT))
    while ((SECONDS < deadline)); do
        broker_answers && return 0
        if ! live_pid broker >/dev/null; then
            show_log_tail
            fail 1 "the Kafka $VERSION broker of '$INSTANCE' exited during start-up"
        fi
        sleep 0.25
    done
    show_log_tail
    stop_all_processes
    fail 1 "the Kafka $VERSION broker of '$INSTANCE' did not answer on 127.0.0.1:$PORT within ${START_TIMEOUT}s"
}

stop_all_processes() {
    stop_process broker
    stop_process zookeeper
}

cmd_start() {
    lock
    if live_pid broker >/dev/null; then
        await_broker
        echo "bootstrap=127.0.0.1:$PORT"
        return
    fi
    stop_all_processes # a ZooKeeper left alone by a broker that died
    [[ -n $PORT ]] || choose_ports
    if port_in_use "$PORT" || port_in_use "$AUX_PORT"; then
        fail 1 "port $PORT or $AUX_PORT of instance '$INSTANCE' is taken by another program"
    fi
    fetch_jars
    mkdir -p "$DIR/logs"
    printf 'VERSION=%s\nPORT=%s\nAUX_PORT=%s\n' "$VERSION" "$PORT" "$AUX_PORT" >"$DIR/instance.env"
    say "starting Apache Kafka $VERSION '$INSTANCE' on 127.0.0.1:$PORT (logs in $DIR/logs)"
    "start_$LINE"
    await_broker
    echo "bootstrap=127.0.0.1:$PORT"
}

cmd_kill() {
    lock
    stop_all_processes
}

cmd_stop() {
    lock
    stop_all_processes
    rm -rf "$DIR"
}

cmd_stop_all() {
    local d
    for d in "$RUN"/*/; do
        [[ -d $d ]] || continue
        "$HERE/kafka.sh" stop --instance "$(basename "$d")"
    done
}

cmd_topic() {
    [[ ${POSITIONAL[0]:-} == create ]] && POSITIONAL=("${POSITIONAL[@]:1}")
    ((${#POSITIONAL[@]} == 2)) || usage
    local name=${POSITIONAL[0]} partitions=${POSITIONAL[1]}
    [[ $partitions =~ ^[1-9][0-9]*$ ]] || fail 2 "partitions must be a positive number, got '$partitions'"
    live_pid broker >/dev/null || fail 1 "broker '$INSTANCE' is not running: run kafka.sh start first"
    local out
    if ! out=$(timeout "$TOPIC_TIMEOUT" "$(java17)" "${TOOL_JVM_OPTS[@]}" -cp "$LIBS/*" \
        -Dlog4j2.configurationFile="$HERE/log4j2-tools.properties" org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$PORT" --create \
        --topic "$name" --partitions "$partitions" --replication-factor 1 2>&1); then
        echo "$out" >&2
        fail 1 "could not create topic '$name' with $partitions partitions on 127.0.0.1:$PORT"
    fi
    echo "$out"
}

case $COMMAND in
    start | resume) resolve_instance; cmd_start ;;
    stop) resolve_instance; cmd_stop ;;
    kill) resolve_instance; cmd_kill ;;
    restart) resolve_instance; cmd_kill; cmd_start ;;
    stop-all) cmd_stop_all ;;
    topic) resolve_instance; cmd_topic ;;
    api-versions) resolve_instance; print_api_versions ;;
    *) usage ;;
esac
