package dev.steady;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/** One test per row of the semantics table (docs/semantics.md). */
class SemanticsTest {
    /** Closes quickly even with messages in flight. */
    static final Map<String, String> QUICK_CLOSE = Map.of("steady.revoke.drain.ms", "200");

    /** A topic of one partition holding records k0 → v0, k1 → v1, … */
    static String topicWith(String what, int records) throws Exception {
        String topic = TestBroker.createTopic(what, 1);
        List<Map.Entry<String, String>> list = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            list.add(Map.entry("k" + i, "v" + i));
        }
        TestBroker.produce(topic, list);
        return topic;
    }

    /** The message is record {@code i} of {@link #topicWith}. */
    static void assertRecord(String topic, int i, Message m) {
        assertEquals(topic, m.topic());
        assertEquals(0, m.partition());
        assertEquals(i, m.offset());
        assertArrayEquals(("k" + i).getBytes(StandardCharsets.UTF_8), m.key());
        assertArrayEquals(("v" + i).getBytes(StandardCharsets.UTF_8), m.value());
        assertEquals("n", m.headers().get(0).name());
        assertArrayEquals(Integer.toString(i).getBytes(StandardCharsets.UTF_8), m.headers().get(0).value());
        assertNotNull(m.timestamp());
    }

    /** A second ack has no effect and returns normally; the commit covers each record once. */
    @Test
    void secondAckHasNoEffect() throws Exception {
        String topic = topicWith("ack-twice", 2);
        String group = TestBroker.unique("group");
        try (Settings settings = TestBroker.settings(group, QUICK_CLOSE);
                Consumer consumer = new Consumer(settings, List.of(topic))) {
            try (Message m = TestBroker.firstMessage(consumer)) {
                m.ack();
                m.ack();
                assertEquals(1, ConsumerTest.stat(consumer, "acked"));
            }
            try (Message m = consumer.poll(Duration.ofSeconds(30))) {
                assertRecord(topic, 1, m);
                m.ack();
                m.ack();
            }
            assertEquals(2, ConsumerTest.stat(consumer, "acked"));
            consumer.commit();
            assertEquals(2, TestBroker.committed(group, topic));
        }
    }

    /** An ack after the consumer was closed throws CLOSED, whether the message was acked before or not. */
    @Test
    void ackAfterConsumerCloseThrowsClosed() throws Exception {
        String topic = topicWith("ack-closed", 2);
        try (Settings settings = TestBroker.settings(QUICK_CLOSE)) {
            Consumer consumer = new Consumer(settings, List.of(topic));
            try (Message acked = TestBroker.firstMessage(consumer);
                    Message unacked = consumer.poll(Duration.ofSeconds(30))) {
                assertRecord(topic, 1, unacked);
                acked.ack();
                consumer.close();
                MisuseTest.expect(Result.CLOSED, "closed", unacked::ack);
                MisuseTest.expect(Result.CLOSED, "closed", unacked::ack);
                MisuseTest.expect(Result.CLOSED, "closed", acked::ack);
            }
        }
    }

    /**
     * An ack of a record whose partition the consumer lost (here: it left the group over the
     * record's stall) returns normally and has no effect: the record is delivered again.
     */
    @Test
    void ackOfALostPartitionHasNoEffect() throws Exception {
        String topic = topicWith("lost", 1);
        Map<String, String> stalls = Map.of("steady.processing.timeout.ms", "3000", "steady.revoke.drain.ms", "200");
        try (Settings settings = TestBroker.settings(stalls);
                Consumer consumer = new Consumer(settings, List.of(topic))) {
            try (Message m = TestBroker.firstMessage(consumer)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (true) { // the record stalls, and the consumer gives its partition up
                    try {
                        assertNull(consumer.poll(Duration.ofSeconds(1)));
                    } catch (SteadyException e) {
                        assertEquals(Result.STALLED, e.result(), e.getMessage());
                        break;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("no stall within 60 s");
                    }
                }
                // An ack that comes before the partition is actually given up still counts;
                // this one comes after.
                while (!consumer.statsJson().contains("\"assignment\":[]")) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("the partition was not given up within 60 s");
                    }
                    Thread.sleep(50);
                }
                m.ack();
            }
            try (Message again = TestBroker.firstMessage(consumer)) {
                assertRecord(topic, 0, again);
                again.ack();
            }
        }
    }

    /** A second close returns normally, also several at once, and only once the first finished. */
    @Test
    void secondCloseReturnsOnceTheFirstFinished() throws Exception {
        String topic = topicWith("close-twice", 2);
        String group = TestBroker.unique("group");
        // Only close commits (no background commits); it waits 4 s for the unacked record.
        Map<String, String> slowClose = Map.of("enable.auto.commit", "false", "steady.revoke.drain.ms", "4000");
        try (Settings settings = TestBroker.settings(group, slowClose)) {
            Consumer consumer = new Consumer(settings, List.of(topic));
            Message first = TestBroker.firstMessage(consumer);
            Message second = consumer.poll(Duration.ofSeconds(30));
            assertNotNull(second);
            first.ack();
            CompletableFuture<Void> firstClose = CompletableFuture.runAsync(consumer::close);
            // Once the first close has started, poll throws CLOSED.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    assertNull(consumer.poll(Duration.ofMillis(10)));
                } catch (SteadyException e) {
                    assertEquals(Result.CLOSED, e.result(), e.getMessage());
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("close did not start within 30 s");
                }
            }
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<Void>> more = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                more.add(CompletableFuture.runAsync(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    consumer.close();
                }));
            }
            start.countDown();
            consumer.close();
            // The first close's final commit (the acked prefix: offset 1) is done.
            assertEquals(1, TestBroker.committed(group, topic));
            for (CompletableFuture<Void> close : more) {
                close.get(60, TimeUnit.SECONDS);
            }
            firstClose.get(60, TimeUnit.SECONDS);
            consumer.close();
            MisuseTest.expect(Result.CLOSED, "closed", second::ack);
            first.close();
            second.close();
        }
    }

    /** poll, pollBatch and commit after close throw CLOSED. */
    @Test
    void callsAfterCloseThrowClosed() throws Exception {
        String topic = TestBroker.createTopic("after-close", 1);
        try (Settings settings = TestBroker.settings(QUICK_CLOSE)) {
            Consumer consumer = new Consumer(settings, List.of(topic));
            consumer.close();
            MisuseTest.expect(Result.CLOSED, "closed", () -> consumer.poll(Duration.ZERO));
            MisuseTest.expect(Result.CLOSED, "closed", () -> consumer.poll(Duration.ofMillis(-1)));
            MisuseTest.expect(Result.CLOSED, "closed", () -> consumer.pollBatch(8, Duration.ZERO));
            MisuseTest.expect(Result.CLOSED, "closed", consumer::commit);
        }
    }

    /** A message reads the same after its ack, after its close and after its consumer's close. */
    @Test
    void messageReadableAfterAckAndClose() throws Exception {
        String topic = topicWith("readable", 1);
        try (Settings settings = TestBroker.settings(QUICK_CLOSE)) {
            Consumer consumer = new Consumer(settings, List.of(topic));
            Message m = TestBroker.firstMessage(consumer);
            assertRecord(topic, 0, m);
            m.ack();
            assertRecord(topic, 0, m);
            consumer.close();
            assertRecord(topic, 0, m);
            m.close();
            assertRecord(topic, 0, m);
        }
    }

    /** Closing a message twice has no effect; an ack after its close throws CLOSED. */
    @Test
    void messageClosedTwice() throws Exception {
        String topic = topicWith("message-close", 1);
        try (Settings settings = TestBroker.settings(QUICK_CLOSE);
                Consumer consumer = new Consumer(settings, List.of(topic))) {
            Message m = TestBroker.firstMessage(consumer);
            m.close();
            m.close();
            MisuseTest.expect(Result.CLOSED, "message is closed", m::ack);
            assertEquals(0, ConsumerTest.stat(consumer, "acked"));
        }
    }

    /** Polls the first record with a consumer nothing else references, and drops the consumer. */
    static Message pollWithDroppedConsumer(Settings settings, String topic) {
        Consumer consumer = new Consumer(settings, List.of(topic));
        return TestBroker.firstMessage(consumer);
    }

    /**
     * A consumer never closed is closed once unreachable, also while one of its messages is still
     * held: the group loses its member, and the message's ack throws CLOSED.
     */
    @Test
    void unreachableConsumerIsClosedByItsCleaner() throws Exception {
        String topic = topicWith("cleaner", 1);
        String group = TestBroker.unique("group");
        try (Settings settings = TestBroker.settings(group, QUICK_CLOSE);
                Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.bootstrap()))) {
            Message m = pollWithDroppedConsumer(settings, topic);
            assertEquals(1, TestBroker.members(admin, group));
            TestBroker.await("the group has no member", Duration.ofSeconds(60), () -> {
                System.gc();
                try {
                    return TestBroker.members(admin, group) == 0;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            MisuseTest.expect(Result.CLOSED, "closed", m::ack);
            assertRecord(topic, 0, m);
            m.close();
        }
    }

    /** Polls the first record and drops it unclosed; a weak reference to it. */
    static WeakReference<Message> pollAndDrop(Consumer consumer) {
        return new WeakReference<>(TestBroker.firstMessage(consumer));
    }

    /** A message collected without close or ack leaves its consumer working. */
    @Test
    void collectedMessageLeavesTheConsumerOpen() throws Exception {
        String topic = topicWith("collected", 2);
        String group = TestBroker.unique("group");
        try (Settings settings = TestBroker.settings(group, QUICK_CLOSE);
                Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.bootstrap()));
                Consumer consumer = new Consumer(settings, List.of(topic))) {
            WeakReference<Message> dropped = pollAndDrop(consumer);
            TestBroker.await("the message is collected", Duration.ofSeconds(60), () -> {
                System.gc();
                return dropped.get() == null;
            });
            try (Message m = consumer.poll(Duration.ofSeconds(30))) {
                assertRecord(topic, 1, m);
                m.ack();
            }
            assertEquals(1, TestBroker.members(admin, group));
        }
    }
}
