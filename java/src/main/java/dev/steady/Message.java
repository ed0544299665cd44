package dev.steady;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Reference;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One Kafka record, copied into Java. {@link #ack()} it once processed (from any thread), then
 * {@link #close()} it; the record's fields stay readable after ack, after close and after its
 * consumer was closed. A message keeps only its own data and what acking needs alive, never its
 * consumer; one never closed is released by a cleaner once unreachable.
 */
public final class Message implements AutoCloseable {
    private final Handle handle;
    private final String topic;
    private final int partition;
    private final long offset;
    private final long timestamp;
    private final byte[] key;
    private final byte[] value;
    private final List<Header> headers;

    /** Takes ownership of a C message and copies its record. */
    Message(MemorySegment m) {
        handle = new Handle(this, m, Native.MESSAGE_FREE, "message", Result.CLOSED);
        try (Arena arena = Arena.ofConfined()) {
            topic = Native.string(Native.invoke(() -> (MemorySegment) Native.MESSAGE_TOPIC.invokeExact(m)));
            partition = Native.invoke(() -> (int) Native.MESSAGE_PARTITION.invokeExact(m));
            offset = Native.invoke(() -> (long) Native.MESSAGE_OFFSET.invokeExact(m));
            timestamp = Native.invoke(() -> (long) Native.MESSAGE_TIMESTAMP.invokeExact(m));
            key = buffer(arena, Native.MESSAGE_KEY, m);
            value = buffer(arena, Native.MESSAGE_PAYLOAD, m);
            long count = Native.invoke(() -> (long) Native.MESSAGE_HEADER_COUNT.invokeExact(m));
            List<Header> list = new ArrayList<>();
            MemorySegment name = Native.slot(arena);
            MemorySegment ptr = Native.slot(arena);
            MemorySegment len = arena.allocate(JAVA_LONG);
            for (long i = 0; i < count; i++) {
                long index = i;
                Native.check(arena, err -> (int) Native.MESSAGE_HEADER.invokeExact(m, index, name, ptr, len));
                list.add(new Header(Native.string(Native.pointer(name)),
                        Native.bytes(Native.pointer(ptr), len.get(JAVA_LONG, 0))));
            }
            headers = List.copyOf(list);
        } finally {
            Reference.reachabilityFence(this); // the cleaner must not free the message while it is copied
        }
    }

    /** Reads a pointer + length accessor (key, payload). */
    private static byte[] buffer(Arena arena, MethodHandle accessor, MemorySegment m) {
        MemorySegment ptr = Native.slot(arena);
        MemorySegment len = arena.allocate(JAVA_LONG);
        Native.check(arena, err -> (int) accessor.invokeExact(m, ptr, len));
        return Native.bytes(Native.pointer(ptr), len.get(JAVA_LONG, 0));
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

    /** The key; null when the record has none. */
    public byte[] key() {
        return key == null ? null : key.clone();
    }

    /** The payload; null when the record has none. */
    public byte[] value() {
        return value == null ? null : value.clone();
    }

    /** The headers in record order. */
    public List<Header> headers() {
        return headers;
    }

    /**
     * Marks the record processed (any thread, any order: steady commits only a contiguous acked
     * prefix). A second ack has no effect and returns normally. Throws a {@link SteadyException}
     * with {@link Result#CLOSED} when its consumer was closed and when this message was closed
     * (the exception's message says which); an ack racing a {@link #close()} on another thread
     * either completes or throws CLOSED, and never touches freed memory.
     */
    public void ack() {
        MemorySegment m = handle.acquire();
        try (Arena arena = Arena.ofConfined()) {
            Native.check(arena, err -> (int) Native.MESSAGE_ACK.invokeExact(m, err));
        } finally {
            handle.done();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Releases the C message (it does not ack it); an ack in flight on another thread finishes
     * first. A second close has no effect. The fields stay readable.
     */
    @Override
    public void close() {
        handle.close();
    }
}
