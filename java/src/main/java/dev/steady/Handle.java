package dev.steady;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Cleaner;

/**
 * One C handle and its {@code steady_X_free} function: released by {@link #release()} or, if the
 * owner is never closed, by the cleaner once the owner is unreachable.
 */
final class Handle {
    private final MemorySegment pointer;
    private final Cleaner.Cleanable cleanable;
    private final String what;
    private volatile boolean released;

    /** Owns {@code pointer} for {@code owner}; {@code what} names it in errors ("settings"). */
    Handle(Object owner, MemorySegment pointer, MethodHandle free, String what) {
        this.pointer = pointer;
        this.what = what;
        this.cleanable = Native.CLEANER.register(owner, () -> Native.free(free, pointer));
    }

    /** The C pointer; INVALID_ARGUMENT once released. */
    MemorySegment pointer() {
        if (released) {
            throw new SteadyException(Result.INVALID_ARGUMENT.code(), what + " is closed");
        }
        return pointer;
    }

    /** Whether {@link #release()} was called. */
    boolean released() {
        return released;
    }

    /** Frees the C handle now (at most once). */
    void release() {
        released = true;
        cleanable.clean();
    }
}
