package dev.fanout.local.bench;

import dev.fanout.encoder.media.ProcessRunner;
import dev.fanout.encoder.model.SourceInfo;
import dev.fanout.encoder.model.SourceRef;
import dev.fanout.encoder.plan.PipelineConfig;
import dev.fanout.encoder.stages.ProbeStage;
import dev.fanout.encoder.storage.ObjectStore;
import dev.fanout.local.LayerBinaries;
import dev.fanout.local.LocalS3;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Bytes the probe reads of large sources, per step (ffprobe's header read, the fragment index of a
 * fragmented MP4, the tail check) and in total, as a share of the file. The sources are made
 * cheaply: a short 1080p clip with audio encoded once, then looped with {@code -c copy} into one
 * MP4 of about the size asked for — moov at the end, moov at the front ({@code +faststart}),
 * fragmented with 2 s GOPs and fragmented with x264's default long GOP (250 frames). Each file is
 * uploaded to an embedded S3 store and probed by the real {@link ProbeStage}; it is deleted before
 * the next one is made (disk). Usage:
 * {@code java -cp local/target/fanout-local.jar dev.fanout.local.bench.ProbeBytesBenchmark [megabytes=1024]}
 */
public final class ProbeBytesBenchmark {
    private ProbeBytesBenchmark() {}

    private static final String BUCKET = "input";

    /** One kind of source: how the clip is encoded (GOP) and how the loop is muxed. */
    record Kind(String name, int gopFrames, List<String> movflags) {}

    public static void main(String[] args) throws Exception {
        long megabytes = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        LayerBinaries bin = LayerBinaries.locate();
        Path dir = Files.createTempDirectory("probe-bytes-bench");
        List<Kind> kinds = List.of(
                new Kind("moov at the end", 250, List.of()),
                new Kind("moov at the front (+faststart)", 250, List.of("-movflags", "+faststart")),
                new Kind("fragmented, 2 s GOP", 60, List.of("-movflags", "+frag_keyframe+empty_moov")),
                new Kind("fragmented, 250-frame GOP", 250, List.of("-movflags", "+frag_keyframe+empty_moov")));
        List<String> lines = new ArrayList<>();
        try (LocalS3 s3 = LocalS3.start(dir.resolve("s3"))) {
            s3.createBucket(BUCKET);
            s3.createBucket("output");
            ObjectStore store = s3.objectStore();
            PipelineConfig config = PipelineConfig.fromEnv(Map.of("OUTPUT_BUCKET", "output",
                    "FFMPEG_PATH", bin.ffmpeg().toString(), "FFPROBE_PATH", bin.ffprobe().toString()));
            for (Kind kind : kinds) {
                Path clip = clip(bin, dir, kind.gopFrames());
                Path big = dir.resolve("big.mp4");
                loop(bin, clip, big, megabytes * 1024 * 1024, kind.movflags());
                long size = Files.size(big);
                String key = "uploads/" + kind.name().replaceAll("[^a-z0-9]+", "-") + ".mp4";
                store.upload(big, BUCKET, key, "video/mp4");
                Files.delete(big);
                String etag = store.head(BUCKET, key).orElseThrow().eTag().replace("\"", "");
                long started = System.nanoTime();
                ProbeStage.Probed probed = new ProbeStage(store, config).probeSource(new SourceRef(BUCKET, key, etag, size));
                double seconds = (System.nanoTime() - started) / 1e9;
                store.deletePrefix(BUCKET, key, k -> false);
                ProbeStage.StepBytes b = probed.bytes();
                SourceInfo.Video v = probed.info().video();
                String line = String.format(Locale.ROOT,
                        "%-32s %,14d B | header %,12d | fragment index %,12d | tail check %,12d | total %,12d = %6.3f%% | %d frames @ %s, %.1f s",
                        kind.name(), size, b.header(), b.fragmentIndex(), b.tailCheck(), b.total(), 100.0 * b.total() / size,
                        v.frameCount(), v.frameRate(), seconds);
                System.out.println(line);
                lines.add(line);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.out.println();
        lines.forEach(System.out::println);
    }

    /**
     * A 10 s 1080p30 clip with noise (so it has a realistic bitrate, ~36 Mbit/s), video only: the
     * loop adds the audio, so the looped video stays constant-rate (a clip with AAC loops at its
     * longer audio track's end, and every loop point was a 21 ms gap in the video).
     */
    private static Path clip(LayerBinaries bin, Path dir, int gopFrames) {
        Path clip = dir.resolve("clip-g" + gopFrames + ".mp4");
        if (Files.exists(clip)) return clip;
        run(List.of(bin.ffmpeg().toString(), "-y", "-v", "error",
                "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=10,noise=alls=12:allf=t",
                "-c:v", "libx264", "-preset", "ultrafast", "-crf", "26", "-g", String.valueOf(gopFrames), "-pix_fmt", "yuv420p",
                clip.toString()));
        return clip;
    }

    /** {@code clip} repeated with {@code -stream_loop} (no video re-encode) to about {@code bytes}, with AAC audio as long. */
    private static void loop(LayerBinaries bin, Path clip, Path out, long bytes, List<String> movflags) throws Exception {
        long loops = Math.max(0, Math.round((double) bytes / Files.size(clip)) - 1);
        List<String> c = new ArrayList<>(List.of(bin.ffmpeg().toString(), "-y", "-v", "error",
                "-stream_loop", String.valueOf(loops), "-i", clip.toString(),
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=" + 10 * (loops + 1),
                "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", "-b:a", "128k"));
        c.addAll(movflags);
        c.add(out.toString());
        run(c);
    }

    private static void run(List<String> command) {
        ProcessRunner.Result r = ProcessRunner.run(command, Duration.ofMinutes(20), 64 * 1024);
        if (r.exitCode() != 0) throw new IllegalStateException(String.join(" ", command) + " failed: " + r.stderrSummary(5));
    }
}
