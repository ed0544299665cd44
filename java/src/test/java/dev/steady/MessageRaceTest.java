package dev.steady;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Message.close() and ack() on two threads at once, message after message. */
class MessageRaceTest {
    static final int RECORDS = 20_000;

    /** Spins for a random few microseconds, so that either thread may come first. */
    static void jitter(SplittableRandom random) {
        for (int i = random.nextInt(2_000); i > 0; i--) {
            Thread.onSpinWait();
        }
    }

    /**
     * Each message is acked on one thread while another closes it: the ack either succeeds or
     * throws CLOSED ("message is closed"), never anything else, and steady counts exactly the
     * acks that succeeded.
     */
    @Test
    void closeRacingAck() throws Exception {
        String topic = TestBroker.createTopic("race", 1);
        try {
            TestBroker.produceMany(topic, 1, RECORDS);
            try (Settings settings = TestBroker.settings(Map.of("steady.revoke.drain.ms", "200"));
                    Consumer consumer = new Consumer(settings, List.of(topic))) {
                List<Message> messages = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                while (messages.size() < RECORDS) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("only " + messages.size() + " records within 2 minutes");
                    }
                    messages.addAll(consumer.pollBatch(1024, Duration.ofSeconds(1)));
                }
                CyclicBarrier together = new CyclicBarrier(2);
                ExecutorService threads = Executors.newFixedThreadPool(2); // the common pool may have 1
                Future<Integer> acker = threads.submit(() -> {
                    SplittableRandom random = new SplittableRandom(1);
                    int acked = 0;
                    for (Message m : messages) {
                        await(together);
                        jitter(random);
                        try {
                            m.ack();
                            acked++;
                        } catch (SteadyException e) {
                            assertEquals(Result.CLOSED, e.result(), e.getMessage());
                            assertTrue(e.getMessage().contains("message is closed"), e.getMessage());
                        }
                    }
                    return acked;
                });
                Future<?> closer = threads.submit(() -> {
                    SplittableRandom random = new SplittableRandom(2);
                    for (Message m : messages) {
                        await(together);
                        jitter(random);
                        m.close();
                    }
                });
                int acked = acker.get(2, TimeUnit.MINUTES);
                closer.get(2, TimeUnit.MINUTES);
                threads.shutdown();
                System.out.println("race: acks that won: " + acked);
                assertEquals(acked, ConsumerTest.stat(consumer, "acked"));
                assertTrue(acked > 0 && acked < RECORDS, "acks that won the race: " + acked);
                for (Message m : messages) {
                    MisuseTest.expect(Result.CLOSED, "message is closed", m::ack);
                }
            }
        } finally {
            TestBroker.deleteTopic(topic);
        }
    }

    static void await(CyclicBarrier barrier) {
        try {
            barrier.await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
