package dev.steady;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The findings of a check, most severe first. Immutable; readable from any thread. */
public final class Report implements AutoCloseable {
    private final Handle handle;
    private final List<Finding> findings;

    /** Takes ownership of a C report and copies its findings. */
    Report(MemorySegment report) {
        handle = new Handle(this, report, Native.REPORT_FREE, "report", Result.INVALID_ARGUMENT);
        try {
            long count = Native.invoke(() -> (long) Native.REPORT_COUNT.invokeExact(report));
            List<Finding> list = new ArrayList<>();
            for (long i = 0; i < count; i++) {
                long index = i;
                MemorySegment f = Native.invoke(
                        () -> (MemorySegment) Native.REPORT_FINDING.invokeExact(report, index));
                String recommendedKey = field(Native.FINDING_RECOMMENDED_KEY, f);
                Recommendation recommendation = recommendedKey == null
                        ? null
                        : new Recommendation(recommendedKey, field(Native.FINDING_RECOMMENDED_VALUE, f));
                list.add(new Finding(field(Native.FINDING_RULE, f), field(Native.FINDING_SEVERITY, f),
                        field(Native.FINDING_KEY, f), field(Native.FINDING_MESSAGE, f), recommendation,
                        field(Native.FINDING_SOURCE, f)));
            }
            findings = List.copyOf(list);
        } finally {
            Reference.reachabilityFence(this); // the cleaner must not free the report while it is read
        }
    }

    private static String field(MethodHandle accessor, MemorySegment finding) {
        return Native.string(Native.invoke(() -> (MemorySegment) accessor.invokeExact(finding)));
    }

    /** The findings, most severe first. */
    public List<Finding> findings() {
        return findings;
    }

    /** The first finding of {@code rule}, if any. */
    public Optional<Finding> find(String rule) {
        return findings.stream().filter(f -> f.rule().equals(rule)).findFirst();
    }

    /** The report as JSON, as the CLI's {@code --format json} prints it. */
    public String toJson() {
        MemorySegment r = handle.acquire();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = Native.slot(arena);
            Native.check(arena, err -> (int) Native.REPORT_TO_JSON.invokeExact(r, out, err));
            return Native.ownedString(Native.pointer(out));
        } finally {
            handle.done();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Releases the report (idempotent; once a {@link #toJson()} running on another thread has
     * returned); the findings stay readable, {@link #toJson()} then throws INVALID_ARGUMENT.
     */
    @Override
    public void close() {
        handle.close();
    }
}
