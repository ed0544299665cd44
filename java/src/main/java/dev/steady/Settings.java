package dev.steady;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Consumer properties (Java or librdkafka names, plus {@code steady.*}).
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
            handle = new Handle(this, Native.pointer(out), Native.SETTINGS_FREE, "settings");
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
        MemorySegment h = pointer();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = Native.cString(arena, key);
            MemorySegment v = Native.cString(arena, value);
            Native.check(arena, err -> (int) Native.SETTINGS_SET.invokeExact(h, k, v, err));
        }
        return this;
    }

    /** Adds the entries of a Java {@code .properties} file (CONFIG_IO, CONFIG_SYNTAX on error). */
    public Settings load(Path file) {
        MemorySegment h = pointer();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom(file.toString());
            Native.check(arena, err -> (int) Native.SETTINGS_LOAD_FILE.invokeExact(h, path, err));
        }
        return this;
    }

    /** The C handle; throws once closed. */
    MemorySegment pointer() {
        return handle.pointer();
    }

    /** Releases the settings (idempotent). */
    @Override
    public void close() {
        handle.release();
    }
}
