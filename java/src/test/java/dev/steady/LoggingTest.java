package dev.steady;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steady.logtest.LogChild;
import java.io.File;
import java.lang.foreign.MemorySegment;
import java.lang.module.ModuleReference;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The logging path (steady_log_cb upcall → System.Logger "steady" / "steady.librdkafka") and the
 * metrics text, in a JVM of their own ({@link LogChild}) where a recording System.LoggerFinder
 * is installed and its stderr (fd 2, which native code would write to) can be read.
 */
class LoggingTest {
    /** One record the child's finder got. */
    record Logged(String logger, String level, String thread, String message) {}

    @Test
    void recordsReachSystemLoggerNotStderr(@TempDir Path dir) throws Exception {
        int count = 3;
        String topic = TestBroker.createTopic("logging", 1);
        TestBroker.produce(topic, IntStream.range(0, count).mapToObj(i -> Map.entry("k" + i, "v" + i)).toList());

        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=dev.steady",
                "--module-path", steadyModule().toString(),
                "--add-modules", "dev.steady",
                "-cp", testClasses().toString()));
        String library = System.getProperty("steady.library", "");
        if (!library.isEmpty()) {
            command.add("-Dsteady.library=" + library);
        }
        command.addAll(List.of(LogChild.class.getName(), TestBroker.bootstrap(), topic,
                TestBroker.unique("logging-group"), Integer.toString(count)));
        Process child = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!child.waitFor(60, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        String context = "\n--- child stderr:\n" + stderr + "\n--- child stdout:\n" + stdout;
        assertEquals(0, child.exitValue(), "the child JVM failed" + context);

        // Nothing of steady's or librdkafka's on fd 2: the default sink (stderr) was not used.
        List<String> leaked = stderr.lines()
                .filter(l -> Pattern.compile("(?i)steady|rdkafka|cgrp|st005").matcher(l).find())
                .toList();
        assertEquals(List.of(), leaked, "written to stderr" + context);

        List<Logged> records = new ArrayList<>();
        for (String line : stdout.lines().toList()) {
            if (line.startsWith("LOG\t")) {
                String[] f = line.split("\t", 5);
                records.add(new Logged(f[1], f[2], f[3], f[4]));
            }
        }
        List<Logged> ours = records.stream()
                .filter(r -> r.logger().equals("steady") || r.logger().equals("steady.librdkafka"))
                .toList();
        // (a) the ST005 start-up warning: "steady", WARNING, facility config
        assertTrue(ours.stream().anyMatch(r -> r.logger().equals("steady") && r.level().equals("WARNING")
                && r.message().startsWith("config: ST005 ")), "no ST005 warning" + context);
        // (b) librdkafka's debug lines with debug=cgrp: "steady.librdkafka", DEBUG, facility CGRP…
        int firstDebug = indexOf(ours, r -> r.logger().equals("steady.librdkafka") && r.level().equals("DEBUG")
                && r.message().startsWith("CGRP"));
        assertTrue(firstDebug >= 0, "no CGRP debug line" + context);
        // (c) the assignment: "steady", INFO, facility rebalance
        int assigned = indexOf(ours, r -> r.logger().equals("steady") && r.level().equals("INFO")
                && r.message().startsWith("rebalance: assigned ") && r.message().contains(topic));
        assertTrue(assigned >= 0, "no assigned record" + context);
        // The finder throws on every librdkafka DEBUG line: the upcall swallowed that and went on.
        assertTrue(assigned > firstDebug, "records stopped after a logger threw" + context);
        // All on the consumer's steady-log thread, none on the application's.
        for (Logged r : ours) {
            assertEquals(Logging.THREAD, r.thread(), r.toString());
        }

        Matcher metrics = Pattern.compile("(?s)METRICS\n(.*)METRICS\n").matcher(stdout);
        assertTrue(metrics.find(), "no metrics" + context);
        String text = metrics.group(1);
        assertTrue(text.contains("# TYPE messaging_client_consumed_messages_total counter"), text);
        Matcher sample = Pattern.compile("(?m)^messaging_client_consumed_messages_total(\\{[^}]*\\})? (\\S+)$")
                .matcher(text);
        double consumed = 0;
        boolean found = false;
        while (sample.find()) {
            consumed += Double.parseDouble(sample.group(2));
            found = true;
        }
        assertTrue(found, "no messaging_client_consumed_messages_total sample:\n" + text);
        assertTrue(consumed >= count, "consumed " + consumed + ":\n" + text);
    }

    /** The upcall returns normally whatever it is given: no logger name, no strings, a level C lacks. */
    @Test
    void upcallNeverThrows() {
        Logging.log(MemorySegment.NULL, 42, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL);
        assertEquals("CGRPOP: joined", Logging.text("CGRPOP", "joined"));
        assertEquals("joined", Logging.text("", "joined"));
        assertEquals("steady", Logging.logger(null).getName());
        assertEquals("steady.librdkafka", Logging.logger("steady.librdkafka").getName());
        assertEquals(System.Logger.Level.TRACE, Logging.level(42));
        assertFalse(Logging.logger("steady.other") == Logging.logger("steady"));
    }

    /** metricsText on a live consumer, then CLOSED once closed (as every call). */
    @Test
    void metricsTextAfterClose() throws Exception {
        String topic = TestBroker.createTopic("metrics", 1);
        Settings settings = TestBroker.settings(Map.of());
        Consumer consumer = new Consumer(settings, List.of(topic));
        try (settings) {
            assertTrue(consumer.metricsText().contains("messaging_client_consumed_messages_total"));
        } finally {
            consumer.close();
        }
        SteadyException e = org.junit.jupiter.api.Assertions.assertThrows(SteadyException.class,
                consumer::metricsText);
        assertEquals(Result.CLOSED, e.result());
    }

    private static int indexOf(List<Logged> records, java.util.function.Predicate<Logged> p) {
        for (int i = 0; i < records.size(); i++) {
            if (p.test(records.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Where module dev.steady (target/classes) was loaded from. */
    private static Path steadyModule() {
        ModuleReference ref = Consumer.class.getModule().getLayer().configuration()
                .findModule("dev.steady").orElseThrow().reference();
        URI location = ref.location().orElseThrow();
        return Path.of(location);
    }

    /** The test classes: the patch of module dev.steady, else target/test-classes. */
    private static Path testClasses() {
        for (int i = 0; ; i++) {
            String patch = System.getProperty("jdk.module.patch." + i);
            if (patch == null) {
                break;
            }
            if (patch.startsWith("dev.steady=")) {
                return Path.of(patch.substring("dev.steady=".length()).split(File.pathSeparator)[0]);
            }
        }
        return Path.of(System.getProperty("basedir", "."), "target", "test-classes");
    }
}
