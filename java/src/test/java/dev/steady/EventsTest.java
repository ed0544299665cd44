package dev.steady;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Events (rebalances, commit results) and partition control (pause, resume, seek, position,
 * committed): the event scenario of the spec against the broker, and their misuse.
 */
class EventsTest {
    static final int PARTITIONS = 4;
    static final int PER_PARTITION = 100;
    static final int HALF = PER_PARTITION / 2;
    static final Duration BOUND = Duration.ofSeconds(60);

    /** Events on, cooperative rebalancing, commits only when asked for (and on revoke, close). */
    static Map<String, String> eventSettings(String revokeDrainMs) {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("steady.events.enable", "true");
        extra.put("partition.assignment.strategy", "cooperative-sticky");
        extra.put("session.timeout.ms", "10000");
        extra.put("enable.auto.commit", "false");
        extra.put("steady.revoke.drain.ms", revokeDrainMs);
        return extra;
    }

    /** An event as a listener saw it, and when (System.nanoTime). */
    record Seen(EventKind kind, List<PartitionOffset> partitions, CommitReason reason, SteadyException error, long at) {
        /** The offsets by partition; every partition of {@code topic}. */
        Map<Integer, OptionalLong> offsets(String topic) {
            Map<Integer, OptionalLong> offsets = new TreeMap<>();
            for (PartitionOffset p : partitions) {
                assertEquals(topic, p.topic(), p.toString());
                assertNull(offsets.put(p.partition(), p.offset()), "named twice: " + p);
            }
            return offsets;
        }
    }

    /** Records every event it gets; its first onRevoked works {@code revokeWork} and notes when it ended. */
    static class Recorder implements RebalanceListener {
        final BlockingQueue<Seen> queue = new LinkedBlockingQueue<>();
        final List<Seen> all = new CopyOnWriteArrayList<>();
        final Duration revokeWork;
        /** System.nanoTime when the first onRevoked returned; 0 before. */
        volatile long revokeEnd;

        Recorder(Duration revokeWork) {
            this.revokeWork = revokeWork;
        }

        private void add(EventKind kind, List<PartitionOffset> partitions, CommitReason reason, SteadyException error) {
            Seen seen = new Seen(kind, partitions, reason, error, System.nanoTime());
            all.add(seen);
            queue.add(seen);
        }

        @Override
        public void onAssigned(List<PartitionOffset> partitions) {
            add(EventKind.ASSIGNED, partitions, null, null);
        }

        @Override
        public void onRevoked(List<PartitionOffset> partitions) {
            add(EventKind.REVOKED, partitions, null, null);
            if (revokeEnd == 0) {
                try {
                    Thread.sleep(revokeWork.toMillis()); // the handler's work (flushing state)
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                revokeEnd = System.nanoTime();
            }
        }

        @Override
        public void onLost(List<PartitionOffset> partitions) {
            add(EventKind.LOST, partitions, null, null);
        }

        @Override
        public void onCommitted(Event event) {
            add(EventKind.COMMITTED, event.partitions(), event.commitReason().orElse(null), event.error().orElse(null));
        }

        /** The next event recorded that matches, skipping the others, within {@link #BOUND}. */
        Seen await(String what, Predicate<Seen> match) throws InterruptedException {
            long deadline = System.nanoTime() + BOUND.toNanos();
            while (true) {
                Seen seen = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (seen == null) {
                    throw new AssertionError("no " + what + " within " + BOUND + "; events: " + all);
                }
                if (match.test(seen)) {
                    return seen;
                }
            }
        }
    }

    /** The sequence number a record of {@link TestBroker#produceMany} carries. */
    static long sequence(Message m) {
        return ByteBuffer.wrap(m.value()).getLong();
    }

