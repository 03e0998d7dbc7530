package dev.fanout.local;

import dev.fanout.encoder.media.ProcessRunner;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Picture and sound in step, judged from the content: the source is black with one white frame at
 * each event time and silent with a 1 kHz tone burst starting at the same instant. After the
 * pipeline, every flash is found in the decoded video (luma) and every beep in the decoded audio
 * (envelope), and each beep must start where its flash is, and where the source had it. Events sit
 * on chunk seams (the chunk encoders' boundaries), on segment boundaries inside a chunk (audio
 * fragments too), on the last frame before a seam, and off the grid.
 */
class AvSyncTest extends PipelineTestBase {
    static final int FPS = 30;
    static final double SECONDS = 25;
    /** 2 s segments, 4 s chunks: seams at 4, 8, 12, 16, 20, 24 s. One cheap rendition of a 360p source. */
    static final Map<String, String> SETTINGS = Map.of("LADDER", "180@300", "SEGMENT_SECONDS", "2", "CHUNK_SECONDS", "4");
    /** Event frames: 1 s (mid-segment), 4 s (seam), 6 s (segment boundary in a chunk), 8 s (seam), 13.4 s (off grid), 15.967 s (last frame before the 16 s seam), 20 s (seam), 23.5 s. */
    static final List<Integer> EVENT_FRAMES = List.of(30, 120, 180, 240, 402, 479, 600, 705);
    static final double BEEP_SECONDS = 0.06;

    /**
     * How far a beep's start may be from its flash. The flash's time is exact (a frame's
     * timestamp); the beep's start is where the decoded envelope first reaches half the burst's
     * level, measured in 1 ms blocks, and AAC smears a sharp onset over a short block (128 samples,
     * 2.7 ms). Measured here: within 2 ms. 5 ms still catches one AAC frame of offset (21.3 ms), a
     * hundred times finer than what viewers notice (ITU-R BT.1359: +45 / -125 ms), and any seam
     * or segment that takes its sound from the wrong place.
     */
    static final double TOLERANCE_SECONDS = 0.005;

