package dev.steady.logtest;

import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A System.LoggerFinder that records every record (logger name, level, message, thread) of every
 * logger at every level. Registered through META-INF/services for {@link LogChild}'s JVM, where
 * this package is on the class path (in the surefire JVM the test classes are patched into the
 * named module dev.steady, whose services come from its module-info only, so it is unused there).
 *
 * <p>Its loggers throw after recording a librdkafka DEBUG line (a logger may fail): the upcall
 * must swallow that, or the JVM ends.
 */
public final class RecordingFinder extends System.LoggerFinder {
    /** One record a logger got. */
    public record Entry(String logger, System.Logger.Level level, String message, String thread) {}

    /** Every record so far, in arrival order. */
    public static final List<Entry> RECORDS = new CopyOnWriteArrayList<>();

    @Override
    public System.Logger getLogger(String name, Module module) {
        return new Recording(name);
    }

    private record Recording(String name) implements System.Logger {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            record(level, msg);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            record(level, params == null || params.length == 0
                    ? format : java.text.MessageFormat.format(format, params));
        }

        @Override
        public void log(Level level, Supplier<String> supplier) {
            record(level, supplier.get());
        }

        private void record(Level level, String message) {
            RECORDS.add(new Entry(name, level, message, Thread.currentThread().getName()));
            if (name.equals("steady.librdkafka") && level == Level.DEBUG) {
                throw new IllegalStateException("a failing logger (the test's)");
            }
        }
    }
}
