package dev.steady;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.ref.Cleaner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The downcalls into libsteady, one method handle per C function of include/steady.h.
 *
 * <p>The library is {@code -Dsteady.library=/path/to/libsteady.so} when that property is set,
 * otherwise the copy this JAR carries for the platform (see {@link Loader}), otherwise
 * {@code steady} on {@code java.library.path}.
 */
@SuppressWarnings("restricted") // the one class that calls into C
final class Native {
    private Native() {}

    private static final Linker LINKER = Linker.nativeLinker();

    /** The library loaded, and where from. */
    private record Loaded(SymbolLookup lookup, String origin) {}

    private static final Loaded LOADED = load();
    private static final SymbolLookup LIBRARY = LOADED.lookup();

    /** Releases handles that were never closed. */
    static final Cleaner CLEANER = Cleaner.create();

    /** The C signature of every function below, by C name (the tests compare them with the header). */
    private static final Map<String, FunctionDescriptor> SIGNATURES = new LinkedHashMap<>();

    /** The C signature of every function this class calls, by C name, in declaration order. */
    static Map<String, FunctionDescriptor> signatures() {
        return Collections.unmodifiableMap(SIGNATURES);
    }

    /**
     * Where the library was loaded from: a file (the {@code steady.library} one or the extracted
     * copy of the bundled one), or {@code java.library.path}.
     */
    static String origin() {
        return LOADED.origin();
    }

    private static Loaded load() {
        String path = System.getProperty("steady.library", "");
        if (!path.isEmpty()) {
            try {
                return new Loaded(SymbolLookup.libraryLookup(Path.of(path), Arena.global()), path);
            } catch (IllegalArgumentException e) {
                throw linkError("cannot load -Dsteady.library=" + path + ": " + e.getMessage(), e);
            }
        }
        Loader.Bundle bundle;
        try {
            bundle = Loader.bundle();
        } catch (IOException e) {
            throw linkError("cannot read the bundled libsteady: " + e.getMessage(), e);
        }
        if (bundle != null) {
            return loadBundled(bundle);
        }
        System.loadLibrary("steady");
        return new Loaded(SymbolLookup.loaderLookup(), "java.library.path");
    }

    /**
     * Loads the bundled library from the user's cache (extracting it there once), else from a
     * private temporary directory removed once the library is loaded.
     */
    private static Loaded loadBundled(Loader.Bundle bundle) {
        Path cached = null;
        Exception cacheFailure;
        try {
            cached = Loader.extract(bundle, bundle.directory(Loader.cacheRoot()));
            return new Loaded(SymbolLookup.libraryLookup(cached, Arena.global()), cached.toString());
        } catch (IOException | IllegalArgumentException | SecurityException e) {
            cacheFailure = e;
        }
        Path directory = null;
        Path extracted = null;
        try {
            directory = Files.createTempDirectory("steady-");
            extracted = Loader.extract(bundle, directory);
            return new Loaded(SymbolLookup.libraryLookup(extracted, Arena.global()), extracted.toString());
        } catch (IOException | IllegalArgumentException | SecurityException e) {
            UnsatisfiedLinkError error = linkError("cannot load the bundled " + bundle.resource() + " from "
                    + (cached != null ? cached : Loader.cacheRoot()) + " (" + cacheFailure.getMessage()
                    + ") nor from a temporary directory (" + e.getMessage() + ")", e);
            error.addSuppressed(cacheFailure);
            throw error;
        } finally {
            // Once loaded, the mapping outlives the file.
            try {
                if (extracted != null) {
                    Files.deleteIfExists(extracted);
                }
                if (directory != null) {
                    Files.deleteIfExists(directory);
                }
            } catch (IOException ignored) {
                // a leftover in the temporary directory
            }
        }
    }

    private static UnsatisfiedLinkError linkError(String message, Throwable cause) {
        UnsatisfiedLinkError error = new UnsatisfiedLinkError(message);
        error.initCause(cause);
        return error;
    }

