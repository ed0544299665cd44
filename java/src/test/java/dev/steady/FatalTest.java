package dev.steady;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Fatal Kafka errors: visible to every later call, and close still works. */
class FatalTest {
    /**
     * Polls without a time limit on another thread until a poll throws, acking what arrives; the
     * exception, which must come within {@code bound}. A fatal error must wake a blocked poll.
     */
    static SteadyException blockingPollFailure(Consumer consumer, Duration bound) throws Exception {
        CompletableFuture<SteadyException> failure = CompletableFuture.supplyAsync(() -> {
            while (true) {
                try (Message m = consumer.poll(Duration.ofMillis(-1))) {
                    m.ack();
                } catch (SteadyException e) {
                    return e;
                }
            }
        });
        try {
            return failure.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no failure within " + bound, e);
        }
    }

    /** The exception is the fatal Kafka error {@code name} ({@code code}). */
    static void assertFatal(String name, int code, SteadyException e) {
        assertEquals(Result.KAFKA_FATAL, e.result(), e.getMessage());
        assertTrue(e.isFatal(), e.getMessage());
        assertEquals(name, e.kafkaName(), e.getMessage());
        assertEquals(code, e.kafkaCode(), e.getMessage());
    }

    /**
     * Two consumers with one group.instance.id: the second fences the first, whose poll then
     * throws FENCED_INSTANCE_ID (fatal) within 30 s, again on every later poll and commit; its
     * close still works.
     */
    @Test
    void fencedStaticMember() throws Exception {
        String topic = TestBroker.createTopic("fenced", 1);
        TestBroker.produce(topic, List.of(Map.entry("k", "v")));
        String group = TestBroker.unique("fenced-group");
        Map<String, String> staticMember = Map.of(
                "group.instance.id", TestBroker.unique("instance"),
                "session.timeout.ms", "6000",
                "heartbeat.interval.ms", "2000",
                "steady.revoke.drain.ms", "500");
        try (Settings settings = TestBroker.settings(group, staticMember)) {
            Consumer a = new Consumer(settings, List.of(topic));
            try {
                try (Message first = TestBroker.firstMessage(a)) { // A has its assignment
                    first.ack();
                }
                try (Consumer b = new Consumer(settings, List.of(topic))) {
                    SteadyException fenced = blockingPollFailure(a, Duration.ofSeconds(30));
                    assertFatal("FENCED_INSTANCE_ID", 82, fenced);
                    assertFatal("FENCED_INSTANCE_ID", 82,
                            assertThrows(SteadyException.class, () -> a.poll(Duration.ofSeconds(1))));
                    assertFatal("FENCED_INSTANCE_ID", 82,
                            assertThrows(SteadyException.class, () -> a.pollBatch(8, Duration.ZERO)));
                    assertFatal("FENCED_INSTANCE_ID", 82, assertThrows(SteadyException.class, a::commit));
                    a.close(); // works after a fatal error
                    MisuseTest.expect(Result.CLOSED, "closed", () -> a.poll(Duration.ZERO));
                    try (Message m = b.poll(Duration.ofSeconds(1))) { // the member that took over goes on
                        if (m != null) {
                            m.ack();
                        }
                    }
                }
            } finally {
                a.close();
            }
        }
    }

    /** KIP-848 with an assignor the broker does not know: UNSUPPORTED_ASSIGNOR, fatal, within 30 s. */
    @Test
    void unsupportedRemoteAssignor() throws Exception {
        String topic = TestBroker.createTopic("assignor", 1);
        Map<String, String> bogus = Map.of(
                "group.protocol", "consumer",
                "group.remote.assignor", "bogus",
                "steady.revoke.drain.ms", "500");
        try (Settings settings = TestBroker.settings(bogus)) {
            Consumer consumer = new Consumer(settings, List.of(topic));
            try {
                SteadyException e = blockingPollFailure(consumer, Duration.ofSeconds(30));
                assertFatal("UNSUPPORTED_ASSIGNOR", 112, e);
                assertFatal("UNSUPPORTED_ASSIGNOR", 112,
                        assertThrows(SteadyException.class, () -> consumer.poll(Duration.ofSeconds(1))));
                assertFatal("UNSUPPORTED_ASSIGNOR", 112, assertThrows(SteadyException.class, consumer::commit));
                consumer.close(); // works after a fatal error
                MisuseTest.expect(Result.CLOSED, "closed", () -> consumer.poll(Duration.ZERO));
            } finally {
                consumer.close();
            }
        }
    }
}
