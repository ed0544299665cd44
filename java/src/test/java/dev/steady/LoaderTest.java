package dev.steady;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library carried in the JAR: found, extracted once, checked and loaded. */
class LoaderTest {
    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    static List<String> names(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void platformNames() {
        assertEquals("linux-x86_64", Loader.platform("Linux", "amd64"));
        assertEquals("linux-x86_64", Loader.platform("Linux", "x86_64"));
        assertEquals("linux-aarch64", Loader.platform("Linux", "aarch64"));
        assertEquals("macos-aarch64", Loader.platform("Mac OS X", "aarch64"));
        assertEquals("windows-x86_64", Loader.platform("Windows 11", "amd64"));
        assertEquals("freebsd-x86_64", Loader.platform("FreeBSD", "amd64"));
    }

    /** The build put libsteady for linux-x86_64 in the classes, with its version, digest and size. */
    @Test
    void carriesLinuxX8664() throws Exception {
        Loader.Bundle bundle = Loader.bundle("linux-x86_64");
        assertNotNull(bundle, "no /dev/steady/native/linux-x86_64/native.properties");
        assertEquals("/dev/steady/native/linux-x86_64/libsteady.so", bundle.resource());
        assertEquals("libsteady.so", bundle.file());
        try (InputStream in = Loader.class.getResourceAsStream(bundle.resource())) {
            byte[] bytes = in.readAllBytes();
            assertEquals(bundle.size(), bytes.length);
            assertEquals(bundle.sha256(),
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        }
        assertEquals(null, Loader.bundle("plan9-mips"));
    }

    /**
     * Without -Dsteady.library the library is the bundled one, extracted to the user's cache
     * ($XDG_CACHE_HOME, set by the pom to target/cache), and it is the version of this JAR.
     */
    @Test
    void loadsTheBundledCopyOfThisVersion() throws Exception {
        Loader.Bundle bundle = Loader.bundle();
        assertNotNull(bundle);
        assertEquals(bundle.version(), Steady.version(), "the JAR's version against the library's");
        if (!System.getProperty("steady.library", "").isEmpty()) {
            assertEquals(System.getProperty("steady.library"), Native.origin());
            return;
        }
        Path extracted = bundle.directory(Loader.cacheRoot()).resolve("libsteady.so");
        assertEquals(extracted.toString(), Native.origin());
        assertEquals(bundle.sha256(), sha256(extracted));
        assertTrue(extracted.getParent().getFileName().toString().startsWith(bundle.version() + "-"));
    }

    /** Threads extracting into one empty directory at once all get the same whole, checked file. */
    @Test
    void concurrentExtraction(@TempDir Path root) throws Exception {
        Loader.Bundle bundle = Loader.bundle();
        Path directory = bundle.directory(root);
        int threads = 8;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return Loader.extract(bundle, directory);
                }));
            }
            for (Future<Path> result : results) {
                assertEquals(directory.resolve("libsteady.so"), result.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of("libsteady.so"), names(directory), "no partial files left");
        assertEquals(bundle.sha256(), sha256(directory.resolve("libsteady.so")));
    }

    /** A file already extracted is used as it is, not written again. */
    @Test
    void reusesAnExtractedCopy(@TempDir Path root) throws Exception {
        Loader.Bundle bundle = Loader.bundle();
        Path first = Loader.extract(bundle, bundle.directory(root));
        Object key = Files.readAttributes(first, BasicFileAttributes.class).fileKey();
        Path again = Loader.extract(bundle, bundle.directory(root));
        assertEquals(first, again);
        assertEquals(key, Files.readAttributes(again, BasicFileAttributes.class).fileKey());
    }

    /** A file cut short (not one this loader wrote) is replaced by a whole one. */
    @Test
    void replacesATruncatedCopy(@TempDir Path root) throws Exception {
        Loader.Bundle bundle = Loader.bundle();
        Path directory = bundle.directory(root);
        Files.createDirectories(directory);
        Files.write(directory.resolve("libsteady.so"), new byte[] {0x7f, 'E', 'L', 'F'});
        Path extracted = Loader.extract(bundle, directory);
        assertEquals(bundle.sha256(), sha256(extracted));
    }

    /** Bytes that do not match the recorded digest are refused and leave nothing behind. */
    @Test
    void refusesADamagedBundle(@TempDir Path root) throws Exception {
        Loader.Bundle bundle = Loader.bundle();
        Loader.Bundle damaged = new Loader.Bundle(bundle.resource(), bundle.file(), bundle.version(),
                "0".repeat(64), bundle.size());
        IOException e = assertThrows(IOException.class, () -> Loader.extract(damaged, damaged.directory(root)));
        assertTrue(e.getMessage().contains("damaged"), e.getMessage());
        assertEquals(List.of(), names(damaged.directory(root)));
        assertFalse(Files.exists(damaged.directory(root).resolve("libsteady.so")));
    }

    /** The cache is $XDG_CACHE_HOME/steady when that is an absolute path, else ~/.cache/steady. */
    @Test
    void cacheRootFollowsXdg() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && Path.of(xdg).isAbsolute()) {
            assertEquals(Path.of(xdg, "steady"), Loader.cacheRoot());
        } else {
            assertEquals(Path.of(System.getProperty("user.home"), ".cache", "steady"), Loader.cacheRoot());
        }
    }
}
