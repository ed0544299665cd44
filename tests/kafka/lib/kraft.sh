# shellcheck shell=bash
# Apache Kafka 4.x: brokers that are each also a KRaft controller (one, or a cluster of BROKERS
# voting together). Sourced by kafka.sh, which sets DIR, HERE, LIBS, VERSION, PORT, BROKERS
# and the broker_* helpers.

# write_kraft_config I: broker I's server.properties.
write_kraft_config() {
    local i=$1 dir voters="" j
    dir=$(broker_dir "$i")
    for j in $(seq 1 "$BROKERS"); do voters+=${voters:+,}$j@127.0.0.1:$(controller_port "$j"); done
    local listeners="PLAINTEXT://127.0.0.1:$(broker_port "$i")" protocols=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
    if ((SECURE)); then
        listeners+=",SSL://127.0.0.1:$SSL_PORT,SASL_SSL://127.0.0.1:$SASL_PORT"
        protocols+=",SSL:SSL,SASL_SSL:SASL_SSL"
    fi
    # A record is acknowledged by two replicas in a cluster, by the only one otherwise.
    local min_isr=$((BROKERS > 1 ? 2 : 1))
    cat >"$dir/server.properties" <<PROPERTIES
# Apache Kafka $VERSION, broker and controller $i of $BROKERS for tests (written by kafka.sh)
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
listeners=$listeners,CONTROLLER://127.0.0.1:$(controller_port "$i")
advertised.listeners=$listeners
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=$protocols
min.insync.replicas=$min_isr
transaction.state.log.replication.factor=$BROKERS
transaction.state.log.min.isr=$min_isr
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=$BROKERS
share.coordinator.state.topic.min.isr=$min_isr
group.initial.rebalance.delay.ms=0
group.coordinator.rebalance.protocols=classic,consumer
$(common_broker_settings "$dir/data")
$( ((SECURE)) && secure_broker_settings)
PROPERTIES
}

# A random KRaft cluster id: 16 bytes in URL-safe base64 that does not start with '-'.
new_cluster_id() {
    local id
    while :; do
        id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
        [[ $id != -* ]] && echo "$id" && return
    done
}

# Logging options of broker I and its storage tool: into its logs/server.log.
kraft_log_opts() {
    echo -Dkafka.logs.dir="$(broker_dir "$1")/logs" -Dlog4j2.configurationFile="$HERE/config/log4j2-broker.properties"
}

# format_kraft I JAVA: formats broker I's log directory with the instance's cluster id.
format_kraft() {
    local i=$1 java=$2 dir scram=()
    dir=$(broker_dir "$i")
    ((SECURE)) && scram=(--add-scram "SCRAM-SHA-512=[name=$SASL_USER,password=$SASL_PASSWORD]")
    # shellcheck disable=SC2046
    "$java" "${TOOL_JVM_OPTS[@]}" $(kraft_log_opts "$i") -cp "$LIBS/*" kafka.tools.StorageTool format \
        -t "$(cat "$DIR/cluster.id")" -c "$dir/server.properties" "${scram[@]}" >"$dir/logs/format.log" 2>&1
}

# start_kraft I...: starts brokers I..., formatting (in parallel) those never started.
start_kraft() {
    local java i failed=0 formats=()
    java=$(java_runtime)
    [[ -f $DIR/cluster.id ]] || new_cluster_id >"$DIR/cluster.id"
    for i in "$@"; do
        mkdir -p "$(broker_dir "$i")/logs"
        [[ -f $(broker_dir "$i")/data/meta.properties ]] && continue
        write_kraft_config "$i"
        format_kraft "$i" "$java" &
        formats+=($!)
    done
    for i in "${formats[@]}"; do wait "$i" || failed=1; done
    ((!failed)) || { show_log_tail; fail 1 "formatting the KRaft log directories of '$INSTANCE' failed"; }
    for i in "$@"; do
        # shellcheck disable=SC2046
        spawn "$(broker_process "$i")" "$(broker_dir "$i")/logs/broker.out.log" "$java" "${BROKER_JVM_OPTS[@]}" \
            $(kraft_log_opts "$i") -cp "$LIBS/*" kafka.Kafka "$(broker_dir "$i")/server.properties"
    done
}

# create_topic_kraft NAME PARTITIONS: runs the topic tool (bounded by TOPIC_TIMEOUT) against the brokers.
create_topic_kraft() {
    timeout "$TOPIC_TIMEOUT" "$(java_runtime)" "${TOOL_JVM_OPTS[@]}" -Dlog4j2.configurationFile="$HERE/config/log4j2-tools.properties" \
        -cp "$LIBS/*" org.apache.kafka.tools.TopicCommand --bootstrap-server "$(bootstrap_list)" \
        --create --topic "$1" --partitions "$2" --replication-factor "$BROKERS"
}
