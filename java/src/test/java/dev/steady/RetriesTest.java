package dev.steady;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Nack, reject and dead letters against the broker. */
class RetriesTest {
    /** The first event of {@code kind} within a minute; the others are closed (done). */
    static Event waitEvent(Consumer consumer, EventKind kind) {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Event> event = consumer.nextEvent(Duration.ofMillis(500));
            if (event.isEmpty()) {
                continue;
            }
            if (event.get().kind() == kind) {
                return event.get();
            }
            event.get().close();
        }
        throw new AssertionError("no " + kind + " event within a minute");
    }

    /** The record at {@code offset} (30 s at most); others go to {@code rest}. */
    static Message next(Consumer consumer, long offset, Map<Long, Message> rest) {
        Message kept = rest.remove(offset);
        if (kept != null) {
            return kept;
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Message m = consumer.poll(Duration.ofMillis(500));
            if (m == null) {
                continue;
            }
            if (m.offset() == offset) {
                return m;
            }
            rest.put(m.offset(), m);
        }
        throw new AssertionError("offset " + offset + " not delivered within 30 s");
    }

    static long commitAndRead(Consumer consumer, String topic) {
        consumer.commit();
        return consumer.committed(topic, 0).orElse(-1);
    }

    static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * A record nacked twice, then acked, comes again with attempt 2, then 3, and is committed
     * only after the ack; a rejected record goes to steady.dlq.topic with the source headers,
     * counts as acked once there, and a DEAD_LETTERED event names it.
     */
    @Test
    @SuppressWarnings("try") // the consumer is closed in the block, before the late nack
    void nackTwiceThenAckAndRejectToTheDeadLetterTopic() throws Exception {
        String topic = TestBroker.createTopic("retries", 1);
        String dlq = TestBroker.createTopic("dlq", 1);
        try {
            TestBroker.produce(topic, List.of(Map.entry("k1", "retry-me"), Map.entry("k2", "reject-me")));
            try (Settings settings = TestBroker.settings(Map.of("enable.auto.commit", "false",
                    "steady.events.enable", "true", "steady.retry.backoff.ms", "100",
                    "steady.dlq.topic", dlq, "steady.revoke.drain.ms", "500"));
                    Consumer consumer = new Consumer(settings, List.of(topic))) {
                waitEvent(consumer, EventKind.ASSIGNED).close();
                Map<Long, Message> rest = new HashMap<>();
                Message m = next(consumer, 0, rest);
                assertEquals(1, m.attempt());
                m.nack("first failure");
                m.ack(); // after a nack: no effect
                m = next(consumer, 0, rest);
                assertEquals(2, m.attempt());
                m.nack("second failure", Duration.ofMillis(50));
                assertEquals(0, commitAndRead(consumer, topic), "nothing past offset 0 while it is retried");
                m = next(consumer, 0, rest);
                assertEquals(3, m.attempt());
                assertEquals("retry-me", text(m.value()));
                assertEquals(0, commitAndRead(consumer, topic), "not before the ack");
                m.ack();
                assertEquals(1, commitAndRead(consumer, topic));

                Message r = next(consumer, 1, rest);
                MisuseTest.expect(Result.NULL_PARAMETER, "", () -> r.nack("x", null));
                r.reject("cannot parse");
                try (Event event = waitEvent(consumer, EventKind.DEAD_LETTERED)) {
                    assertEquals(List.of(new PartitionOffset(topic, 0, OptionalLong.of(1))), event.partitions());
                    assertTrue(event.error().isEmpty(), () -> "error: " + event.error());
                }
                assertEquals(2, commitAndRead(consumer, topic), "acked once the dead-letter topic has it");
                assertEquals(2, ConsumerTest.stat(consumer, "retries"));
                assertEquals(1, ConsumerTest.stat(consumer, "dead_lettered"));
                assertEquals(0, ConsumerTest.stat(consumer, "parked_records"));
                consumer.close();
                MisuseTest.expect(Result.CLOSED, "closed", () -> r.nack("late"));
            }
            try (Settings settings = TestBroker.settings(Map.of());
                    Consumer reader = new Consumer(settings, List.of(dlq));
                    Message letter = TestBroker.firstMessage(reader)) {
                Map<String, String> headers = new HashMap<>();
                letter.headers().forEach(h -> headers.put(h.name(), text(h.value())));
                assertEquals(Map.of("n", "1", "steady.source.topic", topic, "steady.source.partition", "0",
                        "steady.source.offset", "1", "steady.attempts", "1", "steady.error", "cannot parse"), headers);
                assertEquals("k2", text(letter.key()));
                assertEquals("reject-me", text(letter.value()));
            }
        } finally {
            TestBroker.deleteTopic(topic);
            TestBroker.deleteTopic(dlq);
        }
    }
}
