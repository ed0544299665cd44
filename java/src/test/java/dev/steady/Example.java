package dev.steady;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Checks consumer settings, then consumes a topic with a handler that may be slow. */
public final class Example {
    private Example() {}

    /** Usage: Example BOOTSTRAP TOPIC GROUP COUNT */
    public static void main(String[] args) {
        String bootstrap = args[0], topic = args[1], group = args[2];
        int count = Integer.parseInt(args[3]);
        try (Settings settings = Settings.of(Map.of(
                "bootstrap.servers", bootstrap,
                "group.id", group,
                "auto.offset.reset", "earliest"))) {

            // The doctor: what in these settings would make the group rebalance?
            try (Report report = Steady.check(settings, null)) {
                for (Finding f : report.findings()) {
                    System.out.printf("%s %s %s: %s%n", f.rule(), f.severity(), f.key(), f.message());
                }
            }

            // The consumer: heartbeats run on steady's thread, so the handler may take its time.
            try (Consumer consumer = new Consumer(settings, List.of(topic))) {
                for (int seen = 0; seen < count; ) {
                    try (Message m = consumer.poll(Duration.ofSeconds(1))) {
                        if (m == null) {
                            continue; // nothing yet
                        }
                        System.out.printf("%s/%d@%d: %s%n", m.topic(), m.partition(), m.offset(),
                                new String(m.value(), StandardCharsets.UTF_8));
                        m.ack();
                        seen++;
                    }
                }
            }
        }
    }
}
