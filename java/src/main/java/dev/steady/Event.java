package dev.steady;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One event of a consumer with {@code steady.events.enable=true} ({@link Consumer#nextEvent}):
 * partitions assigned, revoked or lost, or the result of a commit. Its fields are copied into
 * Java and stay readable after {@link #close()}.
 *
 * <p>Closing the event marks it <em>done</em>, and steady waits for two kinds to be done: a
 * {@link EventKind#REVOKED} one before it commits the revoked partitions' acked prefix (within
 * {@code steady.revoke.drain.ms}; past that the partitions move without it), so records acked
 * before close are committed; an {@link EventKind#ASSIGNED} one before it fetches the new
 * partitions (at most {@code steady.processing.timeout.ms}), so state can be loaded before their
 * first record. Close every event, from any thread, once handled; one never closed is done only
 * when a cleaner finds it unreachable, which may be long after the wait ran out.
 */
public final class Event implements AutoCloseable {
    private final Handle handle;
    private final EventKind kind;
    private final List<PartitionOffset> partitions;
    private final CommitReason commitReason;
    private final SteadyException error;

    /** Takes ownership of a C event and copies it; an event this binding cannot read is done at once. */
    Event(MemorySegment e) {
        handle = new Handle(this, e, Native.EVENT_FREE, "event", Result.CLOSED);
        try {
            int code = Native.invoke(() -> (int) Native.EVENT_KIND.invokeExact(e));
            kind = EventKind.of(code);
            if (kind == null) {
                String name = text(Native.EVENT_KIND_NAME, e);
                throw new IllegalStateException("an event kind this version of the binding does not know: "
                        + code + " (" + name + ")");
            }
            long count = Native.invoke(() -> (long) Native.EVENT_PARTITION_COUNT.invokeExact(e));
            List<PartitionOffset> list = new ArrayList<>();
            for (long i = 0; i < count; i++) {
                long index = i;
                String topic = Native.string(
                        Native.invoke(() -> (MemorySegment) Native.EVENT_TOPIC.invokeExact(e, index)));
                int partition = Native.invoke(() -> (int) Native.EVENT_PARTITION.invokeExact(e, index));
                long offset = Native.invoke(() -> (long) Native.EVENT_OFFSET.invokeExact(e, index));
                list.add(new PartitionOffset(topic, partition,
                        offset < 0 ? OptionalLong.empty() : OptionalLong.of(offset)));
            }
            partitions = List.copyOf(list);
            int reason = Native.invoke(() -> (int) Native.EVENT_COMMIT_REASON.invokeExact(e));
            commitReason = CommitReason.of(reason);
            if (commitReason == null && reason != 0) {
                String name = text(Native.EVENT_COMMIT_REASON_NAME, e);
                throw new IllegalStateException("a commit reason this version of the binding does not know: "
                        + reason + " (" + name + ")");
            }
            error = Native.borrowedError(field(Native.EVENT_ERROR, e));
        } catch (RuntimeException | Error failure) {
            handle.close(); // done: steady must not wait for an event nobody can handle
            throw failure;
        } finally {
            Reference.reachabilityFence(this); // the cleaner must not free the event while it is copied
        }
    }

    /** Calls a {@code const X *steady_event_X(const steady_event *)} accessor. */
    private static MemorySegment field(MethodHandle accessor, MemorySegment e) {
        return Native.invoke(() -> (MemorySegment) accessor.invokeExact(e));
    }

    /** Reads a static or borrowed string accessor (kind name, reason name). */
    private static String text(MethodHandle accessor, MemorySegment e) {
        return Native.string(field(accessor, e));
    }

    /** What happened. */
    public EventKind kind() {
        return kind;
    }

    /** The partitions concerned, in librdkafka's order (for a close: the whole assignment). */
    public List<PartitionOffset> partitions() {
        return partitions;
    }

    /** For {@link EventKind#COMMITTED}: why the commit was made; empty for the other kinds. */
    public Optional<CommitReason> commitReason() {
        return Optional.ofNullable(commitReason);
    }

    /**
     * For {@link EventKind#COMMITTED}: the error when the commit failed ({@link Result#KAFKA},
     * with librdkafka's code and name); empty when it succeeded and for the other kinds.
     */
    public Optional<SteadyException> error() {
        return Optional.ofNullable(error);
    }

    /**
     * Marks the event done and releases it (see the class description); a second close has no
     * effect. The fields stay readable.
     */
    @Override
    public void close() {
        handle.close();
    }

    /** The kind, the partitions and for a commit result its reason and error, for logs. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(kind.name().toLowerCase(Locale.ROOT)).append(' ')
                .append(partitions);
        if (commitReason != null) {
            s.append(" reason=").append(commitReason.name().toLowerCase(Locale.ROOT));
        }
        if (error != null) {
            s.append(" error=").append(error.getMessage());
        }
        return s.toString();
    }
}
