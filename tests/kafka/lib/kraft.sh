# shellcheck shell=bash
# Apache Kafka 4.x: one combined broker and KRaft controller. Sourced by kafka.sh, which sets
# DIR, HERE, LIBS, VERSION, PORT (listener) and AUX_PORT (controller).

write_kraft_config() {
    local listeners="PLAINTEXT://127.0.0.1:$PORT" protocols=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
    if ((SECURE)); then
        listeners+=",SSL://127.0.0.1:$SSL_PORT,SASL_SSL://127.0.0.1:$SASL_PORT"
        protocols+=",SSL:SSL,SASL_SSL:SASL_SSL"
    fi
    cat >"$DIR/server.properties" <<PROPERTIES
# Apache Kafka $VERSION, one combined broker and controller for tests (written by kafka.sh)
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$AUX_PORT
listeners=$listeners,CONTROLLER://127.0.0.1:$AUX_PORT
advertised.listeners=$listeners
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=$protocols
min.insync.replicas=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
group.coordinator.rebalance.protocols=classic,consumer
$(common_broker_settings)
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

# Logging options of the broker and its storage tool: into the instance's logs/server.log.
kraft_log_opts() {
    echo -Dkafka.logs.dir="$DIR/logs" -Dlog4j2.configurationFile="$HERE/config/log4j2-broker.properties"
}

start_kraft() {
    local java
    java=$(java_runtime)
    if [[ ! -f $DIR/data/meta.properties ]]; then
        write_kraft_config
        # shellcheck disable=SC2046
        local scram=()
        ((SECURE)) && scram=(--add-scram "SCRAM-SHA-512=[name=$SASL_USER,password=$SASL_PASSWORD]")
        "$java" "${TOOL_JVM_OPTS[@]}" $(kraft_log_opts) -cp "$LIBS/*" kafka.tools.StorageTool format \
            -t "$(new_cluster_id)" -c "$DIR/server.properties" "${scram[@]}" >"$DIR/logs/format.log" 2>&1 ||
            { show_log_tail; fail 1 "formatting the KRaft log directory of '$INSTANCE' failed"; }
    fi
    # shellcheck disable=SC2046
    spawn broker "$DIR/logs/broker.out.log" "$java" "${BROKER_JVM_OPTS[@]}" $(kraft_log_opts) \
        -cp "$LIBS/*" kafka.Kafka "$DIR/server.properties"
}

# create_topic_kraft NAME PARTITIONS: runs the topic tool (bounded by TOPIC_TIMEOUT) against the broker.
create_topic_kraft() {
    timeout "$TOPIC_TIMEOUT" "$(java_runtime)" "${TOOL_JVM_OPTS[@]}" -Dlog4j2.configurationFile="$HERE/config/log4j2-tools.properties" \
        -cp "$LIBS/*" org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$PORT" \
        --create --topic "$1" --partitions "$2" --replication-factor 1
}
