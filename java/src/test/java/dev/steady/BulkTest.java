package dev.steady;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Batch acks, messages released by their ack, and the fields struct against the header. */
class BulkTest {
    /** Polls batches until {@code n} records arrived (a minute at most). */
    static List<Message> pollN(Consumer consumer, int n) {
        List<Message> all = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (all.size() < n && System.nanoTime() < deadline) {
            all.addAll(consumer.pollBatch(n - all.size(), Duration.ofSeconds(1)));
        }
        assertEquals(n, all.size(), "records within a minute");
        return all;
    }

    /**
     * consumer.ack(List) acks in one call what Message.ack() would: the commit covers exactly
     * those, a second ack of them is a no-op, nulls are skipped, closed messages throw CLOSED
     * after the others are acked, and after the consumer's close it throws CLOSED. Acked messages
     * need no close (a close after the ack does no harm) and read the same.
     */
    @Test
    void batchAck() throws Exception {
        String topic = TestBroker.createTopic("bulk", 1);
        List<Map.Entry<String, String>> records = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            records.add(Map.entry("k" + i, "v" + i));
        }
        TestBroker.produce(topic, records);
        Consumer consumer = new Consumer(TestBroker.settings(Map.of("enable.auto.commit", "false",
                "steady.revoke.drain.ms", "500")), List.of(topic));
        try {
            List<Message> ms = pollN(consumer, 8);
            for (int i = 0; i < 8; i++) {
                Message m = ms.get(i);
                assertEquals(topic, m.topic());
                assertEquals(i, m.offset());
                assertArrayEquals(("k" + i).getBytes(StandardCharsets.UTF_8), m.key());
                assertArrayEquals(("v" + i).getBytes(StandardCharsets.UTF_8), m.value());
                assertEquals("n", m.headers().get(0).name());
                assertTrue(m.timestamp() != null);
            }
            assertTrue(ms.get(0).topic() == ms.get(7).topic(), "one String per topic");
            consumer.ack(List.of());
            consumer.ack(Arrays.asList(ms.get(0), null, ms.get(1), ms.get(2)));
            ms.get(3).ack();
            consumer.ack(ms.subList(0, 4)); // a second ack: no effect
            ms.get(1).ack();
            ms.get(1).close(); // after an ack: no harm
            ms.get(5).close();
            MisuseTest.expect(Result.CLOSED, "message is closed", () -> consumer.ack(List.of(ms.get(4), ms.get(5))));
            assertEquals(5, ConsumerTest.stat(consumer, "acked"), "the open one was acked, the closed one not");
            consumer.commit();
            assertEquals(OptionalLong.of(5), consumer.committed(topic, 0));
            consumer.close();
            MisuseTest.expect(Result.CLOSED, "consumer is closed", () -> consumer.ack(List.of(ms.get(6))));
            assertArrayEquals("v6".getBytes(StandardCharsets.UTF_8), ms.get(6).value());
            ms.get(6).close();
            ms.get(7).close();
        } finally {
            consumer.close();
            TestBroker.deleteTopic(topic);
        }
    }

    /** Native.Fields lays out steady_message_fields_t as the header declares it. */
    @Test
    void fieldsLayoutMatchesTheHeader() throws Exception {
        String header = HeaderTest.header().replaceAll("(?s)/\\*.*?\\*/", " ");
        Matcher body = Pattern.compile("typedef struct steady_message_fields_t \\{([^}]*)\\}").matcher(header);
        assertTrue(body.find(), "steady_message_fields_t in the header");
        Matcher field = Pattern.compile("([\\w ]+?\\*?)\\s*(\\w+);").matcher(body.group(1));
        List<String> declared = new ArrayList<>();
        while (field.find()) {
            String type = field.group(1).trim();
            String size = type.endsWith("*") || type.equals("size_t") || type.equals("int64_t") ? "8"
                    : type.equals("int32_t") || type.equals("uint32_t") ? "4" : "?" + type;
            declared.add(field.group(2) + ":" + size);
        }
        List<String> bound = new ArrayList<>();
        for (var member : Native.Fields.LAYOUT.memberLayouts()) {
            member.name().ifPresent(name -> bound.add(name + ":" + member.byteSize()));
        }
        assertEquals(declared, bound);
    }
}
