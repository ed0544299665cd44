package dev.steady;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/** Entry points: the rule checks, the broker probe and the library's version. */
public final class Steady {
    private Steady() {}

    /** The library's version, such as "0.1.0". */
    public static String version() {
        return Native.string(Native.invoke(() -> (MemorySegment) Native.VERSION.invokeExact()));
    }

    /** Runs every rule over {@code settings} and {@code options} (null: nothing else known). */
    public static Report check(Settings settings, CheckOptions options) {
        MemorySegment s = Settings.acquire(settings);
        try {
            MemorySegment o = options == null ? MemorySegment.NULL : options.acquire();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = Native.slot(arena);
                Native.check(arena, err -> (int) Native.CHECK.invokeExact(s, o, out, err));
                return new Report(Native.pointer(out));
            } finally {
                if (options != null) {
                    options.done();
                }
            }
        } finally {
            Settings.done(settings);
        }
    }

    /**
     * Asks the broker what it is (version range, KIP-62, static membership, KIP-848, session
     * window) and, when {@code group} is not null, describes that live group; the facts as JSON.
     */
    public static String probe(String bootstrapServers, Settings settings, String group, Duration timeout) {
        int ms = Native.millis(timeout);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment servers = Native.cString(arena, bootstrapServers, "bootstrap servers");
            MemorySegment g = Native.cString(arena, group, "group");
            MemorySegment out = Native.slot(arena);
            MemorySegment s = Settings.acquire(settings);
            try {
                Native.check(arena, err -> (int) Native.PROBE.invokeExact(servers, s, g, ms, out, err));
            } finally {
                Settings.done(settings);
            }
            return Native.ownedString(Native.pointer(out));
        }
    }
}