    private static MethodHandle fn(String name, MemoryLayout result, MemoryLayout... args) {
        return downcall(name, FunctionDescriptor.of(result, args));
    }

    private static MethodHandle fnVoid(String name, MemoryLayout... args) {
        return downcall(name, FunctionDescriptor.ofVoid(args));
    }

    private static MethodHandle downcall(String name, FunctionDescriptor signature) {
        SIGNATURES.put(name, signature);
        MemorySegment symbol = LIBRARY.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name));
        return LINKER.downcallHandle(symbol, signature);
    }

    static final MethodHandle VERSION = fn("steady_version", ADDRESS);
    static final MethodHandle RESULT_STR = fn("steady_result_str", ADDRESS, JAVA_INT);
    static final MethodHandle ERROR_CODE = fn("steady_error_code", JAVA_INT, ADDRESS);
    static final MethodHandle ERROR_MESSAGE = fn("steady_error_message", ADDRESS, ADDRESS);
    static final MethodHandle ERROR_KAFKA_CODE = fn("steady_error_kafka_code", JAVA_INT, ADDRESS);
    static final MethodHandle ERROR_KAFKA_NAME = fn("steady_error_kafka_name", ADDRESS, ADDRESS);
    static final MethodHandle ERROR_IS_FATAL = fn("steady_error_is_fatal", JAVA_BOOLEAN, ADDRESS);
    static final MethodHandle ERROR_IS_RETRIABLE =
            fn("steady_error_is_retriable", JAVA_BOOLEAN, ADDRESS);
    static final MethodHandle ERROR_FREE = fnVoid("steady_error_free", ADDRESS);
    static final MethodHandle STRING_FREE = fnVoid("steady_string_free", ADDRESS);

    static final MethodHandle SETTINGS_NEW = fn("steady_settings_new", JAVA_INT, ADDRESS);
    static final MethodHandle SETTINGS_SET =
            fn("steady_settings_set", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle SETTINGS_LOAD_FILE =
            fn("steady_settings_load_file", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle SETTINGS_SET_LOG_CALLBACK =
            fn("steady_settings_set_log_callback", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle SETTINGS_FREE = fnVoid("steady_settings_free", ADDRESS);

    static final MethodHandle OPTIONS_NEW = fn("steady_check_options_new", JAVA_INT, ADDRESS);
    static final MethodHandle OPTIONS_SET_DIALECT =
            fn("steady_check_options_set_dialect", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle OPTIONS_SET_CLIENT_VERSION =
            fn("steady_check_options_set_client_version", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle OPTIONS_SET_HEARTBEAT =
            fn("steady_check_options_set_heartbeat", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle OPTIONS_SET_BROKER_VERSION =
            fn("steady_check_options_set_broker_version", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle OPTIONS_SET_PROFILE =
            fn("steady_check_options_set_profile", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle OPTIONS_SET_WORKLOAD =
            fn("steady_check_options_set_workload", JAVA_INT, ADDRESS, JAVA_DOUBLE, JAVA_INT, ADDRESS);
    static final MethodHandle OPTIONS_SET_RECORD_MS =
            fn("steady_check_options_set_record_ms", JAVA_INT, ADDRESS, JAVA_DOUBLE, JAVA_DOUBLE, ADDRESS);
    static final MethodHandle OPTIONS_PROBE = fn("steady_check_options_probe",
            JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS);
    static final MethodHandle OPTIONS_FREE = fnVoid("steady_check_options_free", ADDRESS);

    static final MethodHandle CHECK = fn("steady_check", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle PROBE =
            fn("steady_probe", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);

    static final MethodHandle REPORT_COUNT = fn("steady_report_count", JAVA_LONG, ADDRESS);
    static final MethodHandle REPORT_FINDING = fn("steady_report_finding", ADDRESS, ADDRESS, JAVA_LONG);
    static final MethodHandle REPORT_TO_JSON =
            fn("steady_report_to_json", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle REPORT_FREE = fnVoid("steady_report_free", ADDRESS);
    static final MethodHandle FINDING_RULE = fn("steady_finding_rule", ADDRESS, ADDRESS);
    static final MethodHandle FINDING_SEVERITY = fn("steady_finding_severity", ADDRESS, ADDRESS);
    static final MethodHandle FINDING_KEY = fn("steady_finding_key", ADDRESS, ADDRESS);
    static final MethodHandle FINDING_MESSAGE = fn("steady_finding_message", ADDRESS, ADDRESS);
    static final MethodHandle FINDING_SOURCE = fn("steady_finding_source", ADDRESS, ADDRESS);
    static final MethodHandle FINDING_RECOMMENDED_KEY =
            fn("steady_finding_recommended_key", ADDRESS, ADDRESS);
    static final MethodHandle FINDING_RECOMMENDED_VALUE =
            fn("steady_finding_recommended_value", ADDRESS, ADDRESS);

    static final MethodHandle CONSUMER_NEW =
            fn("steady_consumer_new", JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS);
    static final MethodHandle CONSUMER_POLL =
            fn("steady_consumer_poll", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle CONSUMER_POLL_BATCH = fn("steady_consumer_poll_batch",
            JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS);
    static final MethodHandle CONSUMER_COMMIT = fn("steady_consumer_commit", JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle CONSUMER_NEXT_EVENT =
            fn("steady_consumer_next_event", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle CONSUMER_PAUSE =
            fn("steady_consumer_pause", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS);
    static final MethodHandle CONSUMER_RESUME =
            fn("steady_consumer_resume", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS);
    static final MethodHandle CONSUMER_SEEK =
            fn("steady_consumer_seek", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS);
    static final MethodHandle CONSUMER_POSITION =
            fn("steady_consumer_position", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle CONSUMER_COMMITTED =
            fn("steady_consumer_committed", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle CONSUMER_STATS_JSON =
            fn("steady_consumer_stats_json", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle CONSUMER_METRICS_TEXT =
            fn("steady_consumer_metrics_text", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle CONSUMER_CHECK =
            fn("steady_consumer_check", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle CONSUMER_WARNINGS =
            fn("steady_consumer_warnings", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle CONSUMER_CLOSE = fn("steady_consumer_close", JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle CONSUMER_FREE = fnVoid("steady_consumer_free", ADDRESS);

    static final MethodHandle EVENT_KIND = fn("steady_event_kind", JAVA_INT, ADDRESS);
    static final MethodHandle EVENT_KIND_NAME = fn("steady_event_kind_name", ADDRESS, ADDRESS);
    static final MethodHandle EVENT_PARTITION_COUNT = fn("steady_event_partition_count", JAVA_LONG, ADDRESS);
    static final MethodHandle EVENT_TOPIC = fn("steady_event_topic", ADDRESS, ADDRESS, JAVA_LONG);
    static final MethodHandle EVENT_PARTITION = fn("steady_event_partition", JAVA_INT, ADDRESS, JAVA_LONG);
    static final MethodHandle EVENT_OFFSET = fn("steady_event_offset", JAVA_LONG, ADDRESS, JAVA_LONG);
    static final MethodHandle EVENT_COMMIT_REASON = fn("steady_event_commit_reason", JAVA_INT, ADDRESS);
    static final MethodHandle EVENT_COMMIT_REASON_NAME =
            fn("steady_event_commit_reason_name", ADDRESS, ADDRESS);
    static final MethodHandle EVENT_ERROR = fn("steady_event_error", ADDRESS, ADDRESS);
    static final MethodHandle EVENT_FREE = fnVoid("steady_event_free", ADDRESS);

    static final MethodHandle MESSAGE_TOPIC = fn("steady_message_topic", ADDRESS, ADDRESS);
    static final MethodHandle MESSAGE_PARTITION = fn("steady_message_partition", JAVA_INT, ADDRESS);
    static final MethodHandle MESSAGE_OFFSET = fn("steady_message_offset", JAVA_LONG, ADDRESS);
    static final MethodHandle MESSAGE_TIMESTAMP = fn("steady_message_timestamp", JAVA_LONG, ADDRESS);
    static final MethodHandle MESSAGE_KEY = fn("steady_message_key", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle MESSAGE_PAYLOAD =
            fn("steady_message_payload", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle MESSAGE_HEADER_COUNT = fn("steady_message_header_count", JAVA_LONG, ADDRESS);
    static final MethodHandle MESSAGE_HEADER =
            fn("steady_message_header", JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle MESSAGE_ACK = fn("steady_message_ack", JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle MESSAGE_ATTEMPT = fn("steady_message_attempt", JAVA_INT, ADDRESS);
    static final MethodHandle MESSAGE_NACK =
            fn("steady_message_nack", JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
    static final MethodHandle MESSAGE_REJECT = fn("steady_message_reject", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle MESSAGE_FIELDS = fn("steady_message_fields", JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle MESSAGES_FIELDS =
            fn("steady_messages_fields", JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS);
    static final MethodHandle MESSAGES_ACK = fn("steady_messages_ack", JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS);
    static final MethodHandle MESSAGES_FREE = fnVoid("steady_messages_free", ADDRESS, JAVA_LONG);
    static final MethodHandle MESSAGE_FREE = fnVoid("steady_message_free", ADDRESS);

    /** Every address, for copying from C memory by absolute address. */
    static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    /** A pointer or a {@code size_t} read as a Java long (64-bit platforms only). */
    static final ValueLayout.OfLong WORD = JAVA_LONG;

    static {
        if (ADDRESS.byteSize() != 8) {
            throw new UnsatisfiedLinkError("steady's Java binding needs a 64-bit platform");
        }
    }

    /** The layout of {@code steady_message_fields_t} and readers of its fields. */
    static final class Fields {
        private Fields() {}

        static final StructLayout LAYOUT = MemoryLayout.structLayout(
                ADDRESS.withName("topic"),
                JAVA_LONG.withName("topic_len"),
                ADDRESS.withName("key"),
                JAVA_LONG.withName("key_len"),
                ADDRESS.withName("payload"),
                JAVA_LONG.withName("payload_len"),
                JAVA_LONG.withName("header_count"),
                JAVA_LONG.withName("offset"),
                JAVA_LONG.withName("timestamp"),
                JAVA_INT.withName("partition"),
                JAVA_INT.withName("attempt"));
        static final long SIZE = LAYOUT.byteSize();
        private static final long TOPIC = at("topic");
        private static final long TOPIC_LEN = at("topic_len");
        private static final long KEY = at("key");
        private static final long KEY_LEN = at("key_len");
        private static final long PAYLOAD = at("payload");
        private static final long PAYLOAD_LEN = at("payload_len");
        private static final long HEADER_COUNT = at("header_count");
        private static final long OFFSET = at("offset");
        private static final long TIMESTAMP = at("timestamp");
        private static final long PARTITION = at("partition");
        private static final long ATTEMPT = at("attempt");

        private static long at(String name) {
            return LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(name));
        }

        static long topic(MemorySegment f, long base) {
            return f.get(WORD, base + TOPIC);
        }

        static long topicLen(MemorySegment f, long base) {
            return f.get(WORD, base + TOPIC_LEN);
        }

        static long key(MemorySegment f, long base) {
            return f.get(WORD, base + KEY);
        }

        static long keyLen(MemorySegment f, long base) {
            return f.get(WORD, base + KEY_LEN);
        }

        static long payload(MemorySegment f, long base) {
            return f.get(WORD, base + PAYLOAD);
        }

        static long payloadLen(MemorySegment f, long base) {
            return f.get(WORD, base + PAYLOAD_LEN);
        }

        static long headerCount(MemorySegment f, long base) {
            return f.get(WORD, base + HEADER_COUNT);
        }

        static long offset(MemorySegment f, long base) {
            return f.get(JAVA_LONG, base + OFFSET);
        }

        static long timestamp(MemorySegment f, long base) {
            return f.get(JAVA_LONG, base + TIMESTAMP);
        }

        static int partition(MemorySegment f, long base) {
            return f.get(JAVA_INT, base + PARTITION);
        }

        static int attempt(MemorySegment f, long base) {
            return f.get(JAVA_INT, base + ATTEMPT);
        }
    }

    /**
     * Out-parameters and arrays for the calls of one thread, allocated once per thread instead of
     * an arena per call. Each field has one use, so that a call using one never overwrites what
     * another call of the same thread still reads; the memory goes with the thread.
     */
    static final class Scratch {
        private final Arena arena = Arena.ofAuto();
        /** {@code steady_error **err_out}. */
        final MemorySegment error = arena.allocate(ADDRESS);
        /** The message out-parameter of a poll. */
        final MemorySegment message = arena.allocate(ADDRESS);
        /** The count out-parameter of a batch poll. */
        final MemorySegment count = arena.allocate(JAVA_LONG);
        /** One {@code steady_message_fields_t}. */
        final MemorySegment fields = arena.allocate(Fields.LAYOUT);
        /** Out-parameters of the header accessor. */
        final MemorySegment pointer1 = arena.allocate(ADDRESS);
        final MemorySegment pointer2 = arena.allocate(ADDRESS);
        final MemorySegment length = arena.allocate(JAVA_LONG);
        private MemorySegment batch = MemorySegment.NULL;
        private MemorySegment batchFields = MemorySegment.NULL;
        private MemorySegment acks = MemorySegment.NULL;
        private MemorySegment frees = MemorySegment.NULL;

        /** Room for {@code n} message pointers (a batch poll's). */
        MemorySegment batch(int n) {
            if (batch.byteSize() < n * ADDRESS.byteSize()) {
                batch = Arena.ofAuto().allocate(ADDRESS, n);
            }
            return batch;
        }

        /** Room for {@code n} {@code steady_message_fields_t}. */
        MemorySegment batchFields(int n) {
            if (batchFields.byteSize() < n * Fields.SIZE) {
                batchFields = Arena.ofAuto().allocate(Fields.LAYOUT, n);
            }
            return batchFields;
        }

        /** Room for {@code n} message pointers (a batch ack's). */
        MemorySegment acks(int n) {
            if (acks.byteSize() < n * ADDRESS.byteSize()) {
                acks = Arena.ofAuto().allocate(ADDRESS, Math.max(n, 512));
            }
            return acks;
        }

        /** Room for {@code n} message pointers (a batch free's). */
        MemorySegment frees(int n) {
            if (frees.byteSize() < n * ADDRESS.byteSize()) {
                frees = Arena.ofAuto().allocate(ADDRESS, Math.max(n, 512));
            }
            return frees;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** This thread's {@link Scratch}. */
    static Scratch scratch() {
        return SCRATCH.get();
    }

    /** A Throwable from a downcall (never expected) as an unchecked one. */
    static RuntimeException rethrow(Throwable t) {
        return downcallFailed(t);
    }

    private static RuntimeException downcallFailed(Throwable t) {
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new AssertionError("downcall failed", t);
    }

    /** {@code steady_message_ack}. */
    static int ack(MemorySegment message, MemorySegment err) {
        try {
            return (int) MESSAGE_ACK.invokeExact(message, err);
        } catch (Throwable t) {
            throw downcallFailed(t);
        }
    }

    /** {@code steady_message_free} of the message at {@code address}. */
    static void freeMessage(long address) {
        try {
            MESSAGE_FREE.invokeExact(MemorySegment.ofAddress(address));
        } catch (Throwable t) {
            throw downcallFailed(t);
        }
    }

    /** Throws the exception for {@code code} unless it is OK; {@code errSlot} holds the error (or NULL). */
    static void throwUnlessOk(int code, MemorySegment errSlot) {
        if (code != Result.OK.code()) {
            throw exception(code, errSlot.equals(MemorySegment.NULL) ? MemorySegment.NULL : errSlot.get(ADDRESS, 0));
        }
    }

    /**
     * Whether {@code code} is OK (true) or {@code tolerated} (false, its error freed); any other
     * code throws its exception.
     */
    static boolean okOr(int code, Result tolerated, MemorySegment errSlot) {
        if (code == Result.OK.code()) {
            return true;
        }
        MemorySegment error = errSlot.get(ADDRESS, 0);
        if (code == tolerated.code()) {
            free(ERROR_FREE, error);
            return false;
        }
        throw exception(code, error);
    }

    /**
     * The {@code steady_log_cb} every settings object gets ({@link #installLogCallback}): one
     * upcall stub to {@link Logging#log}, in the global arena, so it outlives every consumer.
     */
    private static final MemorySegment LOG_CALLBACK = logCallback();

    private static MemorySegment logCallback() {
        FunctionDescriptor signature = FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        try {
            MethodHandle target = MethodHandles.lookup().findStatic(Logging.class, "log",
                    signature.toMethodType());
            return LINKER.upcallStub(target, signature, Arena.global());
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Makes the consumers built from the settings {@code settings} log through System.Logger
     * ({@link Logging}) instead of steady's default sink (stderr).
     */
    static void installLogCallback(MemorySegment settings) {
        int code = invoke(() -> (int) SETTINGS_SET_LOG_CALLBACK.invokeExact(settings, LOG_CALLBACK,
                MemorySegment.NULL));
        if (code != Result.OK.code()) {
            throw new SteadyException(code, "steady_settings_set_log_callback: " + resultText(code));
        }
    }

    /** A downcall that may throw, as every {@code invokeExact} may. */
    @FunctionalInterface
    interface Downcall<T> {
        T run() throws Throwable;
    }

    /** A fallible downcall given the {@code steady_error **err_out} to pass. */
    @FunctionalInterface
    interface Fallible {
        int run(MemorySegment errOut) throws Throwable;
    }

    /** Runs a downcall; a Throwable from the linker (never expected) becomes an Error. */
    static <T> T invoke(Downcall<T> call) {
        try {
            return call.run();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("downcall failed", t);
        }
    }

    /** Runs a fallible downcall; a result other than OK becomes a {@link SteadyException}. */
    static void check(Arena arena, Fallible call) {
        succeeded(arena, Result.OK, call);
    }

    /**
     * Runs a fallible downcall: true on OK, false on {@code tolerated} (such as TIMEOUT); any other
     * result becomes a {@link SteadyException}.
     */
    static boolean succeeded(Arena arena, Result tolerated, Fallible call) {
        MemorySegment errOut = arena.allocate(ADDRESS);
        int code = invoke(() -> call.run(errOut));
        if (code == Result.OK.code()) {
            return true;
        }
        MemorySegment error = errOut.get(ADDRESS, 0);
        if (code == tolerated.code()) {
            free(ERROR_FREE, error);
            return false;
        }
        throw exception(code, error);
    }

    /**
     * The exception for {@code code}, with the message and the Kafka detail of {@code error}
     * (freed here) if any.
     */
    private static SteadyException exception(int code, MemorySegment error) {
        if (error.equals(MemorySegment.NULL)) {
            return new SteadyException(code, resultText(code));
        }
        try {
            return describe(code, error);
        } finally {
            free(ERROR_FREE, error);
        }
    }

    /**
     * The exception a {@code steady_error} owned by something else describes (an event's), with
     * the error's own code; null for NULL. The error is not freed.
     */
    static SteadyException borrowedError(MemorySegment error) {
        if (error.equals(MemorySegment.NULL)) {
            return null;
        }
        int code = invoke(() -> (int) ERROR_CODE.invokeExact(error));
        return describe(code, error);
    }

    /** The exception for {@code code} with the message and the Kafka detail of {@code error}. */
    private static SteadyException describe(int code, MemorySegment error) {
        String message = string(invoke(() -> (MemorySegment) ERROR_MESSAGE.invokeExact(error)));
        int kafkaCode = invoke(() -> (int) ERROR_KAFKA_CODE.invokeExact(error));
        String kafkaName = string(invoke(() -> (MemorySegment) ERROR_KAFKA_NAME.invokeExact(error)));
        boolean fatal = invoke(() -> (boolean) ERROR_IS_FATAL.invokeExact(error));
        boolean retriable = invoke(() -> (boolean) ERROR_IS_RETRIABLE.invokeExact(error));
        return new SteadyException(code, message, kafkaCode, kafkaName, fatal, retriable);
    }

    /** The library's static description of a result code. */
    static String resultText(int code) {
        return string(invoke(() -> (MemorySegment) RESULT_STR.invokeExact(code)));
    }

    /** The NUL-terminated UTF-8 string at {@code p}; null for NULL. */
    static String string(MemorySegment p) {
        return p.equals(MemorySegment.NULL) ? null : p.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** Reads an owned string and releases it with steady_string_free. */
    static String ownedString(MemorySegment p) {
        try {
            return string(p);
        } finally {
            invoke(() -> {
                STRING_FREE.invokeExact(p);
                return null;
            });
        }
    }

    /** Calls a {@code void steady_X_free(steady_X *)} function. */
    static void free(MethodHandle free, MemorySegment handle) {
        invoke(() -> {
            free.invokeExact(handle);
            return null;
        });
    }

    /**
     * A NUL-terminated UTF-8 copy of {@code s} in {@code arena}; NULL for null (steady then says
     * NULL_PARAMETER). A string C cannot receive unchanged, one holding a NUL character or an
     * unpaired surrogate, throws INVALID_ARGUMENT naming {@code name}.
     */
    static MemorySegment cString(Arena arena, String s, String name) {
        if (s == null) {
            return MemorySegment.NULL;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\0') {
                throw invalidArgument(name + " holds a NUL character at index " + i);
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw invalidArgument(name + " holds an unpaired surrogate at index " + i
                        + ", which UTF-8 cannot encode");
            }
        }
        return arena.allocateFrom(s);
    }

    /** An INVALID_ARGUMENT exception raised on the Java side. */
    static SteadyException invalidArgument(String message) {
        return new SteadyException(Result.INVALID_ARGUMENT.code(), message);
    }

    /** A slot for one pointer out-parameter. */
    static MemorySegment slot(Arena arena) {
        return arena.allocate(ADDRESS);
    }

    /** The pointer an out-parameter slot received. */
    static MemorySegment pointer(MemorySegment slot) {
        return slot.get(ADDRESS, 0);
    }

    /** The bytes at {@code p} of length {@code len}; null when {@code p} is NULL. */
    static byte[] bytes(MemorySegment p, long len) {
        return p.equals(MemorySegment.NULL) ? null : p.reinterpret(len).toArray(JAVA_BYTE);
    }

    /**
     * A C wait in ms: negative durations mean no limit (-1); waits longer than
     * {@code Integer.MAX_VALUE} ms (24.8 days) are capped to that; null throws NULL_PARAMETER.
     */
    static int millis(Duration timeout) {
        if (timeout == null) {
            throw new SteadyException(Result.NULL_PARAMETER.code(), "timeout is null");
        }
        if (timeout.isNegative()) {
            return -1;
        }
        if (timeout.getSeconds() >= Integer.MAX_VALUE / 1000) {
            return Integer.MAX_VALUE;
        }
        return (int) Math.min(timeout.toMillis(), Integer.MAX_VALUE);
    }
}
