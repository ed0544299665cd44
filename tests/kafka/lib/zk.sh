# shellcheck shell=bash
# Old ZooKeeper-based Apache Kafka brokers (0.10.x, Scala 2.11) with their own ZooKeeper.
# Sourced by kafka.sh, which sets DIR, HERE, LIBS, VERSION, PORT (listener), AUX_PORT (ZooKeeper).
# One broker per instance.

write_zk_config() {
    mkdir -p "$DIR/zookeeper" "$DIR/data"
    cat >"$DIR/zookeeper.properties" <<PROPERTIES
# ZooKeeper for the Apache Kafka $VERSION test broker (written by kafka.sh)
dataDir=$DIR/zookeeper
clientPort=$AUX_PORT
clientPortAddress=127.0.0.1
maxClientCnxns=0
tickTime=2000
PROPERTIES
    cat >"$DIR/server.properties" <<PROPERTIES
# Apache Kafka $VERSION, one broker for tests (written by kafka.sh)
broker.id=0
listeners=PLAINTEXT://127.0.0.1:$PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
zookeeper.connect=127.0.0.1:$AUX_PORT
zookeeper.connection.timeout.ms=15000
delete.topic.enable=true
log.cleaner.dedupe.buffer.size=8388608
$(common_broker_settings "$DIR/data")
PROPERTIES
}

# Logging options of ZooKeeper and the broker: into logs/$1.log of the instance.
zk_log_opts() {
    echo -Dkafka.logs.dir="$DIR/logs" -Dkafka.log.name="$1" \
        -Dlog4j.configuration="file:$HERE/config/log4j-broker.properties"
}

# True when ZooKeeper answers its "ruok" command.
zookeeper_ok() {
    local answer
    { exec 4<>"/dev/tcp/127.0.0.1/$AUX_PORT"; } 2>/dev/null || return 1
    printf ruok >&4
    answer=$(timeout 5 head -c 4 <&4)
    exec 4<&-
    [[ $answer == imok ]]
}

# Every start of an old broker begins empty: a broker that was killed leaves its registration
# in ZooKeeper's data until its session expires, and a broker started before that refuses to
# start ("already registered"). Nothing in these test brokers is worth keeping.
start_zk() {
    local java deadline=$((SECONDS + START_TIMEOUT))
    java=$(java_runtime)
    rm -rf "$DIR/zookeeper" "$DIR/data"
    write_zk_config
    # shellcheck disable=SC2046
    spawn zookeeper "$DIR/logs/zookeeper.out.log" "$java" -Xms64m -Xmx128m $(zk_log_opts zookeeper) \
        -cp "$LIBS/*" org.apache.zookeeper.server.ZooKeeperServerMain "$DIR/zookeeper.properties"
    until zookeeper_ok; do
        if ! live_pid zookeeper >/dev/null || ((SECONDS >= deadline)); then
            show_log_tail
            stop_all_processes
            fail 1 "ZooKeeper of '$INSTANCE' did not answer on 127.0.0.1:$AUX_PORT"
        fi
        sleep 0.25
    done
    # shellcheck disable=SC2046
    spawn broker "$DIR/logs/broker.out.log" "$java" "${BROKER_JVM_OPTS[@]}" $(zk_log_opts server) \
        -cp "$LIBS/*" kafka.Kafka "$DIR/server.properties"
}

# create_topic_zk NAME PARTITIONS: runs the topic tool (bounded by TOPIC_TIMEOUT) of that version against ZooKeeper.
create_topic_zk() {
    timeout "$TOPIC_TIMEOUT" "$(java_runtime)" "${TOOL_JVM_OPTS[@]}" -Dlog4j.configuration="file:$HERE/config/log4j-tools.properties" \
        -cp "$LIBS/*" kafka.admin.TopicCommand --zookeeper "127.0.0.1:$AUX_PORT" \
        --create --topic "$1" --partitions "$2" --replication-factor 1
}
