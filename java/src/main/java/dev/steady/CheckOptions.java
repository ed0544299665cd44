package dev.steady;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.time.Duration;

/**
 * What a check knows besides the settings: client, broker, workload, service profile. Everything
 * starts unknown; rules whose inputs stay unknown stay silent. Setters throw a
 * {@link SteadyException} (INVALID_ARGUMENT naming the value) for values steady does not accept.
 *
 * <p>Not for concurrent modification.
 */
public final class CheckOptions implements AutoCloseable {
    private final Handle handle;

    /** Options with nothing known. */
    public CheckOptions() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = Native.slot(arena);
            Native.check(arena, err -> (int) Native.OPTIONS_NEW.invokeExact(out));
            handle = new Handle(this, Native.pointer(out), Native.OPTIONS_FREE, "check options",
                    Result.INVALID_ARGUMENT);
        }
    }

    /** A setter call on the live handle. */
    @FunctionalInterface
    private interface Setter {
        void run(MemorySegment options, Arena arena);
    }

    /** Runs {@code setter} on the handle, keeping these options reachable until it returns. */
    private CheckOptions set(Setter setter) {
        MemorySegment h = acquire();
        try (Arena arena = Arena.ofConfined()) {
            setter.run(h, arena);
        } finally {
            done();
        }
        return this;
    }

    private CheckOptions setWord(MethodHandle setter, String value, String name) {
        return set((h, arena) -> {
            MemorySegment v = Native.cString(arena, value, name);
            Native.check(arena, err -> (int) setter.invokeExact(h, v, err));
        });
    }

    /** The client's dialect: "java", "librdkafka" or "steady". */
    public CheckOptions dialect(String dialect) {
        return setWord(Native.OPTIONS_SET_DIALECT, dialect, "dialect");
    }

    /** The client's version, such as "0.10.0". */
    public CheckOptions clientVersion(String version) {
        return setWord(Native.OPTIONS_SET_CLIENT_VERSION, version, "client version");
    }

    /** How the client heartbeats: "coupled" (only inside poll) or "decoupled". */
    public CheckOptions heartbeat(String heartbeat) {
        return setWord(Native.OPTIONS_SET_HEARTBEAT, heartbeat, "heartbeat");
    }

    /** The broker's version, such as "0.10.0". */
    public CheckOptions brokerVersion(String version) {
        return setWord(Native.OPTIONS_SET_BROKER_VERSION, version, "broker version");
    }

    /** The service profile: "apache", "alibaba" or "azure-event-hubs". */
    public CheckOptions profile(String profile) {
        return setWord(Native.OPTIONS_SET_PROFILE, profile, "profile");
    }

    /** Records per second one thread processes (> 0) and consumer threads (≥ 1). */
    public CheckOptions workload(double ratePerThread, int threads) {
        return set((h, arena) -> Native.check(arena,
                err -> (int) Native.OPTIONS_SET_WORKLOAD.invokeExact(h, ratePerThread, threads, err)));
    }

    /** Processing time per record in ms: median and 99th percentile. */
    public CheckOptions recordMs(double p50, double p99) {
        return set((h, arena) -> Native.check(arena,
                err -> (int) Native.OPTIONS_SET_RECORD_MS.invokeExact(h, p50, p99, err)));
    }

    /**
     * Probes the broker now and uses what it says in the check. {@code settings} supplies security
     * settings; {@code group} (may be null) names a live group to describe.
     */
    public CheckOptions probe(String bootstrapServers, Settings settings, String group, Duration timeout) {
        int ms = Native.millis(timeout);
        return set((h, arena) -> {
            MemorySegment servers = Native.cString(arena, bootstrapServers, "bootstrap servers");
            MemorySegment g = Native.cString(arena, group, "group");
            MemorySegment s = Settings.acquire(settings);
            try {
                Native.check(arena, err -> (int) Native.OPTIONS_PROBE.invokeExact(h, servers, s, g, ms, err));
            } finally {
                Settings.done(settings);
            }
        });
    }

    /**
     * Starts a call that uses the C handle: the pointer, valid until {@link #done()}; throws
     * INVALID_ARGUMENT once closed.
     */
    MemorySegment acquire() {
        return handle.acquire();
    }

    /** Ends a call started by {@link #acquire()}; keeps these options reachable until then. */
    void done() {
        handle.done(this);
    }

    /** Releases the options (idempotent; once calls using them on other threads have returned). */
    @Override
    public void close() {
        handle.close();
    }
}
