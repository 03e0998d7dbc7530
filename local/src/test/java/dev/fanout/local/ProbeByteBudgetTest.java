package dev.fanout.local;

import dev.fanout.encoder.media.ProcessRunner;
import dev.fanout.encoder.model.SourceInfo;
import dev.fanout.encoder.model.SourceRef;
import dev.fanout.encoder.plan.PipelineConfig;
import dev.fanout.encoder.stages.ProbeStage;
import dev.fanout.encoder.storage.ObjectStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The probe reads only the index (issue 12): of a source of over 300 MB, the real {@link
 * ProbeStage} — ffprobe's header look and the tail check through the source server, the box walk
 * with ranged GETs, all against an embedded S3 store — reads at most 1 % of the bytes, for moov at
 * the end, moov at the front and fragmented layouts alike, and still plans every frame.
 *
 * <p>The sources are one 10 s clip (640x360, ~2 Mbit/s, 1 s GOPs, AAC) encoded once and looped
 * with {@code -stream_loop -c copy}: a 300 MB file costs a remux, not an encode.
 */
class ProbeByteBudgetTest {
    static final long MIN_BYTES = 300L * 1024 * 1024;
    static final int CLIP_FRAMES = 300;
    static final String BUCKET = "input";

    @TempDir
    static Path dir;
    static LayerBinaries bin;
    static Path clip;
    static long loops;
    static LocalS3 s3;
    static ObjectStore store;
    static PipelineConfig config;

