package dev.steady;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The C messages of one {@link Consumer#pollBatch} batch, or of a run of {@link Consumer#poll}s,
 * that are not freed yet. Its messages keep it reachable; once none is, one cleaner frees what
 * they neither acked nor closed. A message frees its own C message by taking it out of its slot
 * ({@link #release}), so every C message is freed exactly once.
 */
final class Chunk {
    /** How many {@link Consumer#poll}s share one chunk. */
    static final int POLL_SIZE = 256;

    private final AtomicLongArray pointers;
    /** Slots handed out ({@link #claim}). */
    private final AtomicInteger used = new AtomicInteger();
    /** Set once the consumer that polled the messages is closing. */
    private final AtomicBoolean consumerClosed;

    Chunk(int size, AtomicBoolean consumerClosed) {
        this.consumerClosed = consumerClosed;
        pointers = new AtomicLongArray(size);
        Native.CLEANER.register(this, new FreeAll(pointers));
    }

    /** Whether the consumer that polled the messages was closed. */
    boolean consumerClosed() {
        return consumerClosed.get();
    }

    /** A free slot, or -1 when every one is taken. */
    int claim() {
        int i = used.getAndIncrement();
        return i < pointers.length() ? i : -1;
    }

    /** Makes the chunk hold the C message {@code pointer} at {@code index}. */
    void hold(int index, long pointer) {
        pointers.setRelease(index, pointer);
    }

    /** Takes the C message at {@code index} out, to be freed by the caller; 0 when it was taken. */
    long release(int index) {
        return pointers.getAndSet(index, 0);
    }

    /** The cleaner's action: frees what is still held. It must not refer to the chunk. */
    private record FreeAll(AtomicLongArray pointers) implements Runnable {
        @Override
        public void run() {
            for (int i = 0; i < pointers.length(); i++) {
                long p = pointers.getAndSet(i, 0);
                if (p != 0) {
                    Native.freeMessage(p);
                }
            }
        }
    }
}