    @Test
    void everyBeepStartsOnItsFlashAtSeamsSegmentBoundariesAndOffTheGrid() throws Exception {
        Path src = flashesAndBeeps(dir.resolve("sync.mp4"));
        List<Double> expected = EVENT_FRAMES.stream().map(f -> (double) f / FPS).toList();
        // the source really has them: the test's detectors work, and find no other event
        assertEvents("source video", expected, flashes(src), 0.5 / FPS);
        List<Double> sourceBeeps = beeps(src);
        assertEvents("source audio", expected, sourceBeeps, TOLERANCE_SECONDS);

        fx.upload(src, "uploads/sync.mp4");
        PipelineFixture.Job job = fx.run("uploads/sync.mp4", SETTINGS);
        assertTrue(job.outcome().succeeded(), () -> "job failed: " + job.outcome().result());
        ManifestTimelineCheck.assertManifestsMatchMedia(job.dir()); // the boxes' times are what players use

        Path video = MediaProbe.joinTrack(job.dir().resolve("video/180p"), job.dir().resolve("joined-video.mp4"));
        List<Double> outFlashes = flashes(video);
        List<Double> outBeeps = publishedBeeps(job.dir().resolve("audio"));
        assertEvents("output video", expected, outFlashes, 0.5 / FPS);
        assertEquals(expected.size(), outBeeps.size(), "one beep per event in the output audio: " + seconds(outBeeps));
        StringBuilder report = new StringBuilder();
        for (int i = 0; i < expected.size(); i++) {
            report.append(String.format(Locale.ROOT, "event %.3f s: flash %.4f, beep %.4f (source %.4f)%n", expected.get(i),
                    outFlashes.get(i), outBeeps.get(i), sourceBeeps.get(i)));
        }
        System.out.print(report);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(outFlashes.get(i), outBeeps.get(i), TOLERANCE_SECONDS,
                    "the beep starts on its flash, event at " + expected.get(i) + " s\n" + report);
            assertEquals(sourceBeeps.get(i), outBeeps.get(i), TOLERANCE_SECONDS,
                    "the beep is where the source had it, event at " + expected.get(i) + " s\n" + report);
        }
    }

    /**
     * The same source muxed as a fragmented MP4 by ffmpeg: without an edit list, the muxer moves
     * the first video frame to 0 and holds it 328/15360 s longer (the AAC priming starts the audio
     * first), so in the file every later flash and every beep are 21.3 ms after their event
     * time. The probe plans it as the constant-rate video it is, starting at its second frame's
     * time less one interval; the audio must be taken from there too, or every beep is 21.3 ms late.
     */
    @Test
    void aFragmentedSourceWhoseFirstFrameIsHeldKeepsItsSoundInStep() throws Exception {
        Path src = flashesAndBeeps(dir.resolve("sync-fragmented.mp4"), "-movflags", "+frag_keyframe+empty_moov+default_base_moof");
        List<Long> pts = probe.framePts(src, "v");
        assertEquals(List.of(0L, 840L, 1352L), pts.subList(0, 3), "the layout under test: the first frame held 328 ticks longer");
        List<Double> sourceFlashes = flashes(src);
        List<Double> sourceBeeps = beeps(src);
        assertEquals(EVENT_FRAMES.size(), sourceBeeps.size(), "the source's beeps: " + seconds(sourceBeeps));
        for (int i = 0; i < EVENT_FRAMES.size(); i++) {
            assertEquals(sourceFlashes.get(i), sourceBeeps.get(i), TOLERANCE_SECONDS, "in the source, beep " + i + " starts on its flash");
        }

        fx.upload(src, "uploads/sync-fragmented.mp4");
        PipelineFixture.Job job = fx.run("uploads/sync-fragmented.mp4", SETTINGS);
        assertTrue(job.outcome().succeeded(), () -> "job failed: " + job.outcome().result());
        Path video = MediaProbe.joinTrack(job.dir().resolve("video/180p"), job.dir().resolve("joined-video-fragmented.mp4"));
        List<Double> expected = EVENT_FRAMES.stream().map(f -> (double) f / FPS).toList();
        List<Double> outFlashes = flashes(video);
        List<Double> outBeeps = publishedBeeps(job.dir().resolve("audio"));
        assertEvents("output video", expected, outFlashes, 0.5 / FPS);
        assertEquals(expected.size(), outBeeps.size(), "one beep per event in the output audio: " + seconds(outBeeps));
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(outFlashes.get(i), outBeeps.get(i), TOLERANCE_SECONDS, "the beep starts on its flash, event at " + expected.get(i)
                    + " s: flashes " + seconds(outFlashes) + ", beeps " + seconds(outBeeps));
        }
    }

    /** 640x360 black with a white frame at each event; a 1 kHz burst of {@link #BEEP_SECONDS} from each event's instant; H.264 + AAC. */
    Path flashesAndBeeps(Path out, String... muxOptions) {
        String frames = EVENT_FRAMES.stream().map(f -> "eq(n\\," + f + ")").collect(Collectors.joining("+"));
        String gates = EVENT_FRAMES.stream()
                .map(f -> String.format(Locale.ROOT, "between(t\\,%.6f\\,%.6f)", (double) f / FPS, (double) f / FPS + BEEP_SECONDS))
                .collect(Collectors.joining("+"));
        String video = String.format(Locale.ROOT, "color=c=black:s=640x360:r=%d:d=%.3f,format=yuv420p,drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='%s'",
                FPS, SECONDS, frames);
        String tone = String.format(Locale.ROOT, "aevalsrc='0.5*sin(2*PI*1000*t)*(%s)':s=48000:d=%.3f", gates, SECONDS);
        List<String> command = new ArrayList<>(List.of(fx.bin.ffmpeg().toString(), "-nostdin", "-hide_banner", "-v", "error", "-y",
                "-f", "lavfi", "-i", video, "-f", "lavfi", "-i", tone,
                "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-g", "37",
                "-c:a", "aac", "-b:a", "128k", "-ac", "1"));
        command.addAll(List.of(muxOptions));
        command.add(out.toString());
        run(command);
        return out;
    }

    /** Timestamps (s) of the frames whose mean luma is above mid-grey. */
    List<Double> flashes(Path file) throws IOException {
        Path raw = dir.resolve(file.getFileName() + ".gray");
        run(List.of(fx.bin.ffmpeg().toString(), "-nostdin", "-v", "error", "-y", "-i", file.toString(), "-map", "0:v:0",
                "-vsync", "passthrough", "-vf", "scale=8:8:flags=area,format=gray", "-f", "rawvideo", raw.toString()));
        byte[] luma = Files.readAllBytes(raw);
        List<Long> pts = probe.framePts(file, "v");
        long tb = probe.timeBaseDen(file, "v");
        assertEquals(pts.size() * 64L, luma.length, file + ": one 8x8 picture per frame");
        List<Double> out = new ArrayList<>();
        for (int k = 0; k < pts.size(); k++) {
            int sum = 0;
            for (int i = 0; i < 64; i++) sum += luma[k * 64 + i] & 0xff;
            if (sum / 64 > 128) out.add((double) pts.get(k) / tb);
        }
        return out;
    }

    /** Beep start times (s) of a self-contained (not fragmented) file, decoded by ffmpeg on its own timeline. */
    List<Double> beeps(Path file) throws IOException {
        Path raw = dir.resolve(file.getFileName() + ".pcm");
        run(List.of(fx.bin.ffmpeg().toString(), "-nostdin", "-v", "error", "-y", "-i", file.toString(), "-map", "0:a:0",
                "-af", "aresample=async=1:first_pts=0", "-ac", "1", "-ar", "48000", "-f", "f32le", raw.toString()));
        return onsets(raw, 0);
    }

    /**
     * Beep start times (s) of the published audio track: its AAC frames taken out of the segments
     * by the test's own box reader and decoded as a raw ADTS stream, each sample placed at the
     * presentation time the boxes give it (tfdt and sample durations, minus the init's edit, ISO/IEC
     * 14496-12 8.6.6). Not ffmpeg's fMP4 demuxer: ffmpeg 4.4 reads the first fragment of a
     * fragmented AAC track without its edit list and the later ones with it (measured: a beep in
     * the first segment decodes 1024 samples late, the same beep in a non-fragmented copy of the
     * same packets does not), which is its error, not the file's.
     */
    List<Double> publishedBeeps(Path audioDir) throws IOException {
        Mp4Boxes.Init init = Mp4Boxes.readInit(audioDir.resolve("init.mp4"));
        assertEquals(48000, init.timescale(), "audio track timescale is its sample rate");
        List<Path> segments;
        try (var files = Files.list(audioDir)) {
            segments = files.filter(p -> p.getFileName().toString().startsWith("seg-")).sorted().toList();
        }
        Path adts = dir.resolve("published.aac");
        long firstDecodeTime = Mp4Boxes.writeAdts(init, segments, adts);
        Path raw = dir.resolve("published.pcm");
        run(List.of(fx.bin.ffmpeg().toString(), "-nostdin", "-v", "error", "-y", "-f", "aac", "-i", adts.toString(),
                "-ac", "1", "-f", "f32le", raw.toString()));
        return onsets(raw, init.editMediaTime() - firstDecodeTime);
    }

    /**
     * Burst starts in mono 48 kHz float samples whose presentation time 0 is sample {@code zeroAt}:
     * in 1 ms blocks of RMS on that grid, a burst starts at the first block reaching half the full
     * burst's RMS (0.5 amplitude: 0.35; half: 0.177) after at least 100 ms below it.
     */
    static List<Double> onsets(Path raw, long zeroAt) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(raw)).order(ByteOrder.LITTLE_ENDIAN);
        int samples = b.limit() / 4;
        int block = 48;
        List<Double> out = new ArrayList<>();
        int quietBlocks = 1000;
        for (long first = zeroAt; first + block <= samples; first += block) {
            if (first < 0) continue;
            double sq = 0;
            for (int i = 0; i < block; i++) { float v = b.getFloat((int) (first + i) * 4); sq += v * v; }
            if (Math.sqrt(sq / block) >= 0.177) {
                if (quietBlocks >= 100) out.add((double) (first - zeroAt) / 48000);
                quietBlocks = 0;
            } else {
                quietBlocks++;
            }
        }
        return out;
    }

    static void assertEvents(String what, List<Double> expected, List<Double> found, double tolerance) {
        assertEquals(expected.size(), found.size(), what + ": one event each at " + seconds(expected) + ", found " + seconds(found));
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), found.get(i), tolerance, what + ": event " + i + " at " + seconds(expected) + ", found " + seconds(found));
        }
    }

    static String seconds(List<Double> ts) {
        return Arrays.toString(ts.stream().map(t -> String.format(Locale.ROOT, "%.4f", t)).toArray());
    }

    static void run(List<String> cmd) {
        ProcessRunner.Result r = ProcessRunner.run(cmd, Duration.ofMinutes(2), 4096);
        if (!r.ok()) throw new IllegalStateException(String.join(" ", cmd) + " failed: " + r.stderrSummary(5));
    }
}
