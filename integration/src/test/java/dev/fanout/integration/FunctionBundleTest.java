package dev.fanout.integration;

import dev.fanout.local.LayerBinaries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FunctionBundleTest {

    static Path lambdaJar() {
        Path jar = Path.of(System.getProperty("fanout.lambdaJar", "../functions/target/fanout-encoder-functions-0.1.0-SNAPSHOT-lambda.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " is built before this module's tests (mvn verify builds functions first)");
        return jar;
    }

    /** Unpacked the way Lambda unpacks code (unzip), the bundled ffmpeg and ffprobe run and the jar is in lib/. */
    @Test
    void unpackedBundleHasTheJarInLibAndRunnableBinaries(@TempDir Path dir) throws Exception {
        LayerBinaries bin = LayerBinaries.locate();
        Path zip = FunctionBundle.write(lambdaJar(), bin.ffmpeg(), bin.ffprobe(), dir.resolve("function.zip"));
        try (ZipFile z = new ZipFile(zip.toFile())) {
            List<String> names = z.stream().filter(e -> !e.isDirectory()).map(e -> e.getName()).sorted().toList();
            assertEquals(List.of("bin/ffmpeg", "bin/ffprobe", "lib/" + lambdaJar().getFileName()), names);
            assertEquals(Files.size(lambdaJar()), z.getEntry("lib/" + lambdaJar().getFileName()).getSize());
        }
        Path task = Files.createDirectories(dir.resolve("task"));
        Process unzip = new ProcessBuilder("unzip", "-q", zip.toString(), "-d", task.toString()).redirectErrorStream(true).start();
        assertTrue(unzip.waitFor(60, TimeUnit.SECONDS) && unzip.exitValue() == 0, new String(unzip.getInputStream().readAllBytes()));
        for (String tool : List.of("ffmpeg", "ffprobe")) {
            Path exe = task.resolve("bin").resolve(tool);
            assertTrue(Files.isExecutable(exe), tool + " keeps its execute bit");
            Process p = new ProcessBuilder(exe.toString(), "-version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, out);
            assertTrue(out.startsWith(tool + " version"), out);
        }
        assertEquals(FunctionBundle.BIN_DIR_IN_TASK, "/var/task/bin", "where Lambda puts the code");
    }

    @Test
    void aMissingInputIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("nope.jar");
        var e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> FunctionBundle.write(missing, missing, missing, dir.resolve("f.zip")));
        assertTrue(e.getMessage().contains("nope.jar"), e.getMessage());
    }
}