    @BeforeAll
    static void setUp() throws Exception {
        bin = LayerBinaries.locate();
        clip = dir.resolve("clip.mp4");
        run(bin.ffmpeg().toString(), "-nostdin", "-y", "-v", "error",
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=10,noise=alls=20:allf=t",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=10",
                "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "2M", "-maxrate", "2M", "-bufsize", "2M",
                "-g", "30", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", clip.toString());
        loops = MIN_BYTES / Files.size(clip) + 2; // -stream_loop N plays the clip N + 1 times; the remux can be smaller
        s3 = LocalS3.start(dir.resolve("s3"));
        s3.createBucket(BUCKET);
        s3.createBucket("output");
        store = s3.objectStore();
        config = PipelineConfig.fromEnv(Map.of("OUTPUT_BUCKET", "output",
                "FFMPEG_PATH", bin.ffmpeg().toString(), "FFPROBE_PATH", bin.ffprobe().toString()));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (s3 != null) s3.close();
    }

    static Stream<List<String>> layouts() {
        return Stream.of(
                List.of("moov at the end"),
                List.of("moov at the front", "-movflags", "+faststart"),
                List.of("fragmented, a fragment per GOP, empty moov", "-movflags", "+frag_keyframe+empty_moov"),
                List.of("fragmented, default-base-is-moof", "-movflags", "+frag_keyframe+empty_moov+default_base_moof"),
                // fragments of 0.5 s: every other one starts on a frame that is not a keyframe
                List.of("fragmented, 0.5 s fragments", "-movflags", "+empty_moov", "-frag_duration", "500000"),
                // the first fragment's samples are in the moov
                List.of("fragmented, samples in the moov", "-movflags", "+frag_keyframe"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void readsAtMostOnePercentOfTheSourceAndPlansEveryFrame(List<String> layout) throws Exception {
        Path big = dir.resolve("big.mp4");
        List<String> c = new ArrayList<>(List.of(bin.ffmpeg().toString(), "-nostdin", "-y", "-v", "error",
                "-stream_loop", String.valueOf(loops - 1), "-i", clip.toString(), "-c", "copy"));
        c.addAll(layout.subList(1, layout.size()));
        c.add(big.toString());
        run(c.toArray(String[]::new));
        long size = Files.size(big);
        assertTrue(size >= MIN_BYTES, "the source is " + size + " bytes");
        String key = "uploads/big-" + layout.get(0).replaceAll("[^a-z0-9]+", "-") + ".mp4";
        store.upload(big, BUCKET, key, "video/mp4");
        Files.delete(big);
        try {
            String etag = store.head(BUCKET, key).orElseThrow().eTag().replace("\"", "");
            ProbeStage.Probed probed = new ProbeStage(store, config).probeSource(new SourceRef(BUCKET, key, etag, size));
            ProbeStage.StepBytes b = probed.bytes();
            SourceInfo.Video v = probed.info().video();
            String figures = layout.get(0) + ": " + size + " bytes; header " + b.header() + ", box walk " + b.fragmentIndex()
                    + ", tail check " + b.tailCheck() + " = " + String.format(java.util.Locale.ROOT, "%.3f %%", 100.0 * b.total() / size);
            System.out.println(figures);
            assertTrue(b.total() * 100 <= size, figures);
            assertEquals(loops * CLIP_FRAMES, v.frameCount(), figures + ": frames");
            assertEquals(30.0, v.frameRate().toDouble(), 0.05, figures + ": rate " + v.frameRate());
        } finally {
            store.deletePrefix(BUCKET, key, k -> false);
        }
    }

    /**
     * A constant-rate fragmented source at a high bitrate (36 Mbit/s, 2 s fragments of 9 MB), where
     * the fragments, not the index, are what a probe reads. The tail check decodes the moov and
     * the last fragment and reads each byte of them about once: ffmpeg's stream analysis had read
     * ahead to the fragment's audio and then the video again from where it stopped (13.4 MB of a
     * 9 MB fragment). ffprobe's look reads little more than the first keyframe: it had read on
     * for the audio's first packet (a second of video later) and for 20 frames to guess a rate the
     * fragment headers give (5.1 MB, ffprobe's probe size).
     */
    @Test
    void aDenseFragmentedSourceIsProbedFromItsLastFragmentAndAKeyframe() throws Exception {
        Path src = dir.resolve("dense.mp4");
        run(bin.ffmpeg().toString(), "-nostdin", "-y", "-v", "error",
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=6,noise=alls=40:allf=t",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=6",
                "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-g", "60", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "128k", "-movflags", "+frag_keyframe+empty_moov", src.toString());
        long size = Files.size(src);
        long moov = 0, lastMoof = -1;
        List<Long> moofs = new ArrayList<>();
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(src.toFile(), "r")) {
            for (long at = 0; at < size; ) {
                f.seek(at);
                long boxSize = Integer.toUnsignedLong(f.readInt());
                String type = new String(new byte[]{f.readByte(), f.readByte(), f.readByte(), f.readByte()}, java.nio.charset.StandardCharsets.ISO_8859_1);
                if (boxSize == 1) boxSize = f.readLong();
                if (type.equals("moov")) moov = at + boxSize;
                if (type.equals("moof")) {
                    lastMoof = at;
                    moofs.add(at);
                }
                at += boxSize;
            }
        }
        long lastFragment = size - lastMoof; // the last moof, its mdat (and the mfra after it)
        long firstFragment = moofs.get(1) - moofs.get(0);
        assertTrue(lastFragment > 2_000_000, "the layout under test: a last fragment of megabytes, " + lastFragment);
        String key = "uploads/dense.mp4";
        store.upload(src, BUCKET, key, "video/mp4");
        try {
            String etag = store.head(BUCKET, key).orElseThrow().eTag().replace("\"", "");
            ProbeStage.Probed probed = new ProbeStage(store, config).probeSource(new SourceRef(BUCKET, key, etag, size));
            long tail = probed.bytes().tailCheck();
            long header = probed.bytes().header();
            String figures = size + " bytes, moov ends at " + moov + ", first fragment " + firstFragment + ", last fragment " + lastFragment
                    + " bytes; header " + header + ", tail check " + tail;
            System.out.println(figures);
            assertEquals(180, probed.info().video().frameCount(), figures);
            // each byte about once: the moov, the fragment, and what a few dropped connections had read ahead
            assertTrue(tail <= moov + lastFragment + 256 * 1024, figures);
            // the moov and the first keyframe (a tenth of a 60-frame fragment here) and a little read-ahead
            assertTrue(header <= moov + firstFragment / 4, figures);
        } finally {
            store.deletePrefix(BUCKET, key, k -> false);
        }
    }

    static void run(String... command) {
        ProcessRunner.Result r = ProcessRunner.run(Arrays.asList(command), Duration.ofMinutes(5), 64 * 1024);
        if (!r.ok()) throw new IllegalStateException(String.join(" ", command) + " failed: " + r.stderrSummary(5));
    }
}
