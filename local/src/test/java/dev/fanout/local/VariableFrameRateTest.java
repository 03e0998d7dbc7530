package dev.fanout.local;

import dev.fanout.encoder.media.ProcessRunner;
import dev.fanout.encoder.storage.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Variable-frame-rate sources through the local state machine (real ffmpeg, several chunks): every
 * frame the camera recorded reaches the output, at the nominal (capture) rate. Each generated frame
 * shows its capture number as 10 black/white bars (bit b = bar b), so every output frame can be
 * traced back to its source frame; frames are dropped by leaving their timestamps out, the way a
 * phone does in low light, and muxed into MP4 with the real, uneven timestamps.
 */
class VariableFrameRateTest {
    @TempDir
    static Path dir;
    static PipelineFixture fx;
    static CorpusMedia media;
    static MediaProbe probe;
    static DashOutputCheck check;

    /** Two renditions, 1 s segments, 2 s chunks: a 6 s clip has 3 chunks and seams at 2 s and 4 s. */
    static final Map<String, String> SMALL = Map.of("LADDER", "180@400,90@150", "SEGMENT_SECONDS", "1", "CHUNK_SECONDS", "2");

    @BeforeAll
    static void start() throws Exception {
        fx = new PipelineFixture(dir);
        media = new CorpusMedia(fx.bin.ffmpeg());
        probe = new MediaProbe(fx.bin);
        check = new DashOutputCheck(probe);
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    /** 320x180 frames at {@code rate} for {@code seconds}, each showing its number n as 10 bars of 32 pixels; frames where {@code drop} is true are left out. */
    static Path numbered(Path out, String rate, double seconds, String drop, String... more) {
        List<String> a = new ArrayList<>(List.of("-f", "lavfi", "-i", String.format(java.util.Locale.ROOT,
                "color=black:s=320x180:r=%s:d=%.3f,format=yuv420p,geq=lum='if(mod(floor(N/pow(2\\,floor(X/32)))\\,2)\\,235\\,16)':cb=128:cr=128",
                rate, seconds)));
        a.addAll(List.of(more));
        a.addAll(List.of("-vf", "select='not(" + drop + ")'", "-vsync", "vfr", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-g", "25"));
        return media.ffmpeg(out, a.toArray(String[]::new));
    }

    /**
     * A phone at 30 fps that dropped frames: 10–11; 57–62 (a gap across the chunk seam at 2 s, frame
     * 60); 119, so frame 120 lies exactly on the seam at 4 s after a gap; 150–153. With AAC audio.
     */
    @Test
    void phoneWithDroppedFramesKeepsEveryFrameAtThirtyFps() throws Exception {
        Path src = numbered(dir.resolve("phone.mp4"), "30", 6, "between(n\\,10\\,11)+between(n\\,57\\,62)+eq(n\\,119)+between(n\\,150\\,153)",
                "-f", "lavfi", "-i", CorpusMedia.tone(440, 6), "-map", "0:v", "-map", "1:a", "-c:a", "aac", "-b:a", "96k");
        assertVariableRate(src, "30/1");
        Result r = encode(src, "uploads/phone.mp4", true);
        assertEquals(Rule.DISPLAY_INTERVAL, r.rule);
        assertEquals(30, r.rateNum);
        assertEquals(180, r.expected.size(), "the output frame count is the duration × 30 (6 s)");
    }

    /**
     * A phone's capture jitter: frame n at n/30 s + (7n mod 5) × 2 ms (up to a quarter frame late,
     * 1/90000 time base), with drops. Each frame keeps its own slot (rounded to the nearest); the
     * literal interval rule on the raw times would lose the frame before every on-time one.
     */
    @Test
    void jitteredPhoneClipKeepsEveryFrame() throws Exception {
        Path src = media.ffmpeg(dir.resolve("jitter.mp4"), "-f", "lavfi", "-i",
                "color=black:s=320x180:r=30:d=4,format=yuv420p,geq=lum='if(mod(floor(N/pow(2\\,floor(X/32)))\\,2)\\,235\\,16)':cb=128:cr=128,"
                        + "settb=1/90000,setpts='(N/30+mod(N*7\\,5)*0.002)/TB'",
                "-vf", "select='not(between(n\\,20\\,22)+between(n\\,58\\,63))'", "-vsync", "vfr", "-enc_time_base", "1/90000",
                "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-g", "25", "-video_track_timescale", "90000");
        assertVariableRate(src, "30/1");
        List<long[]> frames = sourceFrames(src);
        long off = frames.stream().filter(f -> (f[0] - frames.get(0)[0]) % 3000 != 0).count();
        assertTrue(off > frames.size() / 2, "most frames are off the 30 fps grid: " + off + " of " + frames.size());
        Result r = encode(src, "uploads/jitter.mp4", false);
        assertEquals(30, r.rateNum);
        assertEquals(Rule.NEAREST_SLOT, r.rule);
        assertEquals(120, r.expected.size(), "4 s × 30");
    }

    /** The same phone clip as a fragmented MP4: frames and average from the fragment headers, the nominal rate kept. */
    @Test
    void fragmentedPhoneClip() throws Exception {
        Path src = numbered(dir.resolve("phone-fragmented.mp4"), "30", 6, "between(n\\,10\\,11)+between(n\\,57\\,62)+eq(n\\,119)+between(n\\,150\\,153)",
                "-movflags", "+frag_keyframe+empty_moov+default_base_moof");
        assertVariableRate(src, "30/1");
        assertEquals("N/A", probe.streamField(src, "v", "nb_frames"), "fragmented: no sample count in the header");
        Result r = encode(src, "uploads/phone-fragmented.mp4", false);
        assertEquals(30, r.rateNum);
        assertEquals(180, r.expected.size(), "6 s × 30");
    }

    /**
     * The first frame is not at 0: capture frames 0–3 are missing, so the video starts at 4/30 s
     * (an edit list), behind the audio, which starts at 0; 62–67 dropped across the seam at 2 s
     * from the first frame.
     */
    @Test
    void firstFrameLate() throws Exception {
        Path src = numbered(dir.resolve("late.mp4"), "30", 5, "lt(n\\,4)+between(n\\,62\\,67)",
                "-f", "lavfi", "-i", CorpusMedia.tone(440, 5), "-map", "0:v", "-map", "1:a", "-c:a", "aac", "-b:a", "96k");
        assertVariableRate(src, "30/1");
        assertEquals(0.133, Double.parseDouble(probe.streamField(src, "v", "start_time")), 0.001, "the video starts after the audio");
        Result r = encode(src, "uploads/late.mp4", true);
        assertEquals(30, r.rateNum);
        assertEquals(146, r.expected.size(), "the output frame count is the duration from the first frame × 30 ((150 − 4) / 30 s)");
        assertEquals(4, r.outputIds.get(0), "output frame 0 is the source's first frame");
    }

    /**
     * A 27 fps webcam with dropped frames: ffprobe's r_frame_rate (27/1) is not a camera rate and
     * the average (25) is lower still; converting at either the average or the nearest camera rate
     * to it (25) would drop frames. The output is at the lowest camera rate at or above both: 30.
     */
    @Test
    void implausibleBaseRateGoesUpToTheNextCameraRate() throws Exception {
        Path src = numbered(dir.resolve("webcam27.mp4"), "27", 4, "between(n\\,10\\,12)+between(n\\,52\\,56)");
        assertVariableRate(src, "27/1");
        assertEquals("25/1", probe.streamField(src, "v", "avg_frame_rate"), "the corpus file is what the case says");
        Result r = encode(src, "uploads/webcam27.mp4", false);
        assertEquals(30, r.rateNum);
        assertEquals(1, r.rateDen);
        assertEquals(Rule.NEAREST_SLOT, r.rule);
        assertEquals(120, r.expected.size(), "4 s × 30");
    }

    /**
     * Above the 60 fps cap: a 120 fps clip with dropped frames (236–245 across the seam at 2 s) is output at 60 fps; output frame k
     * shows the source frame on screen at k / 60 (every other capture slot), so frames between are
     * dropped by design, and a gap still repeats the frame before it.
     */
    @Test
    void aboveTheCapEveryOtherCaptureSlot() throws Exception {
        Path src = numbered(dir.resolve("fast120.mp4"), "120", 3, "between(n\\,10\\,13)+between(n\\,236\\,245)");
        assertVariableRate(src, "120/1");
        Result r = encode(src, "uploads/fast120.mp4", false, false);
        assertEquals(60, r.rateNum);
        assertEquals(180, r.expected.size(), "3 s × 60");
        assertTrue(r.outputIds.contains(16) && !r.outputIds.contains(15) && !r.outputIds.contains(17),
                "the capture slots on the 60 fps grid, not those between: " + r.outputIds);
        assertEquals(List.of(8, 9, 9, 14), r.outputIds.subList(4, 8), "frames 10–13 missing: slots 5 and 6 repeat frame 9");
    }

    // ---- the check ----

    enum Rule {
        /** Output frame k shows the source frame whose display interval [t_i, t_i+1) contains k / fps. */
        DISPLAY_INTERVAL,
        /** As above with each t_i rounded to the nearest output slot (the source is not on the output's grid). */
        NEAREST_SLOT
    }

    record Result(long rateNum, long rateDen, Rule rule, List<Integer> expected, List<Integer> outputIds) {}

    static void assertVariableRate(Path src, String baseRate) {
        assertEquals(baseRate, probe.streamField(src, "v", "r_frame_rate"), "ffprobe's base rate of the generated source");
        assertNotEquals(baseRate, probe.streamField(src, "v", "avg_frame_rate"), "the source IS variable rate (average ≠ base rate)");
    }

    static Result encode(Path src, String key, boolean audio) throws Exception {
        return encode(src, key, audio, true);
    }

    /**
     * Runs the job and checks every rendition: frame k shows the source frame the rule names (so
     * every source frame appears when they are at least a slot apart), and the DASH output is whole
     * (frame count, uniform timeline across the chunk seams, keyframes on the segment grid, PSNR).
     */
    static Result encode(Path src, String key, boolean audio, boolean everyFrameAppears) throws Exception {
        fx.upload(src, key);
        PipelineFixture.Job job = fx.run(key, SMALL);
        assertTrue(job.outcome().succeeded(), () -> "job failed: " + job.outcome().result());
        assertTrue(job.record().path("chunkCount").asInt() >= 2, "several chunks, so there are seams");

        java.util.regex.Matcher declared = java.util.regex.Pattern.compile("frameRate=\"([0-9/]+)\"")
                .matcher(java.nio.file.Files.readString(job.dir().resolve("manifest.mpd")));
        assertTrue(declared.find(), "the manifest declares the frame rate");
        String[] rate = declared.group(1).split("/");
        long num = Long.parseLong(rate[0]);
        long den = rate.length > 1 ? Long.parseLong(rate[1]) : 1;

        List<long[]> frames = sourceFrames(src); // pts, duration
        List<Integer> sourceIds = ids(src);
        assertEquals(frames.size(), sourceIds.size(), "one identity per source frame");
        long tbDen = probe.timeBaseDen(src, "v");
        long first = frames.get(0)[0];
        long[] last = frames.get(frames.size() - 1);
        boolean onGrid = frames.stream().allMatch(f -> ((f[0] - first) * num) % (den * tbDen) == 0);
        Rule rule = onGrid ? Rule.DISPLAY_INTERVAL : Rule.NEAREST_SLOT;
        // the duration, from the first frame to the end of the last, in output slots (rounded)
        long span = last[0] + last[1] - first;
        long slots = Math.floorDiv(2 * span * num + den * tbDen, 2 * den * tbDen);
        List<Integer> expected = new ArrayList<>();
        for (long k = 0; k < slots; k++) {
            int shown = -1;
            for (int i = 0; i < frames.size(); i++) {
                long t = frames.get(i)[0] - first;
                boolean started = rule == Rule.DISPLAY_INTERVAL ? t * num <= k * den * tbDen : 2 * t * num < (2 * k + 1) * den * tbDen;
                if (started) shown = sourceIds.get(i);
            }
            expected.add(shown);
        }

        int segmentFrames = (int) Math.round((double) num / den);
        check.assertComplete(job.dir(), src, expected.size(), num, den, segmentFrames, audio, "setpts=PTS-STARTPTS,fps=" + num + "/" + den);
        List<Integer> outputIds = null;
        for (DashOutputCheck.Rep r : DashOutputCheck.representations(job.dir().resolve("manifest.mpd"))) {
            outputIds = ids(job.dir().resolve("joined-" + r.id() + ".mp4"));
            assertEquals(expected, outputIds, r.id() + ": output frame k shows the source frame on screen at k / fps (" + rule + ")");
            if (everyFrameAppears) {
                assertEquals(new TreeSet<>(sourceIds), new TreeSet<>(outputIds), r.id() + ": every source frame appears in the output");
            }
        }
        return new Result(num, den, rule, expected, outputIds);
    }

    /** Every source frame's pts and duration (stream time base), in presentation order, as ffprobe decodes them. */
    static List<long[]> sourceFrames(Path src) throws Exception {
        ProcessRunner.Result r = ProcessRunner.run(List.of(fx.bin.ffprobe().toString(), "-v", "error", "-select_streams", "v:0",
                "-show_entries", "frame=pts,duration", "-of", "json", src.toString()), Duration.ofMinutes(2), 8 << 20);
        assertTrue(r.ok(), r.stderrTail());
        List<long[]> out = new ArrayList<>();
        for (JsonNode f : Json.MAPPER.readTree(r.stdout()).path("frames")) out.add(new long[]{f.path("pts").asLong(), f.path("duration").asLong()});
        return out;
    }

    /** The number each decoded frame shows (its 10 bars averaged to one pixel each), every frame as decoded (no rate conversion). */
    static List<Integer> ids(Path file) throws java.io.IOException {
        Path raw = dir.resolve(file.getFileName() + ".ids.gray");
        ProcessRunner.Result r = ProcessRunner.run(List.of(fx.bin.ffmpeg().toString(), "-nostdin", "-v", "error", "-y", "-i", file.toString(),
                "-map", "0:v:0", "-vsync", "passthrough", "-vf", "scale=10:1:flags=area", "-pix_fmt", "gray", "-f", "rawvideo", raw.toString()),
                Duration.ofMinutes(2), 1 << 16);
        assertTrue(r.ok(), r.stderrTail());
        byte[] px = java.nio.file.Files.readAllBytes(raw); // 10 bytes a frame
        List<Integer> ids = new ArrayList<>();
        for (int f = 0; f + 10 <= px.length; f += 10) {
            int n = 0;
            for (int b = 0; b < 10; b++) {
                int v = px[f + b] & 0xff;
                assertTrue(v < 60 || v > 190, "bar " + b + " of frame " + ids.size() + " is clearly black or white: " + v);
                if (v > 125) n |= 1 << b;
            }
            ids.add(n);
        }
        return ids;
    }
}
