package dev.steady;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Kafka consumer whose poll loop (heartbeats, rebalances, commits) runs on a thread of its own,
 * so a slow handler never makes its group rebalance.
 *
 * <p>Every method may be called from any threads at the same time. {@link #close()} wakes a
 * {@link #poll} blocked in another thread (it throws CLOSED); after close every call throws a
 * {@link SteadyException} with {@link Result#CLOSED}; a second close returns once the first has
 * finished. After a fatal error ({@link SteadyException#isFatal()}) every poll and commit throws
 * that error again; only close is left. A consumer never closed is closed and released by a
 * cleaner once unreachable; its messages do not keep it alive.
 */
public final class Consumer implements AutoCloseable {
    /** The largest {@code max} {@link #pollBatch} accepts. */
    public static final int MAX_BATCH = 65_536;

    private final Handle handle;
    /** Set by the first {@link #close()}. */
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Released when the first {@link #close()} has finished. */
    private final CountDownLatch closed = new CountDownLatch(1);

    /**
     * Checks {@code settings} with the rule checks (an error finding throws CONFIG_REFUSED naming
     * it), then starts a consumer subscribed to {@code topics}. The consumer keeps its own copy of
     * the settings.
     */
    public Consumer(Settings settings, List<String> topics) {
        if (topics == null) {
            throw new SteadyException(Result.NULL_PARAMETER.code(), "topics is null");
        }
        MemorySegment s = Settings.acquire(settings);
        try (Arena arena = Arena.ofConfined()) {
            int count = topics.size();
            MemorySegment array = arena.allocate(ADDRESS, Math.max(1, count));
            for (int i = 0; i < count; i++) {
                array.setAtIndex(ADDRESS, i, Native.cString(arena, topics.get(i), "topics[" + i + "]"));
            }
            long len = count; // never more than the array holds
            MemorySegment out = Native.slot(arena);
            Native.check(arena, err -> (int) Native.CONSUMER_NEW.invokeExact(s, array, len, out, err));
            handle = new Handle(this, Native.pointer(out), Native.CONSUMER_FREE, "consumer", Result.CLOSED);
        } finally {
            Settings.done(settings);
        }
    }

    /** A call on the live consumer. */
    @FunctionalInterface
    private interface Use<T> {
        T run(MemorySegment consumer, Arena arena);
    }

    /**
     * Runs {@code use} on the C consumer, which stays allocated (and this object reachable) until
     * it returns; CLOSED once closed.
     */
    private <T> T use(Use<T> use) {
        MemorySegment c = handle.acquire();
        try (Arena arena = Arena.ofConfined()) {
            return use.run(c, arena);
        } finally {
            handle.done();
            Reference.reachabilityFence(this);
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

    /**
     * Waits up to {@code timeout} (negative: no limit) for records and returns up to {@code max}
     * (1 to {@link #MAX_BATCH}) of them; an empty list on timeout. Another {@code max} throws
     * INVALID_ARGUMENT naming it.
     */
    public List<Message> pollBatch(int max, Duration timeout) {
        if (max < 1 || max > MAX_BATCH) {
            throw Native.invalidArgument("max " + max + ": expected 1 to " + MAX_BATCH + " messages");
        }
        int ms = Native.millis(timeout);
        return use((c, arena) -> {
            MemorySegment buffer = arena.allocate(ADDRESS, max);
            long len = buffer.byteSize() / ADDRESS.byteSize(); // the room C may fill: max pointers
            MemorySegment count = arena.allocate(JAVA_LONG);
            if (!Native.succeeded(arena, Result.TIMEOUT,
                    err -> (int) Native.CONSUMER_POLL_BATCH.invokeExact(c, ms, buffer, len, count, err))) {
                return new ArrayList<>();
            }
            long n = count.get(JAVA_LONG, 0);
            if (n < 0 || n > len) {
                throw new IllegalStateException("steady_consumer_poll_batch reported " + n
                        + " messages for room of " + len);
            }
            List<Message> messages = new ArrayList<>((int) n);
            for (long i = 0; i < n; i++) {
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
     * commits the acked prefix (nothing after a fatal error), leaves the group and releases the
     * consumer once the calls in flight have returned. Works after a fatal error too. A second
     * close, also one running at the same time, returns once the first has finished.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            awaitClosed();
            return;
        }
        try {
            use((c, arena) -> {
                Native.check(arena, err -> (int) Native.CONSUMER_CLOSE.invokeExact(c, err));
                return null;
            });
        } finally {
            handle.close();
            closed.countDown();
            Reference.reachabilityFence(this);
        }
    }

    /** Waits for the first close to finish; an interrupt is kept for the caller. */
    private void awaitClosed() {
        boolean interrupted = false;
        while (true) {
            try {
                closed.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
