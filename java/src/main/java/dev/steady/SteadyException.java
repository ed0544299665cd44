package dev.steady;

/**
 * A failed call: its result code, a message naming the bad key, value or argument, and for a
 * Kafka error librdkafka's code and name and whether the error is fatal or retriable.
 */
public final class SteadyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Result result;
    private final int code;
    private final int kafkaCode;
    private final String kafkaName;
    private final boolean fatal;
    private final boolean retriable;

    /** An error without Kafka detail; fatal when the code is KAFKA_FATAL or INTERNAL. */
    SteadyException(int code, String message) {
        this(code, message, 0, null,
                code == Result.KAFKA_FATAL.code() || code == Result.INTERNAL.code(), false);
    }

    /** An error with the detail the library gave. */
    SteadyException(int code, String message, int kafkaCode, String kafkaName, boolean fatal, boolean retriable) {
        super(message + " (code " + code + (kafkaName == null ? "" : ", " + kafkaName) + ")");
        this.code = code;
        this.result = Result.of(code);
        this.kafkaCode = kafkaCode;
        this.kafkaName = kafkaName;
        this.fatal = fatal;
        this.retriable = retriable;
    }

    /** The result code. */
    public Result result() {
        return result;
    }

    /** The numeric result code, as in include/steady.h. */
    public int code() {
        return code;
    }

    /**
     * librdkafka's error code ({@code rd_kafka_resp_err_t}, such as 82 for FENCED_INSTANCE_ID;
     * for a fatal error the underlying code); 0 when this is not a Kafka error.
     */
    public int kafkaCode() {
        return kafkaCode;
    }

    /** librdkafka's name of the error, such as "FENCED_INSTANCE_ID"; null when not a Kafka error. */
    public String kafkaName() {
        return kafkaName;
    }

    /**
     * Whether the consumer cannot go on ({@link Result#KAFKA_FATAL} or {@link Result#INTERNAL}):
     * every later poll and commit throws the same error; only close is left.
     */
    public boolean isFatal() {
        return fatal;
    }

    /** Whether librdkafka deems the error retriable: the same call may succeed later. */
    public boolean isRetriable() {
        return retriable;
    }
}
