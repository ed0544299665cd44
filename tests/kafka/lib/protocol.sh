# shellcheck shell=bash
# Kafka wire protocol over bash's /dev/tcp: just enough to tell whether a broker answers
# (ApiVersions v0, Metadata v0) and which broker leads what (Metadata, FindCoordinator v0), for
# every broker version kafka.sh runs. Sourced by kafka.sh.

# Writes the bytes spelled by a hex string.
hex_to_bytes() {
    # shellcheck disable=SC2059,SC2001 # the format is made of \x escapes only
    printf "$(sed 's/../\\x&/g' <<<"$1")"
}

# kafka_request PORT API_KEY API_VERSION BODY_HEX
# Sends one request to 127.0.0.1:PORT and prints the response body (after the correlation id)
# as hex; fails when nothing complete comes back within a few seconds.
kafka_request() {
    local port=$1 key=$2 version=$3 body=$4 request size hex
    # header: api key, api version, correlation id 1, client id "kafka.sh"
    request=$(printf '%04x%04x%08x%04x%s%s' "$key" "$version" 1 8 6b61666b612e7368 "$body")
    { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
    hex_to_bytes "$(printf '%08x' $((${#request} / 2)))$request" >&3
    size=$(timeout 5 head -c 4 <&3 | od -An -tu1 | awk 'NF == 4 {print $1*16777216 + $2*65536 + $3*256 + $4}')
    if [[ -z $size ]] || ((size < 4 || size > 1048576)); then
        exec 3<&-
        return 1
    fi
    hex=$(timeout 5 head -c "$size" <&3 | od -An -v -tx1 | tr -d ' \n')
    exec 3<&-
    [[ ${#hex} -eq $((size * 2)) && ${hex:0:8} == 00000001 ]] || return 1
    echo "${hex:8}"
}

# Response parsing: the hex string in H, a cursor P (in hex digits), each read leaves its value in R.

# read_int N: the next N-byte signed big-endian integer.
read_int() {
    R=$((16#${H:P:$1 * 2}))
    P=$((P + $1 * 2))
    if ((R >= 1 << ($1 * 8 - 1))); then R=$((R - (1 << ($1 * 8)))); fi
}

# read_string: the next int16-length string, as text (empty for null).
read_string() {
    read_int 2
    local n=$R
    ((n > 0)) || { R=""; return 0; }
    R=$(hex_to_bytes "${H:P:n * 2}")
    P=$((P + n * 2))
}

# skip_int32_array: passes over an int32 array, leaving its length in R.
skip_int32_array() {
    read_int 4
    P=$((P + R * 8))
}

# Prints "api_key min max" for each API the broker on PORT announces.
api_versions() {
    local count i
    H=$(kafka_request "$1" 18 0 "") || return 1
    P=0
    read_int 2
    ((R == 0)) || return 1
    read_int 4
    count=$R
    for ((i = 0; i < count; i++)); do
        read_int 2; local key=$R
        read_int 2; local min=$R
        read_int 2
        echo "$key $min $R"
    done
}

# Metadata v0 for the topics named in $2.. (none: all topics) from the broker on port $1.
# Prints "broker ID" per broker, then per topic "topic NAME ERROR" and per partition
# "partition NAME ID ERROR LEADER REPLICAS IN_SYNC" (the last two: how many).
metadata() {
    local port=$1 body i j n topics partitions name
    shift
    body=$(printf '%08x' $#)
    for name in "$@"; do
        body+=$(printf '%04x' ${#name})$(printf '%s' "$name" | od -An -v -tx1 | tr -d ' \n')
    done
    H=$(kafka_request "$port" 3 0 "$body") || return 1
    P=0
    read_int 4
    for ((i = 0, n = R; i < n; i++)); do
        read_int 4; echo "broker $R"
        read_string
        read_int 4
    done
    read_int 4
    topics=$R
    for ((i = 0; i < topics; i++)); do
        read_int 2; local error=$R
        read_string; name=$R
        echo "topic $name $error"
        read_int 4
        partitions=$R
        for ((j = 0; j < partitions; j++)); do
            read_int 2; local perror=$R
            read_int 4; local id=$R
            read_int 4; local leader=$R
            skip_int32_array; local replicas=$R
            skip_int32_array
            echo "partition $name $id $perror $leader $replicas $R"
        done
    done
}

# True when the broker on port $1 answers ApiVersions and its metadata lists broker $2 (any
# broker for the old ones, whose id is 0).
broker_ready() {
    local lines
    api_versions "$1" >/dev/null 2>&1 && lines=$(metadata "$1" 2>/dev/null) &&
        grep -qE "^broker ($2|0)\$" <<<"$lines"
}

# True when every partition of every topic known to the broker on port $1 has a leader and
# all its replicas in sync.
all_in_sync() {
    local lines
    lines=$(metadata "$1" 2>/dev/null) || return 1
    ! awk '$1 == "partition" && ($5 < 0 || $6 != $7) {bad = 1} END {exit !bad}' <<<"$lines"
}

# FindCoordinator v0 for group $2, asked of the broker on port $1: prints "ERROR NODE_ID".
find_coordinator() {
    local group=$2
    H=$(kafka_request "$1" 10 0 "$(printf '%04x' ${#group})$(printf '%s' "$group" | od -An -v -tx1 | tr -d ' \n')") || return 1
    P=0
    read_int 2; local error=$R
    read_int 4
    echo "$error $R"
}

# True when topic $2 on the broker on port $1 has $3 partitions, each with a leader.
topic_ready() {
    local lines
    lines=$(metadata "$1" "$2" 2>/dev/null) || return 1
    grep -qx "topic $2 0" <<<"$lines" &&
        [[ $(grep -cE "^partition $2 [0-9]+ 0 [0-9]+ " <<<"$lines") -eq $3 ]]
}
