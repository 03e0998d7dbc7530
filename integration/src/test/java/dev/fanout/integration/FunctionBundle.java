package dev.fanout.integration;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The function code as one zip: {@code lib/<the shaded Lambda jar>} (Lambda's Java runtime puts
 * {@code /var/task/lib/*.jar} on the class path) and the ffmpeg layer's {@code bin/ffmpeg} and
 * {@code bin/ffprobe} with their execute bits (stored as Unix modes, which unzip restores), because
 * LocalStack Community does not mount layers. Entries are stored, not deflated: the jar is
 * compressed already and the bundle only travels to a local S3.
 */
public final class FunctionBundle {
    /** Where the binaries land in the function's container: Lambda unpacks the code to /var/task. */
    public static final String BIN_DIR_IN_TASK = "/var/task/bin";

    private FunctionBundle() {}

    public static Path write(Path lambdaJar, Path ffmpeg, Path ffprobe, Path zip) throws IOException {
        for (Path p : new Path[]{lambdaJar, ffmpeg, ffprobe}) {
            if (!Files.isRegularFile(p)) throw new IOException("cannot bundle " + p + ": not found (build it first: mvn verify builds functions and the layer)");
        }
        Files.deleteIfExists(zip);
        Map<String, Object> env = Map.of("create", "true", "noCompression", "true", "enablePosixFileAttributes", "true");
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("jar:" + zip.toAbsolutePath().toUri()), env)) {
            Files.createDirectories(fs.getPath("lib"));
            Files.createDirectories(fs.getPath("bin"));
            Files.copy(lambdaJar, fs.getPath("lib", lambdaJar.getFileName().toString()));
            for (Path binary : new Path[]{ffmpeg, ffprobe}) {
                Path target = fs.getPath("bin", binary.getFileName().toString());
                Files.copy(binary, target);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        return zip;
    }
}
