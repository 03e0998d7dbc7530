package dev.fanout.local.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Exact CPU seconds of every ffmpeg/ffprobe run of a pipeline, with its arguments: the stages are
 * given (FFMPEG_PATH, FFPROBE_PATH) a bash wrapper that runs the real binary as its only child
 * and then writes bash's {@code times} for its children (the kernel's rusage of the waited-for
 * binary, utime and stime) and the arguments to a file of its own. Sampling /proc every 20 ms
 * (ChildProcessMeter) missed short runs and runs whose sampler turn came late on a loaded machine
 * (measured 2026-12-01 at load 34: 1–2 of a chunk invocation's 3 ffmpeg runs seen); the wrapper
 * misses none and costs one bash start per run (~2 ms).
 */
final class MeteredBinaries {
    private static final Pattern TIME = Pattern.compile("(\\d+)m([0-9.]+)s");

    private final Path logDir;
    private final Path ffmpeg;
    private final Path ffprobe;

    private MeteredBinaries(Path logDir, Path ffmpeg, Path ffprobe) {
        this.logDir = logDir;
        this.ffmpeg = ffmpeg;
        this.ffprobe = ffprobe;
    }

    /** Wrappers of {@code realFfmpeg} and {@code realFfprobe} in {@code dir}, logging under {@code dir}/runs. */
    static MeteredBinaries create(Path dir, Path realFfmpeg, Path realFfprobe) throws IOException {
        Path logDir = dir.resolve("runs");
        Files.createDirectories(logDir);
        return new MeteredBinaries(logDir, wrapper(dir.resolve("ffmpeg"), realFfmpeg, logDir), wrapper(dir.resolve("ffprobe"), realFfprobe, logDir));
    }

    Path ffmpeg() { return ffmpeg; }

    Path ffprobe() { return ffprobe; }

    private static Path wrapper(Path file, Path real, Path logDir) throws IOException {
        // times in this shell, not in a pipeline's subshell (whose children are not the binary: it said 0);
        // $$ is unique among running wrappers; the microseconds (EPOCHREALTIME, no fork to count) keep a reused pid from overwriting an earlier run's file
        String script = "#!/bin/bash\n"
                + "'" + real.toAbsolutePath() + "' \"$@\"\n"
                + "rc=$?\n"
                + "{ times; printf '%s\\0' \"$0\" \"$@\"; } > '" + logDir.toAbsolutePath() + "'/run-$$-${EPOCHREALTIME/./}\n"
                + "exit $rc\n";
        Files.writeString(file, script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /** Every run that ended since the last call (its log is removed once read): the wrapper path and arguments, and CPU seconds. */
    List<ChildProcessMeter.ChildCpu> drain() throws IOException {
        List<ChildProcessMeter.ChildCpu> runs = new ArrayList<>();
        try (Stream<Path> files = Files.list(logDir)) {
            for (Path f : files.toList()) {
                String text = Files.readString(f);
                int first = text.indexOf('\n'), nl = text.indexOf('\n', first + 1);
                Matcher m = TIME.matcher(text.substring(first + 1, nl)); // line 2, "0m1.230s 0m0.040s": children's user, system
                double cpu = 0;
                while (m.find()) cpu += Integer.parseInt(m.group(1)) * 60 + Double.parseDouble(m.group(2));
                List<String> args = new ArrayList<>(List.of(text.substring(nl + 1).split("\u0000")));
                runs.add(new ChildProcessMeter.ChildCpu(args, cpu));
                Files.delete(f);
            }
        }
        return runs;
    }
}
