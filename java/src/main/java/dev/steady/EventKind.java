package dev.steady;

/** What an {@link Event} reports. */
public enum EventKind {
    /**
     * Partitions were assigned; each carries the committed offset it starts from (none: nothing
     * committed, {@code auto.offset.reset} applies). They stay paused until the event is closed
     * (at most {@code steady.processing.timeout.ms}), so state can be loaded before their first
     * record.
     */
    ASSIGNED(1),
    /**
     * Partitions are being revoked; no offsets. steady waits (within
     * {@code steady.revoke.drain.ms}) for the event to be closed, then commits the acked prefix,
     * so records acked before {@link Event#close()} are committed.
     */
    REVOKED(2),
    /**
     * Partitions were lost (session expired, member fenced); no offsets. Nothing of them is
     * committed and steady does not wait for the event.
     */
    LOST(3),
    /**
     * A commit finished; each partition carries the offset committed (the next to read) or
     * tried, see {@link Event#commitReason()} and {@link Event#error()}.
     */
    COMMITTED(4),
    /**
     * A record was dead-lettered ({@link Message#reject}, or {@link Message#nack} past
     * {@code steady.retry.max.attempts}); the one partition entry is its source topic, partition
     * and offset. {@link Event#error()} is empty when {@code steady.dlq.topic} acknowledged it (it
     * then counts as acked); otherwise the produce failed (steady produces it again later) or no
     * {@code steady.dlq.topic} is set (the record is parked: pending, never committed past).
     */
    DEAD_LETTERED(5);

    private final int code;

    EventKind(int code) {
        this.code = code;
    }

    /** The value of {@code STEADY_EVENT_*} in include/steady.h. */
    int code() {
        return code;
    }

    /** The kind with this value of {@code STEADY_EVENT_*}; null for one this binding does not know. */
    static EventKind of(int code) {
        for (EventKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        return null;
    }
}
