package dev.steady;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** The local test broker (tests/kafka/kafka.sh), given by -Dsteady.bootstrap. */
final class TestBroker {
    private TestBroker() {}

    private static final AtomicLong NAMES = new AtomicLong();

    /** The broker's bootstrap servers. */
    static String bootstrap() {
        String bootstrap = System.getProperty("steady.bootstrap", "");
        if (bootstrap.isEmpty()) {
            throw new IllegalStateException("steady.bootstrap is not set: run tests/run-java.sh");
        }
        return bootstrap;
    }

    /** A name no other test or run uses. */
    static String unique(String what) {
        return "steady-java-" + what + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + "-"
                + NAMES.incrementAndGet();
    }

    /** Creates a new topic and returns its name. */
    static String createTopic(String what, int partitions) throws Exception {
        String topic = unique(what);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
        return topic;
    }

    /** Writes records (key → value) with one header "n" holding the record's index. */
    static void produce(String topic, List<Map.Entry<String, String>> records) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap());
        props.put("acks", "all");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < records.size(); i++) {
                ProducerRecord<String, String> record =
                        new ProducerRecord<>(topic, records.get(i).getKey(), records.get(i).getValue());
                record.headers().add("n", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
                producer.send(record).get();
            }
        }
    }

    /** Settings for a new group on the test broker, reading from the start, plus extra pairs. */
    static Settings settings(Map<String, String> extra) {
        Settings settings = new Settings()
                .set("bootstrap.servers", bootstrap())
                .set("group.id", unique("group"))
                .set("auto.offset.reset", "earliest");
        extra.forEach(settings::set);
        return settings;
    }

    /** Polls until the first record arrives (the first assignment takes a few seconds). */
    static Message firstMessage(Consumer consumer) {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (System.nanoTime() < deadline) {
            Message m = consumer.poll(Duration.ofSeconds(1));
            if (m != null) {
                return m;
            }
        }
        throw new AssertionError("no record within a minute");
    }
}
