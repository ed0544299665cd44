package dev.steady;

/** The result codes of the C ABI ({@code steady_result}); the values never change. */
public enum Result {
    /** Success. */
    OK(0),
    /** A required pointer was NULL. */
    NULL_PARAMETER(100),
    /** A string was not valid UTF-8. */
    INVALID_UTF8(101),
    /** A value was out of range or not one of the accepted words. */
    INVALID_ARGUMENT(102),
    /** A settings file could not be read. */
    CONFIG_IO(200),
    /** A setting was malformed. */
    CONFIG_SYNTAX(201),
    /** The rule checks refused the settings. */
    CONFIG_REFUSED(202),
    /** librdkafka or the broker reported an error the consumer goes on after. */
    KAFKA(300),
    /** No broker answered within the timeout. */
    BROKER_UNREACHABLE(301),
    /** The broker answered with an error or something unexpected. */
    BROKER_PROTOCOL(302),
    /**
     * A fatal Kafka error (a fenced static member, an assignor the broker does not know, …) ended
     * the consumer; every later poll and commit throws it again; only close is left.
     */
    KAFKA_FATAL(303),
    /** A record stayed unacked past steady.processing.timeout.ms. */
    STALLED(400),
    /** The consumer was closed. */
    CLOSED(401),
    /** Nothing arrived within the timeout. */
    TIMEOUT(402),
    /** steady panicked. */
    PANIC(900),
    /** steady's poll thread died; every later poll and commit throws this; only close is left. */
    INTERNAL(901),
    /** A code this version of the binding does not know. */
    UNKNOWN(-1);

    private final int code;

    Result(int code) {
        this.code = code;
    }

    /** The numeric value, as in include/steady.h. */
    public int code() {
        return code;
    }

    /** The constant with this numeric value, or {@link #UNKNOWN}. */
    public static Result of(int code) {
        for (Result r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        return UNKNOWN;
    }
}
