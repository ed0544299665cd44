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
            handle = new Handle(this, Native.pointer(out), Native.OPTIONS_FREE, "check options");
        }
    }

    private CheckOptions setWord(MethodHandle setter, String value) {
        MemorySegment h = pointer();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = Native.cString(arena, value);
            Native.check(arena, err -> (int) setter.invokeExact(h, v, err));
        }
        return this;
    }

    /** The client's dialect: "java", "librdkafka" or "steady". */
    public CheckOptions dialect(String dialect) {
        return setWord(Native.OPTIONS_SET_DIALECT, dialect);
    }

    /** The client's version, such as "0.10.0". */
    public CheckOptions clientVersion(String version) {
        return setWord(Native.OPTIONS_SET_CLIENT_VERSION, version);
    }

    /** How the client heartbeats: "coupled" (only inside poll) or "decoupled". */
    public CheckOptions heartbeat(String heartbeat) {
        return setWord(Native.OPTIONS_SET_HEARTBEAT, heartbeat);
    }

    /** The broker's version, such as "0.10.0". */
    public CheckOptions brokerVersion(String version) {
        return setWord(Native.OPTIONS_SET_BROKER_VERSION, version);
    }

    /** The service profile: "apache", "alibaba" or "azure-event-hubs". */
    public CheckOptions profile(String profile) {
        return setWord(Native.OPTIONS_SET_PROFILE, profile);
    }

    /** Records per second one thread processes (> 0) and consumer threads (≥ 1). */
    public CheckOptions workload(double ratePerThread, int threads) {
        MemorySegment h = pointer();
        try (Arena arena = Arena.ofConfined()) {
            Native.check(arena, err -> (int) Native.OPTIONS_SET_WORKLOAD.invokeExact(h, ratePerThread, threads, err));
        }
        return this;
    }

    /** Processing time per record in ms: median and 99th percentile. */
    public CheckOptions recordMs(double p50, double p99) {
        MemorySegment h = pointer();
        try (Arena arena = Arena.ofConfined()) {
            Native.check(arena, err -> (int) Native.OPTIONS_SET_RECORD_MS.invokeExact(h, p50, p99, err));
        }
        return this;
    }

    /**
     * Probes the broker now and uses what it says in the check. {@code settings} supplies security
     * settings; {@code group} (may be null) names a live group to describe.
     */
    public CheckOptions probe(String bootstrapServers, Settings settings, String group, Duration timeout) {
        MemorySegment h = pointer();
        MemorySegment s = settings.pointer();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment servers = Native.cString(arena, bootstrapServers);
            MemorySegment g = Native.cString(arena, group);
            int ms = Native.millis(timeout);
            Native.check(arena, err -> (int) Native.OPTIONS_PROBE.invokeExact(h, servers, s, g, ms, err));
        }
        return this;
    }

    /** The C handle; throws once closed. */
    MemorySegment pointer() {
        return handle.pointer();
    }

    /** Releases the options (idempotent). */
    @Override
    public void close() {
        handle.release();
    }
}
