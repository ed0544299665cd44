package dev.steady;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A million records polled and acked while another thread keeps calling System.gc(): the cleaner
 * runs all the time, and must never free a message or consumer during one of its own calls.
 */
class GcStressTest {
    static final int RECORDS = 1_000_000;
    static final int PARTITIONS = 4;
    static final int BATCH = 2048;

    @Test
    void millionPollsAndAcksUnderGc() throws Exception {
        long started = System.nanoTime();
        String topic = TestBroker.createTopic("gc", PARTITIONS);
        try {
            TestBroker.produceMany(topic, PARTITIONS, RECORDS);
            long produced = System.nanoTime();
            // One full collection per batch polled, while that batch is processed: back-to-back
            // collections would leave the polling thread no time to run at all.
            Semaphore polled = new Semaphore(0);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong collections = new AtomicLong();
            Thread gc = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        if (polled.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                            polled.drainPermits();
                            System.gc();
                            collections.incrementAndGet();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "gc-loop");
            gc.setDaemon(true);
            BitSet[] seen = new BitSet[PARTITIONS];
            for (int p = 0; p < PARTITIONS; p++) {
                seen[p] = new BitSet();
            }
            long polls = 0;
            int received = 0;
            gc.start();
            Map<String, String> big = Map.of(
                    "steady.buffer.max.records", Integer.toString(2 * BATCH), "steady.revoke.drain.ms", "500");
            try (Settings settings = TestBroker.settings(big);
                    Consumer consumer = new Consumer(settings, List.of(topic))) {
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (received < RECORDS) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("only " + received + " records within 3 minutes");
                    }
                    List<Message> batch = consumer.pollBatch(BATCH, Duration.ofSeconds(1));
                    polls++;
                    polled.release();
                    for (int i = 0; i < batch.size(); i++) {
                        Message m = batch.set(i, null); // only m refers to the message now
                        long index = ByteBuffer.wrap(m.value()).getLong();
                        assertEquals(index % PARTITIONS, m.partition());
                        seen[m.partition()].set((int) m.offset());
                        m.ack(); // for odd i the last use of m: only the fence keeps it alive
                        if (i % 2 == 0) {
                            m.close(); // the other half is left to the cleaner
                        }
                    }
                    received += batch.size();
                }
                assertEquals(RECORDS, ConsumerTest.stat(consumer, "acked"));
            } finally {
                stop.set(true);
                gc.join(60_000);
            }
            int distinct = 0;
            for (BitSet s : seen) {
                distinct += s.cardinality();
            }
            assertEquals(RECORDS, distinct, "records delivered twice");
            System.out.printf("gc stress: %d records produced in %.1f s, polled in %d batches and acked in %.1f s,"
                            + " %d full collections%n",
                    RECORDS, (produced - started) / 1e9, polls, (System.nanoTime() - produced) / 1e9,
                    collections.get());
        } finally {
            TestBroker.deleteTopic(topic);
        }
    }
}