    /** Writes one record with sequence number {@code value} to {@code partition}. */
    static void produceOne(String topic, int partition, long value) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", TestBroker.bootstrap());
        props.put("acks", "all");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            byte[] bytes = ByteBuffer.allocate(Long.BYTES).putLong(value).array();
            producer.send(new ProducerRecord<>(topic, partition, null, bytes)).get(60, TimeUnit.SECONDS);
        }
    }

    /** The group's committed offset of {@code topic}/{@code partition} as the broker has it; -1 when none. */
    static long brokerCommitted(String group, String topic, int partition) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.bootstrap()))) {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(60, TimeUnit.SECONDS);
            OffsetAndMetadata offset = offsets.get(new TopicPartition(topic, partition));
            return offset == null ? -1 : offset.offset();
        }
    }

    /** The next record within {@link #BOUND}. */
    static Message next(Consumer consumer, String what) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (System.nanoTime() < deadline) {
            Message m = consumer.poll(Duration.ofSeconds(1));
            if (m != null) {
                return m;
            }
        }
        throw new AssertionError("no record within " + BOUND + ": " + what);
    }

    /** The first event within {@link #BOUND}. */
    static Event nextEvent(Consumer consumer) {
        return consumer.nextEvent(BOUND).orElseThrow(() -> new AssertionError("no event within " + BOUND));
    }

    /**
     * The spec's event scenario: two members of one group over 4 partitions of 100 records; the
     * assigned, revoked and committed events, the handoff of the revoked partitions at the
     * committed acked prefix (A acks the first half of each, pausing each at its half) after A's
     * revoke handler (1 s of work) returned, pause / resume / seek / position / committed on the
     * partitions A keeps, every record seen, and the events of a close.
     */
    @Test
    void eventScenario() throws Exception {
        String topic = TestBroker.createTopic("events", PARTITIONS);
        try {
            TestBroker.produceMany(topic, PARTITIONS, PARTITIONS * PER_PARTITION); // p/k holds 4k + p
            String group = TestBroker.unique("events-group");
            BitSet seenA = new BitSet();
            try (Settings settings = TestBroker.settings(group, eventSettings("10000"))) {
                Consumer a = new Consumer(settings, List.of(topic));
                Consumer b = null;
                try {
                    // 1. A's first event: the 4 partitions assigned, nothing committed.
                    try (Event first = nextEvent(a)) {
                        assertEquals(EventKind.ASSIGNED, first.kind(), first.toString());
                        Seen seen = new Seen(first.kind(), first.partitions(), null, null, 0);
                        assertEquals(Map.of(0, OptionalLong.empty(), 1, OptionalLong.empty(), 2, OptionalLong.empty(),
                                3, OptionalLong.empty()), seen.offsets(topic));
                        assertTrue(first.commitReason().isEmpty());
                        assertTrue(first.error().isEmpty());
                    }
                    Recorder recA = new Recorder(Duration.ofSeconds(1));
                    a.listen(recA);

                    // 2. A acks 200 records, pausing each partition at its 50th: none of a paused
                    // partition comes after; the explicit commit's event has the acked offsets.
                    long[] ackedA = new long[PARTITIONS];
                    for (int got = 0; got < PARTITIONS * HALF; got++) {
                        try (Message m = next(a, "A's record " + got)) {
                            int p = m.partition();
                            assertTrue(ackedA[p] < HALF, "a record of paused partition " + p + ": " + m.offset());
                            assertEquals(ackedA[p], m.offset(), "partition " + p + " in order");
                            assertEquals(4 * m.offset() + p, sequence(m));
                            seenA.set((int) sequence(m));
                            m.ack();
                            ackedA[p] = m.offset() + 1;
                            if (ackedA[p] == HALF) {
                                a.pause(topic, p);
                            }
                        }
                    }
                    a.commit();
                    Seen explicit = recA.await("explicit commit", s -> s.kind() == EventKind.COMMITTED);
                    assertEquals(CommitReason.EXPLICIT, explicit.reason(), explicit.toString());
                    assertNull(explicit.error());
                    Map<Integer, OptionalLong> committedA = explicit.offsets(topic);
                    Map<Integer, OptionalLong> half = new TreeMap<>();
                    for (int p = 0; p < PARTITIONS; p++) {
                        half.put(p, OptionalLong.of(HALF));
                    }
                    assertEquals(half, committedA, explicit.toString());

                    // 3. B joins: A has a strict subset revoked, B gets them at A's committed prefix,
                    // and B's first record of each comes after A's revoke handler returned.
                    Recorder recB = new Recorder(Duration.ZERO);
                    b = new Consumer(settings, List.of(topic));
                    b.listen(recB);
                    Consumer consumerB = b;
                    Map<Integer, Long> firstB = new ConcurrentHashMap<>();
                    BitSet[] offsetsB = new BitSet[PARTITIONS];
                    for (int p = 0; p < PARTITIONS; p++) {
                        offsetsB[p] = new BitSet();
                    }
                    BitSet seenB = new BitSet();
                    AtomicBoolean stopB = new AtomicBoolean();
                    AtomicReference<Throwable> failureB = new AtomicReference<>();
                    Thread pollerB = Thread.ofPlatform().name("poller-B").start(() -> {
                        try {
                            while (!stopB.get()) {
                                try (Message m = consumerB.poll(Duration.ofMillis(200))) {
                                    if (m == null) {
                                        continue;
                                    }
                                    firstB.putIfAbsent(m.partition(), System.nanoTime());
                                    synchronized (offsetsB) {
                                        offsetsB[m.partition()].set((int) m.offset());
                                        seenB.set((int) sequence(m));
                                    }
                                    m.ack();
                                }
                            }
                        } catch (Throwable t) {
                            failureB.set(t);
                        }
                    });
                    Seen revoked = recA.await("A's revoke", s -> s.kind() == EventKind.REVOKED);
                    Set<Integer> moved = revoked.offsets(topic).keySet();
                    assertTrue(!moved.isEmpty() && moved.size() < PARTITIONS, "cooperative: a strict subset " + moved);
                    revoked.offsets(topic).values().forEach(o -> assertTrue(o.isEmpty(), "revoked offsets are none"));
                    Seen assignedB = recB.await("B's assignment",
                            s -> s.kind() == EventKind.ASSIGNED && !s.partitions().isEmpty());
                    Map<Integer, OptionalLong> startsB = new TreeMap<>();
                    for (int p : moved) {
                        startsB.put(p, OptionalLong.of(HALF));
                    }
                    assertEquals(startsB, assignedB.offsets(topic), "B starts from A's committed acked prefix");
                    long revokeEnd = recA.revokeEnd;
                    assertNotEquals(0, revokeEnd, "A's revoke handler has returned before B's assignment");
                    // A commit covering the moved partitions' acked prefix (A acked nothing after the
                    // explicit one, so that one) precedes B's assignment.
                    for (int p : moved) {
                        boolean covered = recA.all.stream().anyMatch(s -> s.kind() == EventKind.COMMITTED
                                && (s.reason() == CommitReason.REVOKE || s.reason() == CommitReason.EXPLICIT)
                                && s.error() == null && s.at() < assignedB.at()
                                && OptionalLong.of(HALF).equals(s.offsets(topic).get(p)));
                        assertTrue(covered, "partition " + p + ": no commit of " + HALF + " before B's assignment: "
                                + recA.all);
                    }
                    TestBroker.await("B read the moved partitions to their end", BOUND, () -> {
                        synchronized (offsetsB) {
                            return moved.stream().allMatch(p -> offsetsB[p].nextClearBit(HALF) >= PER_PARTITION);
                        }
                    });
                    stopB.set(true);
                    pollerB.join(BOUND.toMillis());
                    assertFalse(pollerB.isAlive(), "B's poller ended");
                    assertNull(failureB.get(), () -> "B's poller failed: " + failureB.get());
                    synchronized (offsetsB) {
                        for (int p = 0; p < PARTITIONS; p++) {
                            if (moved.contains(p)) {
                                assertTrue(firstB.get(p) > revokeEnd,
                                        "B's first record of " + p + " came before A's revoke handler returned");
                                assertEquals(HALF, offsetsB[p].nextSetBit(0), "B's first offset of " + p);
                            } else {
                                assertTrue(offsetsB[p].isEmpty(), "B got partition " + p + " it was not assigned");
                            }
                        }
                    }

                    // 4. Partition control on A's remaining partitions.
                    List<Integer> kept = new ArrayList<>();
                    for (int p = 0; p < PARTITIONS; p++) {
                        if (!moved.contains(p)) {
                            kept.add(p);
                        }
                    }
                    int paused = kept.get(0);
                    // Still paused (a partition kept through a cooperative rebalance stays so):
                    // nothing comes; position is the next record the application gets.
                    Message quiet = a.poll(Duration.ofSeconds(2));
                    if (quiet != null) {
                        quiet.close();
                        throw new AssertionError("a record while all is paused: " + quiet.partition() + "/"
                                + quiet.offset());
                    }
                    assertEquals(OptionalLong.of(HALF), a.position(topic, paused),
                            "the paused partition's position: the next record the application gets");
                    // The others resumed flow from where they were, the paused one stays quiet.
                    for (int other : kept.subList(1, kept.size())) {
                        a.resume(topic, other);
                        for (long expected = HALF; expected < PER_PARTITION; expected++) {
                            try (Message m = next(a, "a record of resumed partition " + other)) {
                                assertNotEquals(paused, m.partition(), "a record of the paused partition: " + m.offset());
                                assertEquals(other, m.partition(), "a record of a partition A no longer has");
                                assertEquals(expected, m.offset(), "resumed partition " + other + " in order");
                                seenA.set((int) sequence(m));
                                m.ack();
                            }
                        }
                    }
                    // Resumed, its records come again from where it was paused, to its end.
                    a.resume(topic, paused);
                    for (long expected = HALF; expected < PER_PARTITION; expected++) {
                        try (Message m = next(a, "a record of the resumed partition")) {
                            assertEquals(paused, m.partition(), "a record of another partition");
                            assertEquals(expected, m.offset(), "the resumed partition goes on where it was");
                            seenA.set((int) sequence(m));
                            m.ack();
                        }
                    }
                    // Back to an offset delivered before: position is the target at once, that
                    // offset comes again, then the rest.
                    long target = HALF / 2;
                    a.seek(topic, paused, target);
                    assertEquals(OptionalLong.of(target), a.position(topic, paused), "position is the seek target");
                    for (long expected = target; expected < PER_PARTITION; expected++) {
                        try (Message m = next(a, "the replay of " + paused)) {
                            assertEquals(paused, m.partition(), "a record of another partition");
                            assertEquals(expected, m.offset(), "the replay after the seek, in order");
                            seenA.set((int) sequence(m));
                            m.ack();
                        }
                    }
                    // A new record, acked and committed: committed() is the broker's value.
                    int extra = PARTITIONS * PER_PARTITION;
                    produceOne(topic, paused, extra);
                    try (Message m = next(a, "the new record")) {
                        assertEquals(paused, m.partition());
                        assertEquals(PER_PARTITION, m.offset());
                        assertEquals(extra, sequence(m));
                        seenA.set(extra);
                        m.ack();
                    }
                    a.commit();
                    Seen second = recA.await("the second explicit commit",
                            s -> s.kind() == EventKind.COMMITTED && s.reason() == CommitReason.EXPLICIT);
                    assertNull(second.error());
                    assertEquals(OptionalLong.of(PER_PARTITION + 1), second.offsets(topic).get(paused), second.toString());
                    assertEquals(OptionalLong.of(PER_PARTITION + 1), a.committed(topic, paused));
                    assertEquals(PER_PARTITION + 1, brokerCommitted(group, topic, paused));
                    for (int p : kept) {
                        long broker = brokerCommitted(group, topic, p);
                        assertEquals(broker < 0 ? OptionalLong.empty() : OptionalLong.of(broker), a.committed(topic, p));
                    }

                    // 5. Every record seen at least once by A or B.
                    BitSet all = (BitSet) seenA.clone();
                    synchronized (offsetsB) {
                        all.or(seenB);
                    }
                    assertEquals(extra + 1, all.cardinality(), "records seen by neither member: " + missing(all, extra + 1));

                    // 6. Something acked since the last commit; close ends A's events with the revoke of
                    // its whole assignment and the close commit, then CLOSED.
                    produceOne(topic, paused, extra + 1);
                    try (Message m = next(a, "the last record")) {
                        assertEquals(extra + 1, sequence(m));
                        m.ack();
                    }
                    a.close();
                    List<Seen> events = recA.all;
                    Seen last = events.get(events.size() - 1);
                    assertEquals(EventKind.COMMITTED, last.kind(), events.toString());
                    assertEquals(CommitReason.CLOSE, last.reason(), events.toString());
                    assertNull(last.error());
                    assertEquals(Map.of(paused, OptionalLong.of(PER_PARTITION + 2)), last.offsets(topic));
                    Seen closeRevoke = events.get(events.size() - 2);
                    assertEquals(EventKind.REVOKED, closeRevoke.kind(), events.toString());
                    assertEquals(new TreeSet<>(kept), closeRevoke.offsets(topic).keySet());
                    assertTrue(events.stream().noneMatch(s -> s.kind() == EventKind.LOST), events.toString());
                    MisuseTest.expect(Result.CLOSED, "closed", () -> a.nextEvent(Duration.ZERO));
                    assertEquals(PER_PARTITION + 2, brokerCommitted(group, topic, paused));
                    System.out.printf("event scenario: A acked %s before B joined; moved to B %s (B's first record"
                                    + " %s ms after A's revoke handler returned); kept %s, paused %d; A's events %s%n",
                            java.util.Arrays.toString(ackedA), moved, firstB.entrySet().stream()
                                    .map(e -> e.getKey() + ":" + (e.getValue() - revokeEnd) / 1_000_000).toList(),
                            kept, paused, events.stream().map(s -> s.kind() + (s.reason() == null ? "" : "(" + s.reason() + ")"))
                                    .toList());
                } finally {
                    a.close();
                    if (b != null) {
                        b.close();
                    }
                }
            }
        } finally {
            TestBroker.deleteTopic(topic);
        }
    }

    /** The numbers below {@code n} that {@code seen} lacks. */
    static List<Integer> missing(BitSet seen, int n) {
        List<Integer> missing = new ArrayList<>();
        for (int i = seen.nextClearBit(0); i < n; i = seen.nextClearBit(i + 1)) {
            missing.add(i);
        }
        return missing;
    }

    /** With events off, nextEvent and listen throw INVALID_ARGUMENT naming steady.events.enable. */
    @Test
    void eventsOff() throws Exception {
        String topic = TestBroker.createTopic("events-off", 1);
        try (Settings settings = TestBroker.settings(SemanticsTest.QUICK_CLOSE)) {
            Consumer consumer = new Consumer(settings, List.of(topic));
            MisuseTest.expect(Result.INVALID_ARGUMENT, "steady.events.enable", () -> consumer.nextEvent(Duration.ZERO));
            MisuseTest.expect(Result.INVALID_ARGUMENT, "steady.events.enable",
                    () -> consumer.nextEvent(Duration.ofMillis(-1)));
            MisuseTest.expect(Result.INVALID_ARGUMENT, "steady.events.enable",
                    () -> consumer.listen(new RebalanceListener() {}));
            consumer.close();
            MisuseTest.expect(Result.CLOSED, "closed", () -> consumer.nextEvent(Duration.ZERO));
        }
    }

    /** Reads the first event, the assignment of partition 0, into {@code holder}; a weak reference to it. */
    static WeakReference<Event> assigned(Consumer consumer, String topic, AtomicReference<Event> holder) {
        Event assigned = nextEvent(consumer);
        assertEquals(EventKind.ASSIGNED, assigned.kind());
        assertEquals(List.of(new PartitionOffset(topic, 0, OptionalLong.empty())), assigned.partitions());
        holder.set(assigned);
        return new WeakReference<>(assigned);
    }

    /**
     * An unclosed event is done by the cleaner; partition control of a partition not assigned,
     * bad arguments, and calls after close; the events a close queued that nobody read come from
     * nextEvent after it, then CLOSED.
     */
    @Test
    void misuseAndEventsAfterClose() throws Exception {
        String topic = SemanticsTest.topicWith("events-misuse", 1);
        String group = TestBroker.unique("group");
        // Nobody reads the close's revoked event while close runs: it waits 1 s for it.
        try (Settings settings = TestBroker.settings(group, eventSettings("1000"))) {
            Consumer consumer = new Consumer(settings, List.of(topic));
            // The assigned event left unclosed: its partition stays paused while it is held, and
            // until the cleaner finds it unreachable and marks it done.
            AtomicReference<Event> held = new AtomicReference<>();
            WeakReference<Event> dropped = assigned(consumer, topic, held);
            assertNull(consumer.poll(Duration.ofSeconds(1)), "a record before the assigned event was done");
            held.set(null);
            Message first = null;
            long deadline = System.nanoTime() + BOUND.toNanos();
            while (first == null) {
                assertTrue(System.nanoTime() < deadline, "no record within " + BOUND + " of dropping the event");
                System.gc();
                first = consumer.poll(Duration.ofMillis(200));
            }
            assertNull(dropped.get(), "the record came while the assigned event was reachable");
            String notAssigned = "partition " + topic + "/1 is not assigned";
            MisuseTest.expect(Result.INVALID_ARGUMENT, notAssigned, () -> consumer.pause(topic, 1));
            MisuseTest.expect(Result.INVALID_ARGUMENT, notAssigned, () -> consumer.resume(topic, 1));
            MisuseTest.expect(Result.INVALID_ARGUMENT, notAssigned, () -> consumer.seek(topic, 1, 0));
            MisuseTest.expect(Result.INVALID_ARGUMENT, notAssigned, () -> consumer.position(topic, 1));
            MisuseTest.expect(Result.INVALID_ARGUMENT, notAssigned, () -> consumer.committed(topic, 1));
            MisuseTest.expect(Result.INVALID_ARGUMENT, "not assigned", () -> consumer.pause(topic + "-other", 0));
            MisuseTest.expect(Result.INVALID_ARGUMENT, "-1", () -> consumer.seek(topic, 0, -1));
            MisuseTest.expect(Result.NULL_PARAMETER, "topic", () -> consumer.pause(null, 0));
            MisuseTest.expect(Result.INVALID_ARGUMENT, "topic holds a NUL", () -> consumer.resume("a\0b", 0));
            MisuseTest.expect(Result.NULL_PARAMETER, "timeout is null", () -> consumer.nextEvent(null));
            MisuseTest.expect(Result.NULL_PARAMETER, "listener is null", () -> consumer.listen(null));
            assertEquals(OptionalLong.empty(), consumer.committed(topic, 0));
            assertTrue(consumer.nextEvent(Duration.ofMillis(100)).isEmpty(), "no event: a timeout");
            try (Message m = first) {
                m.ack();
            }
            consumer.close();
            try (Event revoked = nextEvent(consumer)) {
                assertEquals(EventKind.REVOKED, revoked.kind(), revoked.toString());
                assertEquals(List.of(new PartitionOffset(topic, 0, OptionalLong.empty())), revoked.partitions());
            }
            try (Event commit = nextEvent(consumer)) {
                assertEquals(EventKind.COMMITTED, commit.kind(), commit.toString());
                assertEquals(java.util.Optional.of(CommitReason.CLOSE), commit.commitReason());
                assertTrue(commit.error().isEmpty());
                assertEquals(List.of(new PartitionOffset(topic, 0, OptionalLong.of(1))), commit.partitions());
            }
            MisuseTest.expect(Result.CLOSED, "closed", () -> consumer.nextEvent(Duration.ZERO));
            MisuseTest.expect(Result.CLOSED, "closed", () -> consumer.nextEvent(Duration.ofMillis(-1)));
            MisuseTest.expect(Result.CLOSED, "closed", () -> consumer.listen(new RebalanceListener() {}));
            MisuseTest.expect(Result.CLOSED, "closed", () -> consumer.pause(topic, 0));
            MisuseTest.expect(Result.CLOSED, "closed", () -> consumer.resume(topic, 0));
            MisuseTest.expect(Result.CLOSED, "closed", () -> consumer.seek(topic, 0, 0));
            MisuseTest.expect(Result.CLOSED, "closed", () -> consumer.position(topic, 0));
            MisuseTest.expect(Result.CLOSED, "closed", () -> consumer.committed(topic, 0));
            assertEquals(1, TestBroker.committed(group, topic));
        }
    }

    /**
     * A listener's exception is logged and the next event still comes (the assigned event it
     * threw on was done: the records flow); one listener per consumer; close delivers the revoke
     * before it returns.
     */
    @Test
    void listenerGoesOnAfterAnException() throws Exception {
        String topic = SemanticsTest.topicWith("events-listener", 1);
        try (Settings settings = TestBroker.settings(eventSettings("10000"))) {
            Consumer consumer = new Consumer(settings, List.of(topic));
            Recorder recorder = new Recorder(Duration.ZERO) {
                @Override
                public void onAssigned(List<PartitionOffset> partitions) {
                    super.onAssigned(partitions);
                    throw new IllegalStateException("a listener's bug (this exception is expected in the log)");
                }
            };
            consumer.listen(recorder);
            MisuseTest.expect(Result.INVALID_ARGUMENT, "listener already", () -> consumer.listen(new RebalanceListener() {}));
            try (Message m = TestBroker.firstMessage(consumer)) {
                m.ack();
            }
            recorder.await("the assignment", s -> s.kind() == EventKind.ASSIGNED);
            consumer.commit();
            Seen commit = recorder.await("the commit", s -> s.kind() == EventKind.COMMITTED);
            assertEquals(CommitReason.EXPLICIT, commit.reason());
            assertEquals(Map.of(0, OptionalLong.of(1)), commit.offsets(topic));
            consumer.close();
            List<Seen> events = recorder.all;
            assertEquals(List.of(EventKind.ASSIGNED, EventKind.COMMITTED, EventKind.REVOKED),
                    events.stream().map(Seen::kind).toList(), events.toString());
        }
    }

    /**
     * close() called from a listener method closes the consumer; the events that close queued
     * (its revoke, waited for in vain within steady.revoke.drain.ms) still reach the listener
     * after that method returns, then its thread ends.
     */
    @Test
    void closeFromTheListener() throws Exception {
        String topic = SemanticsTest.topicWith("events-close-inside", 1);
        try (Settings settings = TestBroker.settings(eventSettings("1000"))) {
            Consumer consumer = new Consumer(settings, List.of(topic));
            AtomicReference<Thread> thread = new AtomicReference<>();
            Recorder recorder = new Recorder(Duration.ZERO) {
                @Override
                public void onCommitted(Event event) {
                    super.onCommitted(event);
                    thread.set(Thread.currentThread());
                    consumer.close();
                    consumer.close(); // a second close from there returns too
                }
            };
            consumer.listen(recorder);
            try (Message m = TestBroker.firstMessage(consumer)) {
                m.ack();
            }
            consumer.commit();
            recorder.await("the revoke of the close", s -> s.kind() == EventKind.REVOKED);
            thread.get().join(BOUND.toMillis());
            assertFalse(thread.get().isAlive(), "the listener thread ended");
            assertEquals(List.of(EventKind.ASSIGNED, EventKind.COMMITTED, EventKind.REVOKED),
                    recorder.all.stream().map(Seen::kind).toList(), recorder.all.toString());
            MisuseTest.expect(Result.CLOSED, "closed", () -> consumer.nextEvent(Duration.ZERO));
            consumer.close();
        }
    }
}
