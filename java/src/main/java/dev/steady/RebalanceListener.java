package dev.steady;

import java.util.List;

/**
 * What {@link Consumer#listen} calls for each event, on the listener's thread, one at a time and
 * in the order steady queued them. The event is done when the method returns (or throws), so
 * {@link #onRevoked} may still ack records (flush a batch) and have them committed, and
 * {@link #onAssigned} may load state before the partitions' first record. An exception thrown
 * by a method is logged (System.Logger {@code dev.steady}, level ERROR) and the next event is
 * delivered. Every method does nothing unless overridden.
 */
public interface RebalanceListener {
    /**
     * Partitions were assigned, each with the committed offset it starts from (empty: nothing
     * committed); they stay paused until this returns (at most
     * {@code steady.processing.timeout.ms}).
     */
    default void onAssigned(List<PartitionOffset> partitions) {}

    /**
     * Partitions are being revoked (on close: the whole assignment); steady commits their acked
     * prefix once this returns (it waits within {@code steady.revoke.drain.ms}; past that the
     * partitions move without it and later acks of them are ignored).
     */
    default void onRevoked(List<PartitionOffset> partitions) {}

    /** Partitions were lost (session expired, member fenced): nothing of them is committed. */
    default void onLost(List<PartitionOffset> partitions) {}

    /**
     * A commit finished: its reason, the offsets committed (or tried) and, when it failed, its
     * error. The event is closed when this returns; its fields stay readable.
     */
    default void onCommitted(Event event) {}

    /** A record was dead-lettered ({@link EventKind#DEAD_LETTERED}); the event is closed after this returns. */
    default void onDeadLettered(Event event) {}
}
