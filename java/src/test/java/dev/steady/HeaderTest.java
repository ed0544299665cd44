package dev.steady;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written bindings against include/steady.h. */
class HeaderTest {
    static String header() throws Exception {
        return Files.readString(Path.of(System.getProperty("steady.header")));
    }

    /** The Result constants carry the values of include/steady.h. */
    @Test
    void resultCodesMatchTheHeader() throws Exception {
        Matcher m = Pattern.compile("STEADY_RESULT_(\\w+) = (\\d+)").matcher(header());
        int seen = 0;
        while (m.find()) {
            assertEquals(Integer.parseInt(m.group(2)), Result.valueOf(m.group(1)).code(), m.group(1));
            seen++;
        }
        assertEquals(Result.values().length - 1, seen); // all but UNKNOWN
    }

    /** The EventKind and CommitReason constants carry the values of include/steady.h (NONE is Java's empty). */
    @Test
    void eventCodesMatchTheHeader() throws Exception {
        String header = header();
        Matcher kinds = Pattern.compile("STEADY_EVENT_(\\w+) = (\\d+)").matcher(header);
        int seen = 0;
        while (kinds.find()) {
            if (kinds.group(1).equals("NONE")) {
                assertEquals(0, Integer.parseInt(kinds.group(2)));
                continue;
            }
            assertEquals(Integer.parseInt(kinds.group(2)), EventKind.valueOf(kinds.group(1)).code(), kinds.group(1));
            assertEquals(EventKind.valueOf(kinds.group(1)), EventKind.of(Integer.parseInt(kinds.group(2))));
            seen++;
        }
        assertEquals(EventKind.values().length, seen);
        Matcher reasons = Pattern.compile("STEADY_COMMIT_REASON_(\\w+) = (\\d+)").matcher(header);
        seen = 0;
        while (reasons.find()) {
            if (reasons.group(1).equals("NONE")) {
                assertEquals(null, CommitReason.of(Integer.parseInt(reasons.group(2))));
                continue;
            }
            assertEquals(Integer.parseInt(reasons.group(2)), CommitReason.valueOf(reasons.group(1)).code(),
                    reasons.group(1));
            seen++;
        }
        assertEquals(CommitReason.values().length, seen);
        assertTrue(header.contains("#define STEADY_OFFSET_NONE -1"), "STEADY_OFFSET_NONE is -1: offsets < 0 are empty");
    }

    /**
     * The steady_log_level_t constants are the levels the upcall maps (ERROR, WARNING, INFO,
     * DEBUG), and the steady_log_cb typedef is the upcall's signature.
     */
    @Test
    void logLevelsMatchTheHeader() throws Exception {
        String header = header();
        Matcher m = Pattern.compile("STEADY_LOG_(\\w+) = (\\d+)").matcher(header);
        Map<String, Integer> levels = new TreeMap<>();
        while (m.find()) {
            levels.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        assertEquals(new TreeMap<>(Logging.LEVELS), levels);
        assertEquals(System.Logger.Level.ERROR, Logging.level(levels.get("ERROR")));
        assertEquals(System.Logger.Level.WARNING, Logging.level(levels.get("WARN")));
        assertEquals(System.Logger.Level.INFO, Logging.level(levels.get("INFO")));
        assertEquals(System.Logger.Level.DEBUG, Logging.level(levels.get("DEBUG")));
        String text = header.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("\\s+", " ");
        assertTrue(text.contains("typedef void (*steady_log_cb)(void *user_data, steady_log_level_t level, "
                + "const char *logger, const char *facility, const char *message);"), "steady_log_cb");
    }

    /** The Java carrier of one C type: a pointer, or one of the scalar types the header uses. */
    static Class<?> carrier(String declaration) {
        String type = declaration.replace("const ", "").trim();
        if (declaration.contains("*") || type.equals("steady_log_cb")) { // a function pointer too
            return MemorySegment.class;
        }
        return switch (type) {
            case "void" -> void.class;
            case "bool" -> boolean.class;
            case "int32_t", "uint32_t", "steady_result", "steady_event_kind_t", "steady_commit_reason",
                    "steady_log_level_t" -> int.class;
            case "int64_t", "uint64_t", "size_t" -> long.class;
            case "double" -> double.class;
            default -> throw new AssertionError("a C type the test does not know: " + declaration);
        };
    }

    /** Every function of the header as a Java method type, by name. */
    static Map<String, MethodType> headerFunctions() throws Exception {
        String text = header()
                .replaceAll("(?s)/\\*.*?\\*/", " ")
                .replaceAll("//[^\\n]*", " ");
        Matcher m = Pattern.compile("(?m)^([A-Za-z_][\\w \\t]*?[\\s*]+)(steady_\\w+)\\(([^)]*)\\);").matcher(text);
        Map<String, MethodType> functions = new TreeMap<>();
        while (m.find()) {
            List<Class<?>> parameters = new ArrayList<>();
            String list = m.group(3).trim();
            if (!list.equals("void")) {
                for (String parameter : list.split(",")) {
                    // drop the parameter's name, keep its type (and its stars)
                    parameters.add(carrier(parameter.trim().replaceAll("\\w+$", "")));
                }
            }
            functions.put(m.group(2), MethodType.methodType(carrier(m.group(1)), parameters));
        }
        return functions;
    }

    /**
     * Every function of the header has a downcall in {@code Native} with the same signature, and
     * {@code Native} calls no function the header lacks.
     */
    @Test
    void downcallsMatchTheHeader() throws Exception {
        Map<String, MethodType> expected = headerFunctions();
        assertEquals(true, expected.size() > 50, "parsed only " + expected.keySet());
        Map<String, MethodType> bound = new TreeMap<>();
        for (Map.Entry<String, FunctionDescriptor> e : Native.signatures().entrySet()) {
            bound.put(e.getKey(), e.getValue().toMethodType());
        }
        assertEquals(expected, bound);
    }
}
