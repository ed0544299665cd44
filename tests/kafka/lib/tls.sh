# shellcheck shell=bash
# TLS and SASL material of a --secure instance: a CA, a broker certificate for 127.0.0.1 and
# localhost signed by it (PEM, which Kafka reads since KIP-651 and librdkafka reads always),
# and the SCRAM and PLAIN users. Sourced by kafka.sh, which sets DIR.

# The SASL user every secure instance knows (SCRAM-SHA-512 and PLAIN), and its password.
SASL_USER=steady
SASL_PASSWORD=steady-secret-0d1f

# Writes $DIR/tls/{ca.pem,ca.key,server.pem} once.
make_tls() {
    local tls=$DIR/tls
    [[ -f $tls/server.pem ]] && return 0
    mkdir -p "$tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=steady test CA" \
        -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>"$tls/openssl.log" ||
        fail 1 "openssl could not make the test CA (see $tls/openssl.log)"
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
        -keyout "$tls/server.key" -out "$tls/server.csr" 2>>"$tls/openssl.log" ||
        fail 1 "openssl could not make the broker key (see $tls/openssl.log)"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$tls/san.ext"
    openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
        -CAcreateserial -days 3650 -extfile "$tls/san.ext" -out "$tls/server.crt" \
        2>>"$tls/openssl.log" || fail 1 "openssl could not sign the broker certificate"
    # Kafka's PEM keystore: the private key (PKCS#8, unencrypted) and the certificate chain.
    openssl pkcs8 -topk8 -nocrypt -in "$tls/server.key" >"$tls/server.pem"
    cat "$tls/server.crt" "$tls/ca.pem" >>"$tls/server.pem"
}

# Broker settings of the SSL and SASL_SSL listeners.
secure_broker_settings() {
    cat <<PROPERTIES
ssl.keystore.type=PEM
ssl.keystore.location=$DIR/tls/server.pem
ssl.truststore.type=PEM
ssl.truststore.location=$DIR/tls/ca.pem
ssl.client.auth=none
sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$SASL_USER="$SASL_PASSWORD";
PROPERTIES
}

# The lines `start` prints for a secure instance, before its bootstrap line.
secure_lines() {
    echo "ssl=127.0.0.1:$SSL_PORT"
    echo "sasl_ssl=127.0.0.1:$SASL_PORT"
    echo "ca=$DIR/tls/ca.pem"
    echo "sasl.username=$SASL_USER"
    echo "sasl.password=$SASL_PASSWORD"
}
