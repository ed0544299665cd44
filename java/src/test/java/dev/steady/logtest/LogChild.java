package dev.steady.logtest;

import dev.steady.Consumer;
import dev.steady.Message;
import dev.steady.Settings;
import java.time.Duration;
import java.util.List;

/**
 * The JVM LoggingTest starts: dev.steady on the module path, this package and {@link
 * RecordingFinder} on the class path. Consumes {@code count} records of {@code topic} with
 * {@code debug=cgrp} and {@code session.timeout.ms=6000} (rule ST005's warning), then prints
 * the metrics text between {@code METRICS} lines and every record the finder got, one
 * {@code LOG\tlogger\tlevel\tthread\tmessage} line each (newlines and tabs escaped).
 *
 * <p>Arguments: bootstrap, topic, group, count.
 */
public final class LogChild {
    private LogChild() {}

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        String group = args[2];
        int count = Integer.parseInt(args[3]);
        String metrics;
        try (Settings settings = new Settings()
                        .set("bootstrap.servers", bootstrap)
                        .set("group.id", group)
                        .set("auto.offset.reset", "earliest")
                        .set("debug", "cgrp")
                        .set("session.timeout.ms", "6000");
                Consumer consumer = new Consumer(settings, List.of(topic))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int consumed = 0;
            while (consumed < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("consumed " + consumed + " of " + count + " records in 30 s");
                }
                try (Message m = consumer.poll(Duration.ofMillis(500))) {
                    if (m != null) {
                        m.ack();
                        consumed++;
                    }
                }
            }
            metrics = consumer.metricsText();
        } // close waits for the queued records to reach the logger
        StringBuilder out = new StringBuilder();
        out.append("METRICS\n").append(metrics).append(metrics.endsWith("\n") ? "" : "\n").append("METRICS\n");
        for (RecordingFinder.Entry e : RecordingFinder.RECORDS) {
            out.append("LOG\t").append(e.logger()).append('\t').append(e.level()).append('\t')
                    .append(escape(e.thread())).append('\t').append(escape(e.message())).append('\n');
        }
        System.out.print(out);
        System.out.flush();
    }

    static String escape(String s) {
        return s == null ? "null" : s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t");
    }
}
