import dev.steady.Consumer;
import dev.steady.Header;
import dev.steady.Message;
import dev.steady.Settings;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * bench-java: steady's Java binding (FFM) against a plain kafka-clients KafkaConsumer.poll loop.
 *
 * <pre>
 *   Bench throughput steady|steady-batch|steady-batch-all|peer BOOTSTRAP TOPIC RECORDS [KEY=VALUE ...]
 *   Bench latency    steady|peer              BOOTSTRAP TOPIC SECONDS [KEY=VALUE ...]
 *   Bench goodput    steady|peer              BOOTSTRAP TOPIC SECONDS [KEY=VALUE ...]
 * </pre>
 *
 * KEY=VALUE pairs are consumer settings: librdkafka names for steady, Java names for the peer
 * (the driver passes each its own), except bench.* (bench/README.md). Every reader reads key,
 * value, headers and timestamp of every record. The result is one line on stdout: "RESULT {json}".
 */
public final class Bench {
    static String bootstrap, topic;
    static final Map<String, String> settings = new HashMap<>(), opts = new HashMap<>();

    static String opt(String k, String def) {
        return opts.getOrDefault(k, def);
    }

    static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    static void result(String json) {
        System.out.println("RESULT " + json);
        System.out.flush();
    }

    static String group(String kind) {
        return "bench-java-" + kind + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    static KafkaConsumer<byte[], byte[]> peer(String group, Map<String, String> extra) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", group);
        p.put("auto.offset.reset", "earliest");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        p.putAll(extra);
        p.putAll(settings);
        return new KafkaConsumer<>(p);
    }

    static Consumer steady(String group, Map<String, String> extra) {
        try (Settings s = new Settings()) {
            s.set("bootstrap.servers", bootstrap).set("group.id", group).set("auto.offset.reset", "earliest");
            extra.forEach(s::set);
            settings.forEach(s::set);
            return new Consumer(s, List.of(topic));
        }
    }

    /** What a reader saw. */
    static final class Seen {
        long records, payload, key, headers, timestamps;
    }

    static void note(Seen s, byte[] key, byte[] value, int headers, boolean ts) {
        s.records++;
        s.payload += value == null ? 0 : value.length;
        s.key += key == null ? 0 : key.length;
        s.headers += headers;
        if (ts) s.timestamps++;
    }

    static void noteSteady(Seen s, Message m) {
        note(s, m.key(), m.value(), m.headers().size(), m.timestamp() != null);
    }

    static void notePeer(Seen s, ConsumerRecord<byte[], byte[]> r) {
        int h = 0;
        for (var ignored : r.headers()) h++;
        note(s, r.key(), r.value(), h, r.timestamp() >= 0);
    }

    static void throughput(String impl, long total) {
        Seen s = new Seen();
        double cpu0 = cpuSeconds();
        long t0 = System.nanoTime(), first = 0, end;
        long deadline = t0 + 600_000_000_000L;
        Duration timeout = Duration.ofMillis(100);
        if (impl.equals("peer")) {
            try (KafkaConsumer<byte[], byte[]> c = peer(group("tp"), Map.of())) {
                c.subscribe(List.of(topic));
                while (s.records < total && System.nanoTime() < deadline) {
                    ConsumerRecords<byte[], byte[]> rs = c.poll(timeout);
                    if (!rs.isEmpty() && s.records == 0) first = System.nanoTime();
                    for (ConsumerRecord<byte[], byte[]> r : rs) notePeer(s, r);
                }
                end = System.nanoTime();
            }
        } else {
            // steady-batch-all acks each batch with one Consumer.ack(List) call. An ack
            // releases the message (no close needed).
            boolean all = impl.equals("steady-batch-all");
            boolean batch = all || impl.equals("steady-batch");
            int max = Integer.parseInt(opt("bench.batch", "512"));
            try (Consumer c = steady(group("tp"), Map.of())) {
                while (s.records < total && System.nanoTime() < deadline) {
                    if (!batch) {
                        Message m = c.poll(timeout);
                        if (m == null) continue;
                        if (s.records == 0) first = System.nanoTime();
                        noteSteady(s, m);
                        m.ack();
                        continue;
                    }
                    List<Message> ms = c.pollBatch(max, timeout);
                    if (!ms.isEmpty() && s.records == 0) first = System.nanoTime();
                    for (Message m : ms) {
                        noteSteady(s, m);
                        if (!all) m.ack();
                    }
                    if (all) c.ack(ms);
                }
                end = System.nanoTime();
            }
        }
        double cpu = cpuSeconds() - cpu0;
        if (s.records < total) throw new IllegalStateException("did not read every record in 600 s");
        if (s.key == 0 || s.timestamps != s.records) throw new IllegalStateException("keys or timestamps missing");
        result(String.format(Locale.ROOT,
                "{\"records\": %d, \"rate\": %.1f, \"cpu_us\": %.4f, \"total_s\": %.3f, \"payload_bytes\": %d, \"headers\": %d}",
                s.records, s.records / ((end - first) / 1e9), cpu * 1e6 / s.records, (end - t0) / 1e9, s.payload,
                s.headers));
    }

