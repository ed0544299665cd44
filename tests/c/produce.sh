#!/usr/bin/env bash
# Writes records to a topic of a local test broker with Kafka's console producer (from the
# broker's jars, fetched by tests/kafka/kafka.sh start).
# Usage: produce.sh BOOTSTRAP TOPIC < records
# Each input line is one record: "HEADERS<TAB>KEY<TAB>VALUE", HEADERS as "name:value,…".
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
# The broker's jars: the newest 4.x cache directory that has the tools jar.
jars=""
for dir in $(ls -td "$root"/tests/kafka/.cache/4.*/); do
    if compgen -G "$dir/kafka-tools-*.jar" >/dev/null; then
        jars="$dir"
        break
    fi
done
[[ -n $jars ]] || { echo "produce.sh: no Kafka 4.x jars; run tests/kafka/kafka.sh start" >&2; exit 1; }
log4j="$root/tests/kafka/config/log4j2-tools.properties"
java -Dlog4j2.configurationFile="$log4j" -cp "$jars*" org.apache.kafka.tools.ConsoleProducer \
    --bootstrap-server "$1" --topic "$2" \
    --producer-property acks=all \
    --property parse.headers=true --property parse.key=true
