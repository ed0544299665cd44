#!/usr/bin/env bash
# Writes records to a topic of a local test broker with Kafka's console producer (from the
# broker's jars, fetched by tests/kafka/kafka.sh start).
# Usage: produce.sh BOOTSTRAP TOPIC < records
# Each input line is one record: "HEADERS<TAB>KEY<TAB>VALUE", HEADERS as "name:value,…".
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
# The broker's jars: the most recently fetched directory holding a Kafka 4.x tools jar.
jars="$(find "$root/tests/kafka/.cache" -name 'kafka-tools-4*.jar' -printf '%T@ %h\n' 2>/dev/null |
    sort -rn | head -n1 | cut -d' ' -f2-)"
[[ -n $jars ]] || { echo "produce.sh: no Kafka 4.x jars; run tests/kafka/kafka.sh start" >&2; exit 1; }
log4j="$root/tests/kafka/config/log4j2-tools.properties"
java -Dlog4j2.configurationFile="$log4j" -cp "$jars/*" org.apache.kafka.tools.ConsoleProducer \
    --bootstrap-server "$1" --topic "$2" \
    --producer-property acks=all \
    --property parse.headers=true --property parse.key=true
