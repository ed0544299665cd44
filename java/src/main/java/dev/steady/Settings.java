package dev.steady;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Consumer properties (Java or librdkafka names, plus {@code steady.*}).
 *
 * <p>A consumer built from them logs through {@code System.Logger}: steady's own records to the
 * logger {@code steady}, librdkafka's lines to {@code steady.librdkafka} (levels ERROR, WARNING,
 * INFO, DEBUG; the facility in front of the message, {@code "CGRPOP: …"}), from the consumer's
 * {@code steady-log} thread. The library itself writes nothing to stderr (without a bridge, the
 * JDK's default backend, {@code java.util.logging}, prints INFO and above there).
 * {@code debug=cgrp,consumer} raises librdkafka's lines to DEBUG.
 *
 * <p>Not for concurrent modification; reading it (checks, consumers) may happen from many threads.
 */
public final class Settings implements AutoCloseable {
    private final Handle handle;

    /** Empty settings. */
    public Settings() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = Native.slot(arena);
            Native.check(arena, err -> (int) Native.SETTINGS_NEW.invokeExact(out));
            MemorySegment pointer = Native.pointer(out);
            handle = new Handle(this, pointer, Native.SETTINGS_FREE, "settings", Result.INVALID_ARGUMENT);
            try {
                Native.installLogCallback(pointer);
            } catch (RuntimeException | Error e) {
                handle.close();
                throw e;
            }
        }
    }

    /** Settings holding {@code pairs} (set in key order). */
    public static Settings of(Map<String, String> pairs) {
        Settings settings = new Settings();
        try {
            new TreeMap<>(pairs).forEach(settings::set);
        } catch (RuntimeException e) {
            settings.close();
            throw e;
        }
        return settings;
    }

    /** Sets {@code key} to {@code value}; an empty key throws (CONFIG_SYNTAX). */
    public Settings set(String key, String value) {
        MemorySegment h = acquire();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = Native.cString(arena, key, "key");
            MemorySegment v = Native.cString(arena, value, "value");
            Native.check(arena, err -> (int) Native.SETTINGS_SET.invokeExact(h, k, v, err));
        } finally {
            done();
        }
        return this;
    }

    /** Adds the entries of a Java {@code .properties} file (CONFIG_IO, CONFIG_SYNTAX on error). */
    public Settings load(Path file) {
        MemorySegment h = acquire();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = Native.cString(arena, file.toString(), "path");
            Native.check(arena, err -> (int) Native.SETTINGS_LOAD_FILE.invokeExact(h, path, err));
        } finally {
            done();
        }
        return this;
    }

    /**
     * Starts a call that uses the C handle: the pointer, valid until {@link #done()}; throws
     * INVALID_ARGUMENT once closed.
     */
    MemorySegment acquire() {
        return handle.acquire();
    }

    /** Ends a call started by {@link #acquire()}; keeps these settings reachable until then. */
    void done() {
        handle.done(this);
    }

    /** The C pointer of {@code settings} for a call, NULL for null; pair with {@link #done(Settings)}. */
    static MemorySegment acquire(Settings settings) {
        return settings == null ? MemorySegment.NULL : settings.acquire();
    }

    /** Ends a call started by {@link #acquire(Settings)}. */
    static void done(Settings settings) {
        if (settings != null) {
            settings.done();
        }
    }

    /**
     * Releases the settings (idempotent; once calls using them on other threads have returned).
     * Consumers built from them keep their own copy.
     */
    @Override
    public void close() {
        handle.close();
    }
}
