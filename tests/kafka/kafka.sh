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

# JVM options of the brokers.
BROKER_JVM_OPTS=(-Xms256m -Xmx768m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true)
# JVM options of the short-lived command-line tools: start-up time matters, not peak speed.
TOOL_JVM_OPTS=(-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC)

# shellcheck source=lib/protocol.sh
source "$HERE/lib/protocol.sh"
# shellcheck source=lib/kraft.sh
source "$HERE/lib/kraft.sh"
# shellcheck source=lib/zk.sh
source "$HERE/lib/zk.sh"
# shellcheck source=lib/tls.sh
source "$HERE/lib/tls.sh"

usage() {
    cat >&2 <<'EOF'
usage: kafka.sh COMMAND [--instance NAME] [--version VERSION] [--brokers N] [--broker ID]

  start       start the broker (idempotent); the last line printed is bootstrap=127.0.0.1:PORT
              (a cluster: bootstrap=127.0.0.1:PORT1,127.0.0.1:PORT2,...)
  stop        stop the broker and delete its data
  kill        stop the broker but keep its data (start or resume brings it back)
  resume      same as start: restarts a killed broker on its port with its data
  restart     kill, then start again on the same port with the same data
              (in a cluster, start, resume and restart return once every partition's
              replicas are all in sync again)
  crash       kill -9 the broker (its data stays; start or resume brings it back)
  pause       stop the broker's process with SIGSTOP (it keeps its sockets and answers nothing)
  continue    let a paused broker run again (SIGCONT)
  status      one line per broker: "broker ID PORT running|paused|stopped"
  stop-all    stop every broker and delete all their data
  topic create NAME PARTITIONS   create a topic and wait until it has leaders
                                 (also: topic NAME PARTITIONS); in a cluster every partition
                                 has one replica per broker
  leaders TOPIC                  one line per partition: "PARTITION LEADER_ID"
  coordinator GROUP              the id of the broker that coordinates consumer group GROUP
  api-versions                   print the broker's ApiVersions answer: "api_key min max" lines

  --instance NAME   a separate broker with its own data and ports (default: "default",
                    or "kafka-VERSION" with --version)
  --version V       Apache Kafka version: 4.x (KRaft, default 4.1.1), or 0.10.0.1 / 0.10.2.2
                    (ZooKeeper-based)
  --secure          (start, 4.x, a new instance) also an SSL and a SASL_SSL listener (SCRAM-SHA-512
                    and PLAIN) with a test CA; start prints ssl=, sasl_ssl=, ca=, sasl.username=
                    and sasl.password= lines before the bootstrap line
  --brokers N       (start, 4.x, a new instance) a KRaft cluster of N brokers, each also a
                    controller (replication factor N, min.insync.replicas 2)
  --broker ID       (kill, crash, pause, continue, resume, restart, start) only broker ID (1..N)
EOF
    exit 2
}

say() { echo "kafka.sh: $*" >&2; }

# fail CODE MESSAGE: prints MESSAGE to stderr and exits with CODE.
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
SECURE=0
BROKERS=""
TARGET=""
POSITIONAL=()
while (($#)); do
    case $1 in
        --instance) INSTANCE=${2:?--instance needs a name}; shift 2 ;;
        --instance=*) INSTANCE=${1#*=}; shift ;;
        --version) VERSION=${2:?--version needs a version}; shift 2 ;;
        --version=*) VERSION=${1#*=}; shift ;;
        --secure) SECURE=1; shift ;;
        --brokers) BROKERS=${2:?--brokers needs a number}; shift 2 ;;
        --brokers=*) BROKERS=${1#*=}; shift ;;
        --broker) TARGET=${2:?--broker needs an id}; shift 2 ;;
        --broker=*) TARGET=${1#*=}; shift ;;
        -h | --help) usage ;;
        *) POSITIONAL+=("$1"); shift ;;
    esac
done

# ---------------------------------------------------------------- instances

# Kafka line of a version: "kraft" for 4.x, "zk" for the old ZooKeeper-based brokers.
kafka_line() {
    case $1 in
        4.*) echo kraft ;;
        0.10.0.1 | 0.10.2.2) echo zk ;;
        *) fail 2 "unsupported Kafka version '$1' (supported: 4.x, 0.10.0.1, 0.10.2.2)" ;;
    esac
}

