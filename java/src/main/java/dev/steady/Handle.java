package dev.steady;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;

/**
 * One C handle and its {@code steady_X_free} function, with a count of the calls using it.
 *
 * <p>Every call on the handle runs between {@link #acquire()} and {@link #done()}. {@link
 * #close()} refuses later acquires and frees the C handle once no call is using it (at once when
 * none is, otherwise when the last one finishes), so a close racing a call never frees memory the
 * call still reads. If the owner is never closed, the cleaner frees the handle once the owner is
 * unreachable; the owner's methods keep it reachable ({@code Reference.reachabilityFence}) until
 * their downcalls return, so that never happens during a call.
 */
final class Handle {
    /** The bit of {@link #state} set by {@link #close()}; the other bits count calls in flight. */
    private static final int CLOSED = Integer.MIN_VALUE;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Handle.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MemorySegment pointer;
    private final Cleaner.Cleanable cleanable;
    private final Result closedResult;
    private final String what;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;

    /**
     * Owns {@code pointer} for {@code owner}; once closed, calls throw {@code closedResult} with
     * "{@code what} is closed".
     */
    Handle(Object owner, MemorySegment pointer, MethodHandle free, String what, Result closedResult) {
        this.pointer = pointer;
        this.what = what;
        this.closedResult = closedResult;
        this.cleanable = Native.CLEANER.register(owner, () -> Native.free(free, pointer));
    }

    /**
     * Starts a call: the C pointer, valid until the matching {@link #done()}; throws a
     * {@link SteadyException} once closed.
     */
    MemorySegment acquire() {
        int s;
        do {
            s = state;
            if ((s & CLOSED) != 0) {
                throw new SteadyException(closedResult.code(), what + " is closed");
            }
        } while (!STATE.compareAndSet(this, s, s + 1));
        return pointer;
    }

    /** Ends a call started by {@link #acquire()}; the last call after a close frees the handle. */
    void done() {
        int left = (int) STATE.getAndAdd(this, -1) - 1;
        if (left == CLOSED) {
            cleanable.clean();
        }
    }

    /**
     * Ends a call started by {@link #acquire()} on behalf of {@code owner}, keeping the owner
     * (whose cleaner frees the handle) reachable until then.
     */
    void done(Object owner) {
        try {
            done();
        } finally {
            Reference.reachabilityFence(owner);
        }
    }

    /** Whether {@link #close()} was called. */
    boolean closed() {
        return (state & CLOSED) != 0;
    }

    /**
     * Refuses further calls and frees the C handle once no call is using it. True for the call
     * that closed it, false when it was already closed.
     */
    boolean close() {
        int s;
        do {
            s = state;
            if ((s & CLOSED) != 0) {
                return false;
            }
        } while (!STATE.compareAndSet(this, s, s | CLOSED));
        if (s == 0) {
            cleanable.clean();
        }
        return true;
    }
}
