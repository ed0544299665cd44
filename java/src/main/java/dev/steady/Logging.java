package dev.steady;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * steady's log records in Java: the target of the {@code steady_log_cb} upcall every consumer
 * gets (installed on every {@link Settings}, see {@link Native#installLogCallback}).
 *
 * <p>Each record goes to {@code System.getLogger("steady")} (steady's own: start-up findings
 * with facility {@code config}, rebalances, errors) or {@code System.getLogger("steady.librdkafka")}
 * (librdkafka's lines, at DEBUG with {@code debug=cgrp,…}) with the facility in front of the
 * message ({@code "CGRPOP: …"}), so a System.Logger bridge (SLF4J, Log4j) or
 * {@code java.util.logging} by default receives them. steady calls it on the consumer's own
 * {@code steady-log} thread, one record at a time, never on librdkafka's or the poll thread.
 */
final class Logging {
    private Logging() {}

    /** The logger of steady's own records. */
    static final String STEADY = "steady";
    /** The logger of librdkafka's lines. */
    static final String LIBRDKAFKA = "steady.librdkafka";

    /** The C levels ({@code steady_log_level_t}, syslog numbers) by the name after {@code STEADY_LOG_}. */
    static final Map<String, Integer> LEVELS = Map.of("ERROR", 3, "WARN", 4, "INFO", 6, "DEBUG", 7);

    /**
     * The name of the thread steady calls from; the JVM names it {@code Thread-N} when it attaches
     * it for the first record, and it is renamed then, so the logs show it.
     */
    static final String THREAD = "steady-log";

    private static final System.Logger STEADY_LOGGER = System.getLogger(STEADY);
    private static final System.Logger LIBRDKAFKA_LOGGER = System.getLogger(LIBRDKAFKA);
    /** Loggers of names steady may add later. */
    private static final Map<String, System.Logger> OTHERS = new ConcurrentHashMap<>();
    /** Records a logger threw on (they are dropped: nothing may throw into C). */
    private static final AtomicLong FAILED = new AtomicLong();

    /** The System.Logger level of a C level: 3 ERROR, 4 WARNING, 6 INFO, 7 DEBUG (others nearest). */
    static System.Logger.Level level(int level) {
        if (level <= 3) {
            return System.Logger.Level.ERROR;
        } else if (level == 4) {
            return System.Logger.Level.WARNING;
        } else if (level <= 6) {
            return System.Logger.Level.INFO;
        } else if (level == 7) {
            return System.Logger.Level.DEBUG;
        }
        return System.Logger.Level.TRACE;
    }

    /** The logger of a record's logger name; "steady" for none. */
    static System.Logger logger(String name) {
        if (name == null || name.equals(STEADY)) {
            return STEADY_LOGGER;
        }
        if (name.equals(LIBRDKAFKA)) {
            return LIBRDKAFKA_LOGGER;
        }
        return OTHERS.computeIfAbsent(name, System::getLogger);
    }

    /** The text logged: {@code "facility: message"}, or the message without a facility. */
    static String text(String facility, String message) {
        String m = message == null ? "" : message;
        return facility == null || facility.isEmpty() ? m : facility + ": " + m;
    }

    /** How many records a logger threw on. */
    static long failed() {
        return FAILED.get();
    }

    /**
     * The upcall ({@code steady_log_cb}): logs one record. Never throws — an exception (or error)
     * thrown into C would end the JVM — so whatever the logger throws is swallowed and counted.
     * The strings are valid only during the call; they are copied first.
     */
    static void log(MemorySegment userData, int level, MemorySegment logger, MemorySegment facility,
            MemorySegment message) {
        try {
            Thread current = Thread.currentThread();
            if (current.getName().startsWith("Thread-")) { // the JVM's name for an attached thread
                current.setName(THREAD);
            }
            System.Logger target = logger(Native.string(logger));
            System.Logger.Level l = level(level);
            if (target.isLoggable(l)) {
                target.log(l, text(Native.string(facility), Native.string(message)));
            }
        } catch (Throwable t) {
            try {
                FAILED.incrementAndGet();
            } catch (Throwable ignored) {
                // nothing else may happen here
            }
        }
    }
}
