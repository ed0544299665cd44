package dev.steady;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Properties;

/**
 * The copy of libsteady this JAR carries: found by platform, extracted once per version and
 * content into a cache directory shared by every JVM of the user, checked against its SHA-256.
 *
 * <p>Layout in the JAR: {@code /dev/steady/native/PLATFORM/libsteady.so} beside
 * {@code native.properties} (file, version, sha256, size), PLATFORM as {@code linux-x86_64}.
 * Extracted to {@code $XDG_CACHE_HOME/steady/VERSION-SHA256PREFIX/libsteady.so} (else
 * {@code ~/.cache/steady/…}); a JVM that cannot write there uses a private temporary directory.
 */
final class Loader {
    private Loader() {}

    /** Where the JAR keeps its libraries, one directory per platform. */
    static final String RESOURCES = "/dev/steady/native/";

    /**
     * A library in the JAR.
     *
     * @param resource its resource name
     * @param file the file name to extract it to, such as libsteady.so
     * @param version the version of steady it was built as
     * @param sha256 its SHA-256, in lowercase hex
     * @param size its length in bytes
     */
    record Bundle(String resource, String file, String version, String sha256, long size) {
        /** The directory under {@code root} for this version and content. */
        Path directory(Path root) {
            return root.resolve(version + "-" + sha256.substring(0, 16));
        }
    }

    /** The platform's directory name, such as {@code linux-x86_64}. */
    static String platform(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("linux")) {
            os = "linux";
        } else if (os.startsWith("mac") || os.startsWith("darwin")) {
            os = "macos";
        } else if (os.startsWith("windows")) {
            os = "windows";
        } else {
            os = os.replaceAll("[^a-z0-9]", "");
        }
        String arch = switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64", "x64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> osArch.toLowerCase(Locale.ROOT);
        };
        return os + "-" + arch;
    }

    /** The library this JAR carries for the running platform; null when it carries none. */
    static Bundle bundle() throws IOException {
        return bundle(platform(System.getProperty("os.name"), System.getProperty("os.arch")));
    }

    /** The library this JAR carries for {@code platform}; null when it carries none. */
    static Bundle bundle(String platform) throws IOException {
        String dir = RESOURCES + platform + "/";
        Properties p = new Properties();
        try (InputStream in = Loader.class.getResourceAsStream(dir + "native.properties")) {
            if (in == null) {
                return null;
            }
            p.load(in);
        }
        String file = p.getProperty("file", "");
        String version = p.getProperty("version", "");
        String sha256 = p.getProperty("sha256", "").toLowerCase(Locale.ROOT);
        String size = p.getProperty("size", "");
        if (!file.matches("[\\w.+-]+") || !version.matches("[\\w.+-]+") || !sha256.matches("[0-9a-f]{64}")
                || !size.matches("\\d+")) {
            throw new IOException("bad " + dir + "native.properties: " + p);
        }
        return new Bundle(dir + file, file, version, sha256, Long.parseLong(size));
    }

    /** The user's cache of extracted libraries: $XDG_CACHE_HOME/steady, else ~/.cache/steady. */
    static Path cacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "steady");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "steady");
    }

    /**
     * The bundle as a file in {@code directory}: the one already there when its size is right
     * (it can only have got there whole and checked), else a new one. Safe for any number of
     * threads and processes at once: each writes and checks a file of its own, then renames it
     * into place atomically, so a process sees no file or a complete one, never a partial one.
     */
    static Path extract(Bundle bundle, Path directory) throws IOException {
        Path target = directory.resolve(bundle.file());
        if (Files.isRegularFile(target) && Files.size(target) == bundle.size()) {
            return target;
        }
        Files.createDirectories(directory);
        Path part = Files.createTempFile(directory, "." + bundle.file() + "-", ".part");
        try {
            write(bundle, part);
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(part);
        }
        return target;
    }

    /** Writes the bundle's bytes to {@code to}, failing unless they match its SHA-256 and size. */
    private static void write(Bundle bundle, Path to) throws IOException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
        long size;
        try (InputStream resource = Loader.class.getResourceAsStream(bundle.resource())) {
            if (resource == null) {
                throw new IOException("no resource " + bundle.resource());
            }
            try (InputStream in = new DigestInputStream(resource, sha256);
                    OutputStream out = Files.newOutputStream(to)) {
                size = in.transferTo(out);
            }
        }
        String actual = HexFormat.of().formatHex(sha256.digest());
        if (size != bundle.size() || !actual.equals(bundle.sha256())) {
            throw new IOException(bundle.resource() + " is " + size + " bytes with SHA-256 " + actual
                    + ", not " + bundle.size() + " bytes with " + bundle.sha256() + " (a damaged JAR)");
        }
    }
}
