package dev.steady;

/** Why the commit of a {@link EventKind#COMMITTED} event was made. */
public enum CommitReason {
    /** The background commit ({@code auto.commit.interval.ms}) came round. */
    BACKGROUND(1),
    /** The application called {@link Consumer#commit()}. */
    EXPLICIT(2),
    /** Partitions were revoked. */
    REVOKE(3),
    /** The consumer closed. */
    CLOSE(4);

    private final int code;

    CommitReason(int code) {
        this.code = code;
    }

    /** The value of {@code STEADY_COMMIT_REASON_*} in include/steady.h. */
    int code() {
        return code;
    }

    /** The reason with this value; null for none (0) and for one this binding does not know. */
    static CommitReason of(int code) {
        for (CommitReason r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        return null;
    }
}