    static long wallMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    static void latency(String impl, double seconds) {
        double warm = Double.parseDouble(opt("bench.warmup.s", "3"));
        long[] lat = new long[1 << 22];
        int n = 0;
        long start = 0, last = 0, firstSent = 0, t0 = System.nanoTime();
        Seen s = new Seen();
        KafkaConsumer<byte[], byte[]> pc = null;
        Consumer sc = null;
        if (impl.equals("peer")) {
            pc = peer(group("lat"), Map.of("auto.offset.reset", "latest"));
            pc.subscribe(List.of(topic));
        } else {
            sc = steady(group("lat"), Map.of("auto.offset.reset", "latest"));
        }
        List<ConsumerRecord<byte[], byte[]>> pending = new ArrayList<>();
        while (true) {
            long t = System.nanoTime();
            if (start != 0 && ((t - start) / 1e9 > seconds || (t - last) / 1e9 > 5)) break;
            if (start == 0 && (t - t0) / 1e9 > 120) throw new IllegalStateException("no record in 120 s");
            // One record at a time from the peer's batch: its handler starts when the loop gets to it.
            long[] sentAt = new long[2];
            byte[] value;
            if (pc != null) {
                if (pending.isEmpty()) {
                    for (ConsumerRecord<byte[], byte[]> r : pc.poll(Duration.ofMillis(100))) pending.add(r);
                    if (pending.isEmpty()) continue;
                }
                ConsumerRecord<byte[], byte[]> r = pending.remove(0);
                sentAt[1] = wallMicros();
                notePeer(s, r);
                value = r.value();
            } else {
                Message m = sc.poll(Duration.ofMillis(100));
                if (m == null) continue;
                sentAt[1] = wallMicros();
                noteSteady(s, m);
                value = m.value();
                m.ack();
                m.close();
            }
            if (value == null || value.length < 8) continue;
            long sent = ByteBuffer.wrap(value, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            last = System.nanoTime();
            if (start == 0) {
                start = last;
                firstSent = sent;
            }
            if (sent - firstSent >= warm * 1e6 && n < lat.length) lat[n++] = sentAt[1] - sent;
        }
        if (pc != null) pc.close();
        if (sc != null) sc.close();
        if (n == 0) throw new IllegalStateException("no record after the warm-up");
        Arrays.sort(lat, 0, n);
        result(String.format(Locale.ROOT,
                "{\"records\": %d, \"p50_us\": %d, \"p90_us\": %d, \"p99_us\": %d, \"p999_us\": %d, \"max_us\": %d}",
                n, lat[n / 2], lat[n * 9 / 10], lat[n * 99 / 100], lat[n * 999 / 1000], lat[n - 1]));
    }

    static void goodput(String impl, double seconds) throws Exception {
        long slow = Long.parseLong(opt("bench.slow.ms", "12000"));
        long normal = Long.parseLong(opt("bench.normal.ms", "10"));
        long every = Long.parseLong(opt("bench.slow.every", "50"));
        int members = Integer.parseInt(opt("bench.members", "3"));
        String g = group("gp");
        ConcurrentHashMap<Long, AtomicLong> done = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong rebalances = new AtomicLong(), errors = new AtomicLong(), reported = new AtomicLong();
        interface Handler { void handle(int p, long o) throws InterruptedException; }
        Handler handle = (p, o) -> {
            Thread.sleep(o % every == every - 1 ? slow : normal);
            done.computeIfAbsent(((long) p << 40) | o, k -> new AtomicLong()).incrementAndGet();
        };
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            Thread t = new Thread(() -> {
                try {
                    if (impl.equals("peer")) {
                        // Defaults: auto commit in poll() of what the previous poll returned (at least once).
                        try (KafkaConsumer<byte[], byte[]> c = peer(g, Map.of())) {
                            c.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                                public void onPartitionsRevoked(Collection<TopicPartition> ps) {}

                                public void onPartitionsAssigned(Collection<TopicPartition> ps) {
                                    rebalances.incrementAndGet();
                                }
                            });
                            while (!stop.get()) {
                                ConsumerRecords<byte[], byte[]> rs;
                                try {
                                    rs = c.poll(Duration.ofMillis(100));
                                } catch (RuntimeException e) {
                                    errors.incrementAndGet();
                                    continue;
                                }
                                for (ConsumerRecord<byte[], byte[]> r : rs) {
                                    if (stop.get()) break;
                                    notePeer(new Seen(), r);
                                    handle.handle(r.partition(), r.offset());
                                }
                            }
                            reported.incrementAndGet();
                        }
                    } else {
                        try (Consumer c = steady(g, Map.of())) {
                            while (!stop.get()) {
                                Message m;
                                try {
                                    m = c.poll(Duration.ofMillis(100));
                                } catch (RuntimeException e) {
                                    errors.incrementAndGet();
                                    continue;
                                }
                                if (m == null) continue;
                                noteSteady(new Seen(), m);
                                handle.handle(m.partition(), m.offset());
                                m.ack();
                                m.close();
                            }
                            String js = c.statsJson();
                            int at = js.indexOf("\"rebalances\":");
                            if (at >= 0) {
                                String rest = js.substring(at + 13).trim();
                                int e = 0;
                                while (e < rest.length() && Character.isDigit(rest.charAt(e))) e++;
                                rebalances.addAndGet(Long.parseLong(rest.substring(0, e)));
                            }
                            reported.incrementAndGet();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        Thread.sleep((long) (seconds * 1000));
        stop.set(true);
        long processed = 0, unique = done.size();
        for (AtomicLong v : done.values()) processed += v.get();
        // Each member finishes the record in hand and reports (within a slow handler's time).
        for (int i = 0; i < 300 && reported.get() < members; i++) Thread.sleep(100);
        result(String.format(Locale.ROOT,
                "{\"processed\": %d, \"unique\": %d, \"duplicates\": %d, \"rebalances\": %d, \"errors\": %d, \"seconds\": %.0f, \"members\": %d}",
                processed, unique, processed - unique, rebalances.get(), errors.get(), seconds, members));
        // A member that cannot leave the group in time ends with the process.
        for (Thread t : threads) t.join(60_000);
    }

    public static void main(String[] args) throws Exception {
        String kind = args[0], impl = args[1];
        bootstrap = args[2];
        topic = args[3];
        for (int i = 5; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            String k = args[i].substring(0, eq), v = args[i].substring(eq + 1);
            (k.startsWith("bench.") ? opts : settings).put(k, v);
        }
        double n = Double.parseDouble(args[4]);
        switch (kind) {
            case "version" -> result("{\"steady\": \"" + dev.steady.Steady.version()
                    + "\", \"kafka_clients\": \"" + org.apache.kafka.common.utils.AppInfoParser.getVersion()
                    + "\", \"java\": \"" + System.getProperty("java.version") + "\"}");
            case "throughput" -> throughput(impl, (long) n);
            case "latency" -> latency(impl, n);
            case "goodput" -> goodput(impl, n);
            default -> throw new IllegalArgumentException(kind);
        }
        System.exit(0);
    }
}