# Preferred listener port of an instance: fixed for the well-known ones, hashed for others;
# all shifted by STEADY_KAFKA_PORT_OFFSET (default 0), so a second checkout can run its own brokers.
preferred_port() {
    local offset=${STEADY_KAFKA_PORT_OFFSET:-0}
    case $1 in
        default) echo $((19092 + offset)) ;;
        kafka-0.10.0.1) echo $((19100 + offset)) ;;
        kafka-0.10.2.2) echo $((19110 + offset)) ;;
        *) echo $((20000 + offset + ($(printf '%s' "$1" | cksum | cut -d' ' -f1) % 2000) * 2)) ;;
    esac
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# True when port $1 is recorded by an instance other than this one.
port_claimed() {
    local f
    for f in "$RUN"/*/instance.env; do
        [[ -e $f && $f != "$DIR/instance.env" ]] || continue
        grep -qE "^(PORT|AUX_PORT|SSL_PORT|SASL_PORT)=$1\$|^CLAIMED=(.* )?$1( |\$)" "$f" && return 0
    done
    return 1
}

# Sets PORT (the Kafka listener) and AUX_PORT (KRaft controller or ZooKeeper) of a new
# instance: the preferred pair, or the next free pair when something else holds it.
choose_ports() {
    local port
    port=$(preferred_port "$INSTANCE")
    local width=$((SECURE ? 4 : 2 * BROKERS)) i free
    for _ in $(seq 1 200); do
        free=1
        for ((i = 0; i < width; i++)); do
            if port_in_use $((port + i)) || port_claimed $((port + i)); then free=0; fi
        done
        if ((free)); then
            PORT=$port
            AUX_PORT=$((port + 1))
            if ((SECURE)); then
                SSL_PORT=$((port + 2))
                SASL_PORT=$((port + 3))
            fi
            return
        fi
        port=$((port + width))
        ((port < 24000 + ${STEADY_KAFKA_PORT_OFFSET:-0})) || port=$((20000 + ${STEADY_KAFKA_PORT_OFFSET:-0}))
    done
    fail 1 "no free port pair found for instance '$INSTANCE'"
}

# Sets INSTANCE, DIR, VERSION, LINE, LIBS, and PORT/AUX_PORT when the instance exists; holds
# the instance's lock from then on.
resolve_instance() {
    if [[ -z $INSTANCE ]]; then
        if [[ -n $VERSION ]]; then INSTANCE=kafka-$VERSION; else INSTANCE=default; fi
    fi
    [[ $INSTANCE =~ ^[A-Za-z0-9._-]+$ ]] || fail 2 "bad instance name '$INSTANCE' (letters, digits, . _ - only)"
    DIR=$RUN/$INSTANCE
    lock
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
        SSL_PORT=$(sed -n 's/^SSL_PORT=//p' "$DIR/instance.env")
        SASL_PORT=$(sed -n 's/^SASL_PORT=//p' "$DIR/instance.env")
        [[ -n $SSL_PORT ]] && SECURE=1
        local brokers
        brokers=$(sed -n 's/^BROKERS=//p' "$DIR/instance.env")
        if [[ -n $BROKERS && $BROKERS != "${brokers:-1}" ]]; then
            fail 2 "instance '$INSTANCE' has ${brokers:-1} broker(s), not $BROKERS: stop it first"
        fi
        BROKERS=${brokers:-1}
    fi
    BROKERS=${BROKERS:-1}
    [[ $BROKERS =~ ^[1-9]$ ]] || fail 2 "--brokers must be a number from 1 to 9, got '$BROKERS'"
    if [[ -n $TARGET && ! ($TARGET =~ ^[1-9]$ && TARGET -le BROKERS) ]]; then
        fail 2 "instance '$INSTANCE' has no broker '$TARGET' (its brokers are 1..$BROKERS)"
    fi
    VERSION=${VERSION:-$DEFAULT_VERSION}
    LINE=$(kafka_line "$VERSION")
    if ((BROKERS > 1)); then
        [[ $LINE == kraft ]] || fail 2 "--brokers needs a 4.x broker"
        ((!SECURE)) || fail 2 "--secure is for a single broker, not with --brokers"
    fi
    # The cache follows pom.xml: a changed dependency list downloads afresh.
    LIBS=$CACHE/$VERSION-$(cksum <"$HERE/pom.xml" | cut -d' ' -f1)
}

# Serialises the commands on one instance between concurrent callers (lock on fd 9).
lock() {
    mkdir -p "$RUN"
    exec 9>"$RUN/.$INSTANCE.lock"
    flock -w 300 9 || fail 1 "instance '$INSTANCE' is locked by another kafka.sh for over 300 s"
}

# ---------------------------------------------------------------- brokers of an instance

# A single broker is broker 1; a cluster's broker I listens on PORT+2(I-1), its controller on
# the port after that, and keeps its files in broker-I/.
broker_port() { echo $((PORT + 2 * ($1 - 1))); }
controller_port() { echo $((PORT + 2 * ($1 - 1) + 1)); }
broker_dir() { if ((BROKERS == 1)); then echo "$DIR"; else echo "$DIR/broker-$1"; fi; }
# The name of broker I's pid file.
broker_process() { if ((BROKERS == 1)); then echo broker; else echo "broker-$1"; fi; }
# The brokers a command acts on: --broker ID, or all of them.
targets() { if [[ -n $TARGET ]]; then echo "$TARGET"; else seq 1 "$BROKERS"; fi; }

# The bootstrap list of every broker of the instance.
bootstrap_list() {
    local i list=""
    for i in $(seq 1 "$BROKERS"); do list+=${list:+,}127.0.0.1:$(broker_port "$i"); done
    echo "$list"
}

# The port of a broker that answers, for the metadata commands; fails when none does.
live_port() {
    local i
    for i in $(seq 1 "$BROKERS"); do
        live_pid "$(broker_process "$i")" >/dev/null && api_versions "$(broker_port "$i")" >/dev/null 2>&1 &&
            broker_port "$i" && return 0
    done
    fail 1 "no broker of '$INSTANCE' answers: run kafka.sh start first"
}

# ---------------------------------------------------------------- processes

# The pid in pid file $1 when that process is alive and runs from this instance's directory.
live_pid() {
    local pid
    pid=$(cat "$DIR/$1.pid" 2>/dev/null) || return 1
    [[ -n $pid ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$DIR/" && echo "$pid"
}

# Stops the process of pid file $1: TERM, a bounded wait, then KILL.
stop_process() {
    local pid
    pid=$(live_pid "$1") || { rm -f "$DIR/$1.pid"; return 0; }
    kill -CONT "$pid" 2>/dev/null || true # a paused process cannot act on TERM
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((STOP_TIMEOUT * 10))); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "the $1 of '$INSTANCE' did not stop within ${STOP_TIMEOUT}s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
    rm -f "$DIR/$1.pid"
}

# The brokers stop first: an old broker's controlled shutdown needs ZooKeeper.
stop_all_processes() {
    local i
    for i in $(seq 1 "$BROKERS"); do stop_process "$(broker_process "$i")"; done
    stop_process zookeeper
}

# stop_brokers I...: stops brokers I... (all of them: ZooKeeper too).
stop_brokers() {
    if (($# == BROKERS)); then stop_all_processes; return; fi
    local i
    for i in "$@"; do stop_process "$(broker_process "$i")"; done
}

# signal_broker SIGNAL I: sends SIGNAL to broker I; fails when it is not running.
signal_broker() {
    local pid
    pid=$(live_pid "$(broker_process "$2")") || fail 1 "broker $2 of '$INSTANCE' is not running"
    kill "-$1" "$pid"
}

# Broker I's state: running, paused (SIGSTOP) or stopped.
broker_state() {
    local pid
    pid=$(live_pid "$(broker_process "$1")") || { echo stopped; return; }
    if [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == T ]]; then echo paused; else echo running; fi
}

# spawn NAME LOGFILE COMMAND...: starts a process in the background, detached from the
# caller's session, terminal, pipes and lock; its output is appended to LOGFILE.
spawn() {
    local name=$1 logfile=$2
    shift 2
    echo "----- kafka.sh: started $(date -u '+%F %T')" >>"$logfile"
    setsid "$@" </dev/null >>"$logfile" 2>&1 9>&- &
    echo $! >"$DIR/$name.pid"
}

show_log_tail() {
    local f
    for f in "$DIR"/logs/*.log "$DIR"/broker-*/logs/*.log; do
        [[ -s $f ]] || continue
        echo "----- last lines of $f" >&2
        tail -n 40 "$f" >&2
    done
}

# Broker settings of every Kafka version: small brokers for tests, whose log directory is $1
# and whose topics have one replica per broker of the instance.
common_broker_settings() {
    cat <<PROPERTIES
log.dirs=$1
num.network.threads=2
num.io.threads=4
num.partitions=1
default.replication.factor=$BROKERS
offsets.topic.replication.factor=$BROKERS
offsets.topic.num.partitions=10
auto.create.topics.enable=false
PROPERTIES
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
        if ! mvn -q -B -f "$HERE/pom.xml" -P "$LINE" -Dkafka.version="$VERSION" dependency:copy-dependencies \
            -DincludeScope=runtime -DoutputDirectory="$tmp" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2; then
            rm -rf "$tmp"
            fail 1 "could not download Apache Kafka $VERSION from Maven Central (see the Maven output above)"
        fi
        touch "$tmp/.complete"
        mv "$tmp" "$LIBS"
        say "jars cached in $LIBS"
    fi
    exec 8>&-
}

# The Java runtime for every broker and tool: Java 17 (Kafka 4.x needs 17 or newer; the old
# 0.10 brokers run on it too). KAFKA_JAVA overrides it.
java_runtime() {
    local j
    for j in "${KAFKA_JAVA:-}" /usr/lib/jvm/java-17-openjdk-amd64/bin/java "$(command -v java || true)"; do
        [[ -n $j && -x $j ]] || continue
        if "$j" -version 2>&1 | grep -qE 'version "(1[7-9]|[2-9][0-9])'; then
            echo "$j"
            return
        fi
    done
    fail 3 "cannot run Kafka $VERSION here: no Java 17 or newer found"
}

# ---------------------------------------------------------------- commands

# Waits until each broker named answers and is registered (its own metadata lists it); on
# failure prints the log tails, stops the brokers named and exits.
await_brokers() {
    local deadline=$((SECONDS + START_TIMEOUT)) i
    for i in "$@"; do
        until broker_ready "$(broker_port "$i")" "$i"; do
            if ! live_pid "$(broker_process "$i")" >/dev/null; then
                show_log_tail
                stop_brokers "$@"
                fail 1 "broker $i (Kafka $VERSION) of '$INSTANCE' exited during start-up"
            fi
            if ((SECONDS >= deadline)); then
                show_log_tail
                stop_brokers "$@"
                fail 1 "broker $i (Kafka $VERSION) of '$INSTANCE' did not answer on 127.0.0.1:$(broker_port "$i") within ${START_TIMEOUT}s"
            fi
            sleep 0.25
        done
    done
}

# Waits until every partition of every topic has a leader and all its replicas in sync, when
# every broker of the cluster runs (with one down or paused, its replicas cannot be in sync).
await_in_sync() {
    local deadline=$((SECONDS + START_TIMEOUT)) i state
    for i in $(seq 1 "$BROKERS"); do
        state=$(broker_state "$i")
        [[ $state == running ]] || { say "broker $i is $state: not waiting for the replicas to be in sync"; return 0; }
    done
    until all_in_sync "$(live_port)"; do
        ((SECONDS < deadline)) || fail 1 "the partitions of '$INSTANCE' are not all in sync after ${START_TIMEOUT}s"
        sleep 0.25
    done
}

# The ports of a new instance and its brokers, recorded for later commands and other instances.
write_instance_env() {
    local i claimed=""
    for i in $(seq 1 "$BROKERS"); do claimed+=" $(broker_port "$i") $(controller_port "$i")"; done
    printf 'VERSION=%s\nPORT=%s\nAUX_PORT=%s\nBROKERS=%s\nCLAIMED=%s\n' \
        "$VERSION" "$PORT" "$AUX_PORT" "$BROKERS" "${claimed# }" >"$DIR/instance.env"
    if ((SECURE)); then
        printf 'SSL_PORT=%s\nSASL_PORT=%s\n' "$SSL_PORT" "$SASL_PORT" >>"$DIR/instance.env"
    fi
}

cmd_start() {
    local down=() i
    for i in $(targets); do live_pid "$(broker_process "$i")" >/dev/null || down+=("$i"); done
    if ((${#down[@]})); then
        [[ $LINE == zk ]] && stop_all_processes # e.g. a ZooKeeper left behind by a broker that died
        if [[ ! -f $DIR/instance.env ]]; then
            choose_ports
            mkdir -p "$DIR/logs"
            write_instance_env
        fi
        for i in "${down[@]}"; do
            if port_in_use "$(broker_port "$i")" || port_in_use "$(controller_port "$i")"; then
                fail 1 "port $(broker_port "$i") or $(controller_port "$i") of instance '$INSTANCE' is taken by another program"
            fi
        done
        fetch_jars
        if ((SECURE)); then
            [[ $LINE == kraft ]] || fail 2 "--secure needs a 4.x broker"
            make_tls
        fi
        say "starting Apache Kafka $VERSION '$INSTANCE' broker(s) ${down[*]} on 127.0.0.1:$PORT.. (logs in $DIR)"
        "start_$LINE" "${down[@]}"
    fi
    # shellcheck disable=SC2046
    await_brokers $(targets)
    ((BROKERS == 1)) || await_in_sync
    ((SECURE)) && secure_lines
    echo "bootstrap=$(bootstrap_list)"
}

cmd_kill() {
    local i
    for i in $(targets); do stop_process "$(broker_process "$i")"; done
    [[ -n $TARGET ]] || stop_process zookeeper
}

cmd_crash() {
    local i pid
    for i in $(targets); do
        pid=$(live_pid "$(broker_process "$i")") || fail 1 "broker $i of '$INSTANCE' is not running"
        kill -KILL "$pid"
        while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
        rm -f "$DIR/$(broker_process "$i").pid"
    done
}

cmd_restart() {
    cmd_kill
    cmd_start
}

cmd_signal() {
    local i
    for i in $(targets); do signal_broker "$1" "$i"; done
}

cmd_status() {
    local i
    for i in $(seq 1 "$BROKERS"); do echo "broker $i $(broker_port "$i") $(broker_state "$i")"; done
}

cmd_stop() {
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

# topic [create] NAME PARTITIONS: creates the topic, then waits until every partition has a leader.
cmd_topic() {
    if [[ ${POSITIONAL[0]:-} == create ]]; then POSITIONAL=("${POSITIONAL[@]:1}"); fi
    ((${#POSITIONAL[@]} == 2)) || usage
    local name=${POSITIONAL[0]} partitions=${POSITIONAL[1]} out deadline port
    [[ $name =~ ^[A-Za-z0-9._-]+$ ]] || fail 2 "bad topic name '$name' (letters, digits, . _ - only)"
    [[ $partitions =~ ^[1-9][0-9]*$ ]] || fail 2 "partitions must be a positive number, got '$partitions'"
    port=$(live_port)
    deadline=$((SECONDS + TOPIC_TIMEOUT))
    if ! out=$("create_topic_$LINE" "$name" "$partitions" 2>&1); then
        echo "$out" >&2
        fail 1 "could not create topic '$name' with $partitions partitions on $(bootstrap_list)"
    fi
    until topic_ready "$port" "$name" "$partitions"; do
        ((SECONDS < deadline)) || fail 1 "topic '$name' has no leader for all $partitions partitions after ${TOPIC_TIMEOUT}s"
        sleep 0.1
    done
    echo "$out"
}

cmd_leaders() {
    ((${#POSITIONAL[@]} == 1)) || usage
    local lines
    lines=$(metadata "$(live_port)" "${POSITIONAL[0]}") || fail 1 "the brokers of '$INSTANCE' did not answer Metadata"
    grep -qx "topic ${POSITIONAL[0]} 0" <<<"$lines" || fail 1 "no topic '${POSITIONAL[0]}' on '$INSTANCE'"
    awk '$1 == "partition" {print $3, $5}' <<<"$lines" | sort -n
}

# The coordinator of a group; while the brokers are still choosing one, asks again.
cmd_coordinator() {
    ((${#POSITIONAL[@]} == 1)) || usage
    local deadline=$((SECONDS + TOPIC_TIMEOUT)) answer
    while :; do
        if answer=$(find_coordinator "$(live_port)" "${POSITIONAL[0]}") && [[ ${answer%% *} == 0 ]]; then
            echo "${answer#* }"
            return
        fi
        ((SECONDS < deadline)) || fail 1 "no coordinator for group '${POSITIONAL[0]}' after ${TOPIC_TIMEOUT}s (last answer: ${answer:-none})"
        sleep 0.25
    done
}

cmd_api_versions() {
    local port
    port=$(broker_port "${TARGET:-1}")
    api_versions "$port" 2>/dev/null || fail 1 "the broker of '$INSTANCE' did not answer ApiVersions on 127.0.0.1:$port"
}

case $COMMAND in
    start | resume) resolve_instance; cmd_start ;;
    stop) resolve_instance; cmd_stop ;;
    kill) resolve_instance; cmd_kill ;;
    crash) resolve_instance; cmd_crash ;;
    restart) resolve_instance; cmd_restart ;;
    pause) resolve_instance; cmd_signal STOP ;;
    continue) resolve_instance; cmd_signal CONT ;;
    status) resolve_instance; cmd_status ;;
    stop-all) cmd_stop_all ;;
    topic) resolve_instance; cmd_topic ;;
    leaders) resolve_instance; cmd_leaders ;;
    coordinator) resolve_instance; cmd_coordinator ;;
    api-versions) resolve_instance; cmd_api_versions ;;
    *) usage ;;
esac
