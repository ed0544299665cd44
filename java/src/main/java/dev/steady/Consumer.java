package dev.steady;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A Kafka consumer whose poll loop (heartbeats, rebalances, commits) runs on a thread of its own,
 * so a slow handler never makes its group rebalance.
 *
 * <p>Every method may be called from any threads at the same time. {@link #close()} wakes a
 * {@link #poll} blocked in another thread (it throws CLOSED); after close every call throws a
 * {@link SteadyException} with {@link Result#CLOSED}; a second close does nothing.
 */
public final class Consumer implements AutoCloseable {
    /** Held for reading by every call into C, for writing by the free in close. */
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Handle handle;

    /**
     * Checks {@code settings} with the rule checks (an error finding throws CONFIG_REFUSED naming
     * it), then starts a consumer subscribed to {@code topics}. The consumer keeps its own copy of
     * the settings.
     */
    public Consumer(Settings settings, List<String> topics) {
        MemorySegment s = settings.pointer();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment array = arena.allocate(ADDRESS, Math.max(1, topics.size()));
            for (int i = 0; i < topics.size(); i++) {
                array.setAtIndex(ADDRESS, i, Native.cString(arena, topics.get(i)));
            }
            long count = topics.size();
            MemorySegment out = Native.slot(arena);
            Native.check(arena, err -> (int) Native.CONSUMER_NEW.invokeExact(s, array, count, out, err));
            handle = new Handle(this, Native.pointer(out), Native.CONSUMER_FREE, "consumer");
        }
    }

    /** A call on the live consumer. */
    @FunctionalInterface
    private interface Use<T> {
        T run(MemorySegment consumer, Arena arena);
    }

    /** Runs {@code use} on the live handle under the read lock; CLOSED once freed. */
    private <T> T use(Use<T> use) {
        lock.readLock().lock();
        try (Arena arena = Arena.ofConfined()) {
            if (handle.released()) {
                throw new SteadyException(Result.CLOSED.code(), "consumer is closed");
            }
            return use.run(handle.pointer(), arena);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Waits up to {@code timeout} (negative: no limit) for the next record; null when nothing
     * arrived in time. Ack it once processed and close it.
     */
    public Message poll(Duration timeout) {
        int ms = Native.millis(timeout);
        return use((c, arena) -> {
            MemorySegment out = Native.slot(arena);
            boolean arrived = Native.succeeded(arena, Result.TIMEOUT,
                    err -> (int) Native.CONSUMER_POLL.invokeExact(c, ms, out, err));
            return arrived ? new Message(Native.pointer(out)) : null;
        });
    }

    /** Waits up to {@code timeout} for records and returns up to {@code max}; empty on timeout. */
    public List<Message> pollBatch(int max, Duration timeout) {
        int ms = Native.millis(timeout);
        return use((c, arena) -> {
            MemorySegment buffer = arena.allocate(ADDRESS, Math.max(1, max));
            long len = max;
            MemorySegment count = arena.allocate(JAVA_LONG);
            List<Message> messages = new ArrayList<>();
            if (!Native.succeeded(arena, Result.TIMEOUT,
                    err -> (int) Native.CONSUMER_POLL_BATCH.invokeExact(c, ms, buffer, len, count, err))) {
                return messages;
            }
            for (long i = 0; i < count.get(JAVA_LONG, 0); i++) {
                messages.add(new Message(buffer.getAtIndex(ADDRESS, i)));
            }
            return messages;
        });
    }

    /** Commits the acked prefix of every assigned partition now. */
    public void commit() {
        use((c, arena) -> {
            Native.check(arena, err -> (int) Native.CONSUMER_COMMIT.invokeExact(c, err));
            return null;
        });
    }

    /** The consumer's counters as JSON (rebalances, assignment, acked, committed, …). */
    public String statsJson() {
        return use((c, arena) -> {
            MemorySegment out = Native.slot(arena);
            Native.check(arena, err -> (int) Native.CONSUMER_STATS_JSON.invokeExact(c, out, err));
            return Native.ownedString(Native.pointer(out));
        });
    }

    /** Re-runs the rule checks with the settings and the live processing figures. */
    public Report check() {
        return report(Native.CONSUMER_CHECK);
    }

    /** The warning and info findings of the check made when the consumer was built. */
    public Report warnings() {
        return report(Native.CONSUMER_WARNINGS);
    }

    private Report report(MethodHandle call) {
        return use((c, arena) -> {
            MemorySegment out = Native.slot(arena);
            Native.check(arena, err -> (int) call.invokeExact(c, out, err));
            return new Report(Native.pointer(out));
        });
    }

    /**
     * Stops deliveries and wakes polls blocked in other threads, waits up to
     * {@code steady.revoke.drain.ms} for the messages in flight to be acked (by any thread),
     * commits the acked prefix, leaves the group and releases the consumer once the polls have
     * returned. Idempotent.
     */
    @Override
    public void close() {
        SteadyException failure = null;
        try {
            use((c, arena) -> {
                Native.check(arena, err -> (int) Native.CONSUMER_CLOSE.invokeExact(c, err));
                return null;
            });
        } catch (SteadyException e) {
            if (e.result() != Result.CLOSED) {
                failure = e;
            }
        }
        lock.writeLock().lock();
        try {
            handle.release();
        } finally {
            lock.writeLock().unlock();
        }
        if (failure != null) {
            throw failure;
        }
    }
}
