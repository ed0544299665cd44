package dev.steady;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Kafka consumer whose poll loop (heartbeats, rebalances, commits) runs on a thread of its own,
 * so a slow handler never makes its group rebalance.
 *
 * <p>Every method may be called from any threads at the same time. {@link #close()} wakes a
 * {@link #poll} blocked in another thread (it throws CLOSED); after close every call throws a
 * {@link SteadyException} with {@link Result#CLOSED} ({@link #nextEvent} once it has returned the
 * events the close left); a second close returns once the first has finished. After a fatal
 * error ({@link SteadyException#isFatal()}) every poll and commit throws that error again; only
 * close is left. A consumer never closed is closed and released by a
 * cleaner once unreachable; its messages and events do not keep it alive, a running
 * {@link #listen} does.
 *
 * <p>With {@code steady.events.enable=true} the consumer also queues events: partitions
 * assigned, revoked or lost and the result of every commit, read with {@link #nextEvent} or
 * handed to a {@link RebalanceListener} by {@link #listen}. Events are pulled: steady's own threads
 * call into Java only to log, on the consumer's {@code steady-log} thread, through
 * {@code System.Logger} (loggers {@code steady} and {@code steady.librdkafka}; see {@link Settings}).
 */
public final class Consumer implements AutoCloseable {
    /** The largest {@code max} {@link #pollBatch} accepts. */
    public static final int MAX_BATCH = 65_536;

    private final Handle handle;
    /** Set by the first {@link #close()}. */
    private final AtomicBoolean closing = new AtomicBoolean();
    /** The topic names of its messages by C pointer (see {@code steady_message_fields_t}). */
    private final ConcurrentHashMap<Long, String> topics = new ConcurrentHashMap<>();
    /** The last topic name looked up. */
    private volatile TopicName lastTopic;
    /** Holds the C messages of the latest {@link #poll}s. */
    @SuppressWarnings("unused") // accessed through POLL_CHUNK
    private volatile Chunk pollChunk = new Chunk(Chunk.POLL_SIZE, closing);
    private static final VarHandle POLL_CHUNK;

    static {
        try {
            POLL_CHUNK = MethodHandles.lookup().findVarHandle(Consumer.class, "pollChunk", Chunk.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Released when the first {@link #close()} has finished. */
    private final CountDownLatch closed = new CountDownLatch(1);
    /** Guards starting a listener against a close reading {@link #listener}. */
    private final Object listenLock = new Object();
    /** The thread {@link #listen} started; null before. */
    private volatile Thread listener;
    /** The events still queued when {@link #close()} ended and no listener read them. */
    private final Queue<Event> leftover = new ConcurrentLinkedQueue<>();
    /** Numbers the listener threads. */
    private static final AtomicLong LISTENERS = new AtomicLong();
    private static final System.Logger LOGGER = System.getLogger("dev.steady");

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
            handle.done(this);
        }
    }

    /**
     * Waits up to {@code timeout} (negative: no limit) for the next record; null when nothing
     * arrived in time. Ack it once processed (which releases it; close it if it is not acked).
     */
    public Message poll(Duration timeout) {
        int ms = Native.millis(timeout);
        MemorySegment c = handle.acquire();
        try {
            Native.Scratch scratch = Native.scratch();
            MemorySegment out = scratch.message;
            MemorySegment err = scratch.error;
            int code;
            try {
                code = (int) Native.CONSUMER_POLL.invokeExact(c, ms, out, err);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            if (!Native.okOr(code, Result.TIMEOUT, err)) {
                return null;
            }
            MemorySegment m = Native.pointer(out);
            Chunk chunk;
            int index;
            while (true) {
                chunk = pollChunk;
                index = chunk.claim();
                if (index >= 0) {
                    break;
                }
                POLL_CHUNK.compareAndSet(this, chunk, new Chunk(Chunk.POLL_SIZE, closing));
            }
            chunk.hold(index, m.address());
            MemorySegment fields = scratch.fields;
            int f;
            try {
                f = (int) Native.MESSAGE_FIELDS.invokeExact(m, fields);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            Native.throwUnlessOk(f, MemorySegment.NULL);
            return new Message(chunk, index, m.address(), fields, 0, topic(fields, 0), scratch);
        } finally {
            handle.done(this);
        }
    }

    /**
     * Waits up to {@code timeout} (negative: no limit) for records and returns up to {@code max}
     * (1 to {@link #MAX_BATCH}) of them; an empty list on timeout. Another {@code max} throws
     * INVALID_ARGUMENT naming it. Ack each once processed, or ack them together with
     * {@link #ack(List)}.
     */
    public List<Message> pollBatch(int max, Duration timeout) {
        if (max < 1 || max > MAX_BATCH) {
            throw Native.invalidArgument("max " + max + ": expected 1 to " + MAX_BATCH + " messages");
        }
        int ms = Native.millis(timeout);
        MemorySegment c = handle.acquire();
        try {
            Native.Scratch scratch = Native.scratch();
            MemorySegment buffer = scratch.batch(max);
            long len = max; // the room C may fill: the buffer holds at least max pointers
            MemorySegment count = scratch.count;
            MemorySegment err = scratch.error;
            int code;
            try {
                code = (int) Native.CONSUMER_POLL_BATCH.invokeExact(c, ms, buffer, len, count, err);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            if (!Native.okOr(code, Result.TIMEOUT, err)) {
                return new ArrayList<>();
            }
            long n = count.get(JAVA_LONG, 0);
            if (n < 0 || n > len) {
                throw new IllegalStateException("steady_consumer_poll_batch reported " + n
                        + " messages for room of " + len);
            }
            int size = (int) n;
            Chunk chunk = new Chunk(size, closing);
            for (int i = 0; i < size; i++) {
                chunk.hold(i, buffer.getAtIndex(ADDRESS, i).address());
            }
            MemorySegment fields = scratch.batchFields(size);
            int f;
            try {
                f = (int) Native.MESSAGES_FIELDS.invokeExact(buffer, n, fields);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            Native.throwUnlessOk(f, MemorySegment.NULL);
            Message[] messages = new Message[size];
            for (int i = 0; i < size; i++) {
                long at = i * Native.Fields.SIZE;
                long pointer = buffer.getAtIndex(Native.WORD, i);
                messages[i] = new Message(chunk, i, pointer, fields, at, topic(fields, at), scratch);
            }
            return new ArrayList<>(Arrays.asList(messages));
        } finally {
            handle.done(this);
        }
    }

    /**
     * Acks {@code messages} (of any consumer) with one call into C, as {@link Message#ack()} on
     * each would: each acked one is released; acked ones and nulls are skipped. Throws like
     * {@link Message#ack()} (CLOSED when a message or its consumer was closed) after acking the
     * others.
     */
    public void ack(List<Message> messages) {
        int n = messages.size();
        if (n == 0) {
            return;
        }
        Native.Scratch scratch = Native.scratch();
        MemorySegment acks = scratch.acks(n);
        Message[] begun = new Message[n];
        int count = 0;
        SteadyException failure = null;
        for (Message m : messages) {
            if (m == null) {
                continue;
            }
            try {
                if (!m.begin()) {
                    continue;
                }
            } catch (SteadyException e) { // closed
                failure = failure == null ? e : failure;
                continue;
            }
            acks.setAtIndex(Native.WORD, count, m.pointer());
            begun[count++] = m;
        }
        if (count == 0) {
            if (failure != null) {
                throw failure;
            }
            return;
        }
        MemorySegment err = scratch.error;
        long len = count;
        int code;
        try {
            code = (int) Native.MESSAGES_ACK.invokeExact(acks, len, err);
        } catch (Throwable t) {
            for (int i = 0; i < count; i++) {
                begun[i].end(false);
            }
            throw Native.rethrow(t);
        }
        if (code != Result.OK.code()) {
            // Those before the one that failed are acked; each goes again on its own (a second
            // ack of those is harmless), which reports the failure.
            Native.free(Native.ERROR_FREE, err.get(ADDRESS, 0));
            for (int i = 0; i < count; i++) {
                begun[i].end(false);
            }
            for (int i = 0; i < count; i++) {
                try {
                    begun[i].ack();
                } catch (SteadyException e) {
                    failure = failure == null ? e : failure;
                }
            }
        } else {
            MemorySegment frees = scratch.frees(count);
            int free = 0;
            for (int i = 0; i < count; i++) {
                long p = begun[i].settle(true);
                if (p != 0) {
                    frees.setAtIndex(Native.WORD, free++, p);
                }
            }
            long toFree = free;
            if (free > 0) {
                try {
                    Native.MESSAGES_FREE.invokeExact(frees, toFree);
                } catch (Throwable t) {
                    throw Native.rethrow(t);
                }
            }
        }
        Reference.reachabilityFence(begun);
        if (failure != null) {
            throw failure;
        }
    }

    /** The topic name of the fields at {@code base}: one String per C pointer (per consumer). */
    private String topic(MemorySegment fields, long base) {
        long pointer = Native.Fields.topic(fields, base);
        TopicName last = lastTopic;
        if (last != null && last.pointer() == pointer) {
            return last.name();
        }
        String name = topics.computeIfAbsent(pointer, p -> {
            byte[] bytes = new byte[Math.toIntExact(Native.Fields.topicLen(fields, base))];
            MemorySegment.copy(Native.EVERYTHING, java.lang.foreign.ValueLayout.JAVA_BYTE, p, bytes, 0, bytes.length);
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        });
        lastTopic = new TopicName(pointer, name);
        return name;
    }

    /** A topic's C string and its Java copy. */
    private record TopicName(long pointer, String name) {}

    /** Commits the acked prefix of every assigned partition now. */
    public void commit() {
        use((c, arena) -> {
            Native.check(arena, err -> (int) Native.CONSUMER_COMMIT.invokeExact(c, err));
            return null;
        });
    }

    /**
     * Waits up to {@code timeout} (negative: no limit) for the next event (needs
     * {@code steady.events.enable=true}; otherwise INVALID_ARGUMENT naming that key); empty on
     * timeout. Close the event once handled: see {@link Event} for what steady waits for. Read
     * events on a thread of their own, next to the pollers, or let {@link #listen} do it.
     *
     * <p>{@link #close()} queues a revoked event for the whole assignment (and waits for it
     * within {@code steady.revoke.drain.ms}), then the result of its final commit; the events
     * still queued when close returns are returned after it, then this throws CLOSED. A call
     * waiting when the close ends returns those, or throws CLOSED.
     */
    public Optional<Event> nextEvent(Duration timeout) {
        int ms = Native.millis(timeout);
        try {
            return pull(ms);
        } catch (SteadyException e) {
            if (e.result() != Result.CLOSED || !closing.get()) {
                throw e;
            }
            if (Thread.currentThread() != listener) { // the first close waits for the listener
                awaitClosed(); // it keeps what it finds queued in leftover
            }
            Event left = leftover.poll();
            if (left == null) {
                throw e;
            }
            return Optional.of(left);
        }
    }

    /** The next event from C within {@code ms} (-1: no limit); empty on timeout. */
    private Optional<Event> pull(int ms) {
        return use((c, arena) -> {
            MemorySegment out = Native.slot(arena);
            boolean arrived = Native.succeeded(arena, Result.TIMEOUT,
                    err -> (int) Native.CONSUMER_NEXT_EVENT.invokeExact(c, ms, out, err));
            return arrived ? Optional.of(new Event(Native.pointer(out))) : Optional.empty();
        });
    }

    /**
     * Starts a daemon thread that reads the events and hands each to {@code listener} (see
     * {@link RebalanceListener}): the event is done when the method returns; an exception it
     * throws is logged (System.Logger {@code dev.steady}, level ERROR) and the next event is
     * delivered. The thread ends once {@link #close()} has queued its last events and they were
     * delivered; close returns after that (a close called from a listener method returns at
     * once when another close is running, and otherwise goes on while its own revoked event
     * waits for that method to return, up to {@code steady.revoke.drain.ms}). While the thread
     * runs it keeps the consumer reachable: close it.
     *
     * <p>Needs {@code steady.events.enable=true} (INVALID_ARGUMENT naming that key otherwise);
     * one listener per consumer (a second call throws INVALID_ARGUMENT); CLOSED once closed.
     * {@link #nextEvent} called at the same time takes events from the listener.
     */
    public void listen(RebalanceListener listener) {
        if (listener == null) {
            throw new SteadyException(Result.NULL_PARAMETER.code(), "listener is null");
        }
        synchronized (listenLock) {
            if (closing.get()) {
                throw new SteadyException(Result.CLOSED.code(), "consumer is closed");
            }
            if (this.listener != null) {
                throw Native.invalidArgument("the consumer has a listener already: " + this.listener.getName());
            }
            Event first = pull(0).orElse(null); // events off throws here, not on the thread
            Thread thread = Thread.ofPlatform()
                    .name("steady-listener-" + LISTENERS.incrementAndGet())
                    .daemon(true)
                    .unstarted(() -> listenLoop(listener, first));
            this.listener = thread;
            thread.start();
        }
    }

    /** The listener thread: delivers {@code first} and every later event until CLOSED. */
    private void listenLoop(RebalanceListener listener, Event first) {
        Event event = first;
        while (true) {
            if (event != null) {
                deliver(listener, event);
            }
            try {
                event = pull(-1).orElse(null);
            } catch (SteadyException e) {
                if (e.result() != Result.CLOSED) {
                    LOGGER.log(System.Logger.Level.ERROR, "steady: reading events failed; the listener stops",
                            e);
                }
                break;
            }
        }
        // A close called from a listener method ended without this thread reading its events.
        for (Event left = leftover.poll(); left != null; left = leftover.poll()) {
            deliver(listener, left);
        }
    }

    /** Hands {@code event} to its method of {@code listener}, then closes it (done). */
    private static void deliver(RebalanceListener listener, Event event) {
        try (event) {
            switch (event.kind()) {
                case ASSIGNED -> listener.onAssigned(event.partitions());
                case REVOKED -> listener.onRevoked(event.partitions());
                case LOST -> listener.onLost(event.partitions());
                case COMMITTED -> listener.onCommitted(event);
                case DEAD_LETTERED -> listener.onDeadLettered(event);
            }
        } catch (Throwable t) {
            LOGGER.log(System.Logger.Level.ERROR, () -> "steady: the RebalanceListener threw on the event "
                    + event + "; the next event follows", t);
        }
    }

    /**
     * Pauses {@code topic}/{@code partition} until {@link #resume}: no record of it is delivered
     * once this returns (its buffered records go back and come again on resume). Backpressure
     * never resumes it; an assignment of it that comes again starts unpaused. INVALID_ARGUMENT
     * when the partition is not assigned to this consumer.
     */
    public void pause(String topic, int partition) {
        control(Native.CONSUMER_PAUSE, topic, partition);
    }

    /**
     * Lifts {@link #pause} of {@code topic}/{@code partition}: it is fetched again unless
     * backpressure holds it. INVALID_ARGUMENT when the partition is not assigned to this consumer.
     */
    public void resume(String topic, int partition) {
        control(Native.CONSUMER_RESUME, topic, partition);
    }

    /**
     * Makes {@code offset} (≥ 0) the next record delivered from {@code topic}/{@code partition}
     * (back: replay; forward: skip). Its buffered records are dropped; records of it delivered
     * before the seek and not yet acked keep holding the committed offset until they are acked.
     * INVALID_ARGUMENT for a negative offset and when the partition is not assigned to this
     * consumer.
     */
    public void seek(String topic, int partition, long offset) {
        use((c, arena) -> {
            MemorySegment t = Native.cString(arena, topic, "topic");
            Native.check(arena, err -> (int) Native.CONSUMER_SEEK.invokeExact(c, t, partition, offset, err));
            return null;
        });
    }

    /**
     * The offset of the next record the application gets from {@code topic}/{@code partition}
     * (after a seek: its target); empty when none is known yet. INVALID_ARGUMENT when the
     * partition is not assigned to this consumer.
     */
    public OptionalLong position(String topic, int partition) {
        return offset(Native.CONSUMER_POSITION, topic, partition);
    }

    /**
     * The group's committed offset of {@code topic}/{@code partition} (the next to read), asked
     * of the group coordinator (a wait of up to about 10 s); empty when none is committed.
     * INVALID_ARGUMENT when the partition is not assigned to this consumer.
     */
    public OptionalLong committed(String topic, int partition) {
        return offset(Native.CONSUMER_COMMITTED, topic, partition);
    }

    /** A call {@code (consumer, topic, partition, err_out)}: pause, resume. */
    private void control(MethodHandle call, String topic, int partition) {
        use((c, arena) -> {
            MemorySegment t = Native.cString(arena, topic, "topic");
            Native.check(arena, err -> (int) call.invokeExact(c, t, partition, err));
            return null;
        });
    }

    /** A call {@code (consumer, topic, partition, offset_out, err_out)}: position, committed. */
    private OptionalLong offset(MethodHandle call, String topic, int partition) {
        return use((c, arena) -> {
            MemorySegment t = Native.cString(arena, topic, "topic");
            MemorySegment out = arena.allocate(JAVA_LONG);
            Native.check(arena, err -> (int) call.invokeExact(c, t, partition, out, err));
            long offset = out.get(JAVA_LONG, 0);
            return offset < 0 ? OptionalLong.empty() : OptionalLong.of(offset);
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

    /**
     * The consumer's metrics in the Prometheus text exposition format (0.0.4), such as
     * {@code messaging_client_consumed_messages_total}; the same text steady serves at
     * {@code http://HOST:PORT/metrics} when {@code steady.metrics.listen=HOST:PORT} is set.
     */
    public String metricsText() {
        return use((c, arena) -> {
            MemorySegment out = Native.slot(arena);
            Native.check(arena, err -> (int) Native.CONSUMER_METRICS_TEXT.invokeExact(c, out, err));
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
     *
     * <p>With events on: the revoked event for the whole assignment comes before the final
     * commit, which steady waits for within {@code steady.revoke.drain.ms} (read it on another
     * thread or with {@link #listen}, or close waits that long), then that commit's result; a
     * listener gets those and ends before close returns; the events nobody read by then are
     * left for {@link #nextEvent}.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            if (Thread.currentThread() != listener) { // the first close waits for the listener
                awaitClosed();
            }
            return;
        }
        boolean stopped = false;
        try {
            use((c, arena) -> {
                Native.check(arena, err -> (int) Native.CONSUMER_CLOSE.invokeExact(c, err));
                return null;
            });
            stopped = true;
        } finally {
            try {
                if (stopped) {
                    joinListener(); // it reads what close queued, then CLOSED
                    keepLeftover();
                }
            } finally {
                handle.close();
                closed.countDown();
                Reference.reachabilityFence(this);
            }
        }
    }

    /** Waits for the listener thread to end, unless there is none or this is it. */
    private void joinListener() {
        Thread thread;
        synchronized (listenLock) { // a listen that was starting has started
            thread = listener;
        }
        if (thread == null || thread == Thread.currentThread()) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Moves the events still queued after the close into {@link #leftover}. */
    private void keepLeftover() {
        while (true) {
            Optional<Event> event;
            try {
                event = pull(0);
            } catch (SteadyException e) { // CLOSED once drained; INVALID_ARGUMENT with events off
                return;
            }
            if (event.isEmpty()) {
                return;
            }
            leftover.add(event.get());
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
