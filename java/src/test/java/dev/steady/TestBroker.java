package dev.steady;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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
        return createTopicAt(bootstrap(), what, partitions);
    }

    /** Creates a new topic on the broker at {@code bootstrap} and returns its name. */
    static String createTopicAt(String bootstrap, String what, int partitions) throws Exception {
        String topic = unique(what);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
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

    /**
     * Writes {@code count} records spread over {@code partitions} partitions (round robin), each
     * without key and with its index as an 8-byte big-endian value, in large batches.
     */
    static void produceMany(String topic, int partitions, int count) throws Exception {
        produceManyAt(bootstrap(), topic, partitions, count);
    }

    /** {@link #produceMany} to the broker at {@code bootstrap}. */
    static void produceManyAt(String bootstrap, String topic, int partitions, int count) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("acks", "1");
        props.put("linger.ms", "20");
        props.put("batch.size", Integer.toString(512 * 1024));
        props.put("buffer.memory", Long.toString(64L * 1024 * 1024));
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count && failure.get() == null; i++) {
                byte[] value = java.nio.ByteBuffer.allocate(Long.BYTES).putLong(i).array();
                producer.send(new ProducerRecord<>(topic, i % partitions, null, value), (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /** Deletes a topic (big test topics would otherwise stay on the shared broker). */
    static void deleteTopic(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            admin.deleteTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
        }
    }

    /** The group's committed offset of partition 0 of {@code topic}; -1 when none. */
    static long committed(String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(60, TimeUnit.SECONDS);
            OffsetAndMetadata offset = offsets.get(new TopicPartition(topic, 0));
            return offset == null ? -1 : offset.offset();
        }
    }

    /** How many members the group has now (classic or KIP-848). */
    static int members(Admin admin, String group) throws Exception {
        ConsumerGroupDescription description =
                admin.describeConsumerGroups(List.of(group)).all().get(60, TimeUnit.SECONDS).get(group);
        return description.members().size();
    }

    /** Waits up to {@code bound} for {@code condition}, checking every 100 ms. */
    static void await(String what, Duration bound, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + bound + ": " + what);
            }
            Thread.sleep(100);
        }
    }

    /** Settings for a new group on the test broker, reading from the start, plus extra pairs. */
    static Settings settings(Map<String, String> extra) {
        return settings(unique("group"), extra);
    }

    /** Settings for group {@code group} on the test broker, reading from the start, plus extra pairs. */
    static Settings settings(String group, Map<String, String> extra) {
        Settings settings = new Settings()
                .set("bootstrap.servers", bootstrap())
                .set("group.id", group)
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
