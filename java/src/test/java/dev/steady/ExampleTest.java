package dev.steady;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Runs the documented example (docs/java.md) against the test broker. */
class ExampleTest {
    @Test
    void consumesWhatWasWritten() throws Exception {
        String topic = TestBroker.createTopic("example", 1);
        TestBroker.produce(topic, List.of(Map.entry("k1", "hello"), Map.entry("k2", "steady"), Map.entry("k3", "world")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            Example.main(new String[] {TestBroker.bootstrap(), topic, TestBroker.unique("example"), "3"});
        } finally {
            System.setOut(stdout);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        stdout.print(printed);
        assertTrue(printed.contains("@2: world"), printed);
    }
}
