package dev.steady;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One Kafka record, copied into Java. {@link #ack()} it once processed (from any thread); the
 * first successful ack releases the C message, so {@link #close()} is needed only for a message
 * that is not acked (and does no harm after an ack). The record's fields stay readable after
 * ack, after close and after its consumer was closed. A message keeps only its own data and what
 * acking needs alive, never its consumer. A message neither acked nor closed is released by a
 * cleaner once it and every message polled with it (its {@link Consumer#pollBatch} batch, or a
 * run of {@link Consumer#poll}s) are unreachable.
 */
public final class Message implements AutoCloseable {
    /** {@link #state} bit: {@link #close()} was called. */
    private static final int CLOSED = 1 << 31;
    /** {@link #state} bit: an ack, nack or reject succeeded. */
    private static final int ACKED = 1 << 30;
    /** {@link #state} bits: calls using the C message. */
    private static final int CALLS = ACKED - 1;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Message.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Holds the C message, at {@link #index}, until it is freed; its cleaner is the backstop. */
    private final Chunk chunk;
    private final int index;
    /** The C message; valid while {@link #chunk} holds it. */
    private final long pointer;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;

    private final String topic;
    private final int attempt;
    private final int partition;
    private final long offset;
    private final long timestamp;
    private final byte[] key;
    private final byte[] value;
    private final List<Header> headers;

    /**
     * Takes ownership of the C message {@code pointer}, which {@code chunk} holds at
     * {@code index} already (so that its cleaner frees it should this throw), and copies its record from the {@code steady_message_fields_t} at {@code fieldsOffset} of
     * {@code fields}.
     */
    Message(Chunk chunk, int index, long pointer, MemorySegment fields, long fieldsOffset, String topic,
            Native.Scratch scratch) {
        this.chunk = chunk;
        this.index = index;
        this.pointer = pointer;
        this.topic = topic;
        partition = Native.Fields.partition(fields, fieldsOffset);
        attempt = Native.Fields.attempt(fields, fieldsOffset);
        offset = Native.Fields.offset(fields, fieldsOffset);
        timestamp = Native.Fields.timestamp(fields, fieldsOffset);
        key = copy(Native.Fields.key(fields, fieldsOffset), Native.Fields.keyLen(fields, fieldsOffset));
        value = copy(Native.Fields.payload(fields, fieldsOffset), Native.Fields.payloadLen(fields, fieldsOffset));
        long count = Native.Fields.headerCount(fields, fieldsOffset);
        headers = count == 0 ? List.of() : readHeaders(count, scratch);
    }

    /** The bytes at address {@code address}; null for NULL. */
    private static byte[] copy(long address, long length) {
        if (address == 0) {
            return null;
        }
        byte[] bytes = new byte[Math.toIntExact(length)];
        MemorySegment.copy(Native.EVERYTHING, JAVA_BYTE, address, bytes, 0, bytes.length);
        return bytes;
    }

    private List<Header> readHeaders(long count, Native.Scratch scratch) {
        MemorySegment m = MemorySegment.ofAddress(pointer);
        List<Header> list = new ArrayList<>((int) Math.min(count, 1024));
        for (long i = 0; i < count; i++) {
            long index = i;
            MemorySegment name = scratch.pointer1;
            MemorySegment ptr = scratch.pointer2;
            MemorySegment len = scratch.length;
            int code = Native.invoke(() -> (int) Native.MESSAGE_HEADER.invokeExact(m, index, name, ptr, len));
            Native.throwUnlessOk(code, MemorySegment.NULL);
            list.add(new Header(Native.string(Native.pointer(name)),
                    copy(ptr.get(Native.WORD, 0), len.get(Native.WORD, 0))));
        }
        return List.copyOf(list);
    }

    /** The topic. */
    public String topic() {
        return topic;
    }

    /** The partition. */
    public int partition() {
        return partition;
    }

    /** The offset. */
    public long offset() {
        return offset;
    }

    /** The create or log-append time; null when unknown. */
    public Instant timestamp() {
        return timestamp < 0 ? null : Instant.ofEpochMilli(timestamp);
    }

    /** The key (a copy); null when the record has none. */
    public byte[] key() {
        return key == null ? null : key.clone();
    }

    /** The payload (a copy); null when the record has none. */
    public byte[] value() {
        return value == null ? null : value.clone();
    }

    /** The headers in record order. */
    public List<Header> headers() {
        return headers;
    }

    /**
     * Marks the record processed (any thread, any order: steady commits only a contiguous acked
     * prefix) and releases the C message. A second ack has no effect and returns normally.
     * Throws a {@link SteadyException} with {@link Result#CLOSED} when its consumer was closed
     * and when this message was closed (the exception's message says which); an ack racing a
     * {@link #close()} on another thread either completes or throws CLOSED, and never touches
     * freed memory. {@link Consumer#ack(List)} acks many with one call into C.
     */
    public void ack() {
        if (!begin()) {
            return;
        }
        boolean acked = false;
        try {
            Native.Scratch scratch = Native.scratch();
            MemorySegment m = MemorySegment.ofAddress(pointer);
            MemorySegment err = scratch.error;
            Native.throwUnlessOk(Native.ack(m, err), err);
            acked = true;
        } finally {
            end(acked);
            Reference.reachabilityFence(this);
        }
    }

    /**
     * How many times the record was delivered, this time included: 1 on the first delivery, 2
     * on the first redelivery after a {@link #nack}, …
     */
    public int attempt() {
        return attempt;
    }

    /**
     * The handler failed ({@code reason} is kept as the record's last error and, should it be
     * dead-lettered, in its {@code steady.error} header): the record is delivered again, as a
     * new message whose {@link #attempt()} is one higher, after the back-off
     * ({@code steady.retry.backoff.ms}, doubled per attempt up to
     * {@code steady.retry.backoff.max.ms}), or dead-lettered once it had
     * {@code steady.retry.max.attempts} deliveries (see {@link #reject}). Until it is acked or
     * dead-lettered nothing after it is committed. Like {@link #ack()}: any thread; it releases
     * the C message; an ack, nack or reject after a successful one has no effect; a nack of a
     * partition the consumer lost is ignored; CLOSED once the message or its consumer was closed.
     */
    public void nack(String reason) {
        verdict(reason, -1, false);
    }

    /**
     * {@link #nack(String)} with the application's {@code delay} instead of the back-off
     * (negative: none; longer than {@code Long.MAX_VALUE} ms: that).
     */
    public void nack(String reason, Duration delay) {
        if (delay == null) {
            throw new SteadyException(Result.NULL_PARAMETER.code(), "delay is null");
        }
        long ms;
        try {
            ms = Math.max(0, delay.toMillis());
        } catch (ArithmeticException e) {
            ms = Long.MAX_VALUE;
        }
        verdict(reason, ms, false);
    }

    /**
     * The record can never be processed ({@code reason} says why): it is dead-lettered now,
     * without retries. With {@code steady.dlq.topic} set it is produced there — same key, value
     * and headers, plus {@code steady.source.topic}, {@code steady.source.partition},
     * {@code steady.source.offset}, {@code steady.attempts} and {@code steady.error} — and counts
     * as acked once the broker acknowledged it; without, it is parked (pending, never committed
     * past). Either way an {@link EventKind#DEAD_LETTERED} event follows (with
     * {@code steady.events.enable=true}). Otherwise like {@link #nack(String)}.
     */
    public void reject(String reason) {
        verdict(reason, 0, true);
    }

    /** A nack ({@code delayMs} < 0: the back-off) or a reject, settling the message like an ack. */
    private void verdict(String reason, long delayMs, boolean reject) {
        if (!begin()) {
            return;
        }
        boolean settled = false;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment error = Native.cString(arena, reason, "reason");
            MemorySegment m = MemorySegment.ofAddress(pointer);
            MemorySegment err = Native.scratch().error;
            int code = reject
                    ? Native.invoke(() -> (int) Native.MESSAGE_REJECT.invokeExact(m, error, err))
                    : Native.invoke(() -> (int) Native.MESSAGE_NACK.invokeExact(m, error, delayMs, err));
            Native.throwUnlessOk(code, err);
            settled = true;
        } finally {
            end(settled);
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Starts a call on the C message for an ack: false when an ack already succeeded; throws
     * CLOSED once {@link #close()} was called, and for an acked message once its consumer was
     * closed.
     */
    boolean begin() {
        int s;
        do {
            s = state;
            if ((s & CLOSED) != 0) {
                throw new SteadyException(Result.CLOSED.code(), "message is closed");
            }
            if ((s & ACKED) != 0) {
                if (chunk.consumerClosed()) { // as steady_message_ack says once it is closed
                    throw new SteadyException(Result.CLOSED.code(), "consumer is closed");
                }
                return false;
            }
        } while (!STATE.compareAndSet(this, s, s + 1));
        return true;
    }

    /** Ends a call started by {@link #begin()}; frees the C message when it is done with. */
    void end(boolean acked) {
        long free = settle(acked);
        if (free != 0) {
            Native.freeMessage(free);
        }
    }

    /**
     * Ends a call started by {@link #begin()} and returns the C message when the caller must free
     * it now (the last call after an ack or a close), otherwise 0.
     */
    long settle(boolean acked) {
        int s;
        int next;
        do {
            s = state;
            next = (s - 1) | (acked ? ACKED : 0);
        } while (!STATE.compareAndSet(this, s, next));
        return (next & CALLS) == 0 && (next & (ACKED | CLOSED)) != 0 ? chunk.release(index) : 0;
    }

    /** The C message, for {@link Consumer#ack(List)} between {@link #begin()} and {@link #end}. */
    long pointer() {
        return pointer;
    }

    /**
     * Releases the C message if no ack did (it does not ack it); an ack in flight on another
     * thread finishes first. Later acks throw CLOSED. A second close has no effect. The fields
     * stay readable.
     */
    @Override
    public void close() {
        int s;
        do {
            s = state;
            if ((s & CLOSED) != 0) {
                return;
            }
        } while (!STATE.compareAndSet(this, s, s | CLOSED));
        if ((s & CALLS) == 0) {
            long free = chunk.release(index);
            if (free != 0) {
                Native.freeMessage(free);
            }
        }
        Reference.reachabilityFence(this);
    }
}
