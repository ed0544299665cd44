package dev.steady;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ConsumerTest {
    /** The unsigned number after "key": in the stats JSON. */
    static long stat(Consumer consumer, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":(\\d+)").matcher(consumer.statsJson());
        assertTrue(m.find(), key);
        return Long.parseLong(m.group(1));
    }

    /**
     * A handler slower than max.poll.interval.ms (6 s) for every record: no rebalance after the
     * first assignment, every record processed once.
     */
    @Test
    void slowHandlerNoRebalance() throws Exception {
        int records = 2;
        String topic = TestBroker.createTopic("slow", 1);
        TestBroker.produce(topic, List.of(Map.entry("k1", "slow-1"), Map.entry("k2", "slow-2")));
        Map<String, String> tight = Map.of(
                "session.timeout.ms", "6000", "heartbeat.interval.ms", "2000", "max.poll.interval.ms", "6000");
        try (Settings settings = TestBroker.settings(tight);
                Consumer consumer = new Consumer(settings, List.of(topic))) {
            Message m = TestBroker.firstMessage(consumer);
            long rebalances = stat(consumer, "rebalances");
            assertTrue(rebalances >= 1);
            for (int processed = 0; processed < records; processed++) {
                try (Message current = m) {
                    assertEquals(processed, current.offset());
                    assertEquals("slow-" + (processed + 1), new String(current.value(), StandardCharsets.UTF_8));
                    assertArrayEquals(("k" + (processed + 1)).getBytes(StandardCharsets.UTF_8), current.key());
                    assertEquals("n", current.headers().get(0).name());
                    Thread.sleep(7000); // the slow handler
                    current.ack();
                }
                if (processed + 1 < records) {
                    m = consumer.poll(Duration.ofSeconds(30));
                }
            }
            assertNull(consumer.poll(Duration.ofSeconds(2)), "delivered again");
            assertEquals(rebalances, stat(consumer, "rebalances"));
            assertEquals(records, stat(consumer, "acked"));
            consumer.commit();
        }
    }

    /** close() from another thread wakes a poll that has no time limit. */
    @Test
    void closeWakesPoll() throws Exception {
        String topic = TestBroker.createTopic("close", 1);
        try (Settings settings = TestBroker.settings(Map.of())) {
            Consumer consumer = new Consumer(settings, List.of(topic));
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Message> poll = CompletableFuture.supplyAsync(() -> {
                started.countDown();
                return consumer.poll(Duration.ofMillis(-1));
            });
            started.await();
            Thread.sleep(1000); // let it block inside poll; the outcome is the same if it has not yet
            consumer.close();
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                    ExecutionException.class, () -> poll.get(60, TimeUnit.SECONDS));
            SteadyException cause = (SteadyException) e.getCause();
            assertEquals(Result.CLOSED, cause.result());
        }
    }
}
