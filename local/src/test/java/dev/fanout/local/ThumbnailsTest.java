package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.media.ProcessRunner;
import dev.fanout.local.asl.StatesError;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Poster, sprite sheets and the WebVTT thumbnail track, made by the state machine's thumbnail
 * branch on real media and judged with ffmpeg/ffprobe against the source: sizes, coverage of the
 * timeline, and that each tile is the source frame at its cue's start. A thumbnail failure never
 * fails the job, and a slow thumbnail branch only delays packaging, never breaks it.
 */
class ThumbnailsTest {
    @TempDir
    static Path dir;
    static PipelineFixture fx;
    static MediaProbe probe;
    static Path source;
    static PipelineFixture.Job job;
    static final Map<String, String> SETTINGS = Map.of("LADDER", "240@400,144@200", "CHUNK_SECONDS", "2");
    /** Measured: a tile against its own source frame 39-40 dB (scaling, JPEG); against a frame half a second away 17-20 dB. */
    static final double SAME_FRAME_DB = 33;

    @BeforeAll
    static void start() throws Exception {
        fx = new PipelineFixture(dir);
        probe = new MediaProbe(fx.bin);
        // 5 s at 30 fps, keyframes every 37 frames (1.23 s): testsrc2's frames all differ
        source = fx.generate("clip.mp4", SampleClip.of(426, 240, "30", 5));
        fx.upload(source, "uploads/clip.mp4");
        job = fx.run("uploads/clip.mp4", SETTINGS);
        assertTrue(job.outcome().succeeded(), job.outcome().result()::toString);
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @Test
    void theJobRecordDescribesTheThumbnails() throws Exception {
        JsonNode t = job.record().path("thumbnails");
        assertEquals("SUCCEEDED", t.path("status").asText(), t.toPrettyString());
        assertEquals("jobs/" + job.outcome().jobId() + "/poster.jpg", t.path("poster").path("key").asText());
        assertEquals("jobs/" + job.outcome().jobId() + "/thumbnails/thumbnails.vtt", t.path("sprites").path("track").asText());
        assertEquals(1, t.path("sprites").path("sheets").size());
        assertEquals("jobs/" + job.outcome().jobId() + "/thumbnails/sprite-001.jpg", t.path("sprites").path("sheets").get(0).asText());
        assertEquals(1, t.path("sprites").path("intervalSeconds").asInt());
        assertEquals(5, t.path("sprites").path("tileCount").asInt(), "keyframes at 0, 1.23, 2.47, 3.7, 4.93 s are each >= 1 s apart");
        assertTrue(job.statesEntered().contains("Make thumbnails"));
        assertFalse(job.statesEntered().contains("Record thumbnail failure"));
        String page = Files.readString(job.dir().resolve("index.html"));
        assertTrue(page.contains("\"thumbnails\":\"thumbnails/thumbnails.vtt\""), "the player page previews from the track beside it");
        assertTrue(page.contains(" poster=\"poster.jpg\""), "and shows the poster");
    }

    @Test
    void thePosterIsTheSourceFrameAtTenPercentInTheVideosDisplaySize() throws Exception {
        Path poster = job.dir().resolve("poster.jpg");
        assertEquals("mjpeg", probe.streamField(poster, "v", "codec_name"));
        assertEquals("426", probe.streamField(poster, "v", "width"));
        assertEquals("240", probe.streamField(poster, "v", "height"));
        assertTrue(averageLuma(poster) > 40, "not a black frame: YAVG " + averageLuma(poster));
        assertEquals(0.5, job.record().path("thumbnails").path("poster").path("seconds").asDouble(), 1e-9);
        double same = psnr(poster, "null", source, frameOf(15, 426, 240));
        double other = psnr(poster, "null", source, frameOf(45, 426, 240));
        assertTrue(same > 30 && same > other + 5, "poster vs frame 15: " + same + " dB, vs frame 45: " + other + " dB");
    }

    @Test
    void theTrackCoversTheVideoAndEveryTileIsTheFrameAtItsCueStart() throws Exception {
        List<Cue> cues = parseVtt(Files.readString(job.dir().resolve("thumbnails/thumbnails.vtt")));
        assertEquals(5, cues.size());
        assertEquals(0, cues.get(0).startMillis());
        for (int i = 1; i < cues.size(); i++) assertEquals(cues.get(i - 1).endMillis(), cues.get(i).startMillis(), "contiguous at cue " + i);
        assertEquals(5000, cues.get(cues.size() - 1).endMillis(), "ends with the video (150 frames at 30 fps)");

        Path sprite = job.dir().resolve("thumbnails/sprite-001.jpg");
        assertEquals("mjpeg", probe.streamField(sprite, "v", "codec_name"));
        assertEquals(5 * 160, Integer.parseInt(probe.streamField(sprite, "v", "width")), "5 columns of 160 px");
        assertEquals(90, Integer.parseInt(probe.streamField(sprite, "v", "height")), "1 row, 160x90 keeps 426x240's aspect");
        for (Cue c : cues) {
            assertEquals("sprite-001.jpg", c.file());
            assertTrue(c.x() >= 0 && c.y() >= 0 && c.x() + c.w() <= 800 && c.y() + c.h() <= 90, c + " lies inside the sprite");
            assertEquals(160, c.w());
            assertEquals(90, c.h());
        }
        for (int i = 0; i < cues.size(); i++) {
            Cue c = cues.get(i);
            int frame = (int) Math.round(c.startMillis() * 30 / 1000.0);
            if (i == 0) assertEquals(0, frame);
            String crop = "crop=" + c.w() + ":" + c.h() + ":" + c.x() + ":" + c.y();
            double same = psnr(sprite, crop, source, frameOf(frame, 160, 90));
            int neighbour = frame < 75 ? frame + 15 : frame - 15;
            double nearby = psnr(sprite, crop, source, frameOf(neighbour, 160, 90));
            assertTrue(same > SAME_FRAME_DB && same > nearby + 5,
                    "tile " + i + " (" + c + ") vs frame " + frame + ": " + same + " dB, vs half a second later: " + nearby + " dB");
        }
    }

    @Test
    void aRotatedSourceGetsUprightThumbnails() throws Exception {
        // a phone held upright: 320x180 coded, a display matrix turning it by 90 degrees (set by a
        // remux: an encoding ffmpeg drops the rotate tag)
        Path coded = fx.generate("coded.mp4", SampleClip.of(320, 180, "30", 3));
        Path rotated = dir.resolve("rotated.mp4");
        ProcessRunner.Result remux = ProcessRunner.run(List.of(fx.bin.ffmpeg().toString(), "-nostdin", "-v", "error", "-y", "-i", coded.toString(),
                "-c", "copy", "-metadata:s:v:0", "rotate=90", rotated.toString()), Duration.ofMinutes(1), 4096);
        assertTrue(remux.ok(), remux.stderrSummary(3));
        fx.upload(rotated, "uploads/rotated.mp4");
        PipelineFixture.Job r = fx.run("uploads/rotated.mp4", SETTINGS);
        assertTrue(r.outcome().succeeded(), r.outcome().result()::toString);
        JsonNode t = r.record().path("thumbnails");
        assertEquals("SUCCEEDED", t.path("status").asText(), t.toPrettyString());
        Path poster = r.dir().resolve("poster.jpg");
        assertEquals("144", probe.streamField(poster, "v", "width"), "shown portrait, the size of the largest rendition (144p)");
        assertEquals("256", probe.streamField(poster, "v", "height"));
        assertEquals(284, t.path("sprites").path("tileHeight").asInt(), "160 wide, portrait");
        Path sprite = r.dir().resolve("thumbnails/sprite-001.jpg");
        assertEquals(3 * 160, Integer.parseInt(probe.streamField(sprite, "v", "width")));
        assertEquals(284, Integer.parseInt(probe.streamField(sprite, "v", "height")));
        // the reference: ffmpeg decoding the source as a player does, display matrix applied
        double upright = psnr(poster, "null", rotated, frameOf(9, 144, 256));
        assertTrue(upright > 30, "the poster is the frame turned as a player shows it: " + upright + " dB");
    }

    @Test
    void aThumbnailFailureIsRecordedAndTheJobStillSucceeds() throws Exception {
        fx.upload(source, "uploads/no-thumbs.mp4");
        AtomicInteger attempts = new AtomicInteger();
        PipelineFixture.Job failed = fx.run("uploads/no-thumbs.mp4", SETTINGS, (function, payload) -> {
            if (function.equals("ThumbnailFunction") && !payload.has("failedAttempt")) {
                attempts.incrementAndGet();
                throw new StatesError("dev.fanout.encoder.errors.EncodeFailedException",
                        "{\"errorMessage\":\"EncodeFailed.Thumbnails: injected: the sprite encoder crashed\","
                                + "\"errorType\":\"dev.fanout.encoder.errors.EncodeFailedException\",\"stackTrace\":[]}");
            }
        });
        assertTrue(failed.outcome().succeeded(), failed.outcome().result()::toString);
        assertEquals(1, attempts.get(), "a permanent error is not retried");
        assertTrue(failed.statesEntered().contains("Record thumbnail failure"));
        JsonNode record = failed.record();
        assertEquals("SUCCEEDED", record.path("status").asText());
        JsonNode t = record.path("thumbnails");
        assertEquals("FAILED", t.path("status").asText(), t.toPrettyString());
        assertEquals("EncodeFailed.Thumbnails", t.path("error").path("error").asText());
        assertEquals("injected: the sprite encoder crashed", t.path("error").path("reason").asText());
        assertTrue(Files.isRegularFile(failed.dir().resolve("manifest.mpd")), "the video is published");
        assertFalse(Files.exists(failed.dir().resolve("poster.jpg")));
        assertFalse(Files.exists(failed.dir().resolve("thumbnails")));
        String page = Files.readString(failed.dir().resolve("index.html"));
        assertTrue(page.contains("\"thumbnails\":null"), "the player page has no seek previews");
        assertFalse(page.contains("poster="), "nor a poster");
    }

    @Test
    void whenEvenTheFailureCannotBeRecordedTheJobSaysThumbnailsAreMissing() throws Exception {
        fx.upload(source, "uploads/thumbs-down.mp4");
        PipelineFixture.Job job = fx.run("uploads/thumbs-down.mp4", SETTINGS, (function, payload) -> {
            if (function.equals("ThumbnailFunction")) throw new StatesError("Lambda.Unknown", "injected: the thumbnail function is broken");
        });
        assertTrue(job.outcome().succeeded(), job.outcome().result()::toString);
        assertTrue(job.statesEntered().contains("Thumbnails skipped"));
        JsonNode t = job.record().path("thumbnails");
        assertEquals("FAILED", t.path("status").asText(), t.toPrettyString());
        assertEquals("Thumbnails.Missing", t.path("error").path("error").asText());
        assertTrue(t.path("error").path("reason").asText().contains("thumbnails.json"), t.toPrettyString());
    }

    @Test
    void slowThumbnailsDelayPackagingButRunBesideTheChunks() throws Exception {
        fx.upload(source, "uploads/slow-thumbs.mp4");
        long[] window = new long[2];
        List<Long> chunkStarts = new CopyOnWriteArrayList<>();
        PipelineFixture.Job slow = fx.run("uploads/slow-thumbs.mp4", SETTINGS, (function, payload) -> {
            if (function.equals("EncodeChunkFunction")) chunkStarts.add(System.nanoTime());
            if (function.equals("ThumbnailFunction")) {
                window[0] = System.nanoTime();
                try {
                    Thread.sleep(6000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                window[1] = System.nanoTime();
            }
        });
        assertTrue(slow.outcome().succeeded(), slow.outcome().result()::toString);
        assertEquals("SUCCEEDED", slow.record().path("thumbnails").path("status").asText(), "packaging waited for the thumbnails");
        assertTrue(Files.isRegularFile(slow.dir().resolve("thumbnails/thumbnails.vtt")));
        assertTrue(chunkStarts.stream().anyMatch(t -> t > window[0] && t < window[1]),
                "chunks were encoded while the thumbnail branch was busy");
    }

    // ------------------------------------------------------------------ independent checks

    record Cue(long startMillis, long endMillis, String file, int x, int y, int w, int h) {}

    private static final Pattern TIMING = Pattern.compile("^(\\d{2,}):(\\d{2}):(\\d{2})\\.(\\d{3}) --> (\\d{2,}):(\\d{2}):(\\d{2})\\.(\\d{3})$");
    private static final Pattern PAYLOAD = Pattern.compile("^([\\w.-]+)#xywh=(\\d+),(\\d+),(\\d+),(\\d+)$");

    /** A strict reading of the WebVTT we expect: header, then blocks of one timing line and one payload line. */
    static List<Cue> parseVtt(String text) {
        String[] blocks = text.split("\n\n");
        assertEquals("WEBVTT", blocks[0].strip());
        List<Cue> cues = new ArrayList<>();
        for (int i = 1; i < blocks.length; i++) {
            String[] lines = blocks[i].strip().split("\n");
            assertEquals(2, lines.length, "cue block " + i + ": " + blocks[i]);
            Matcher t = TIMING.matcher(lines[0]);
            Matcher p = PAYLOAD.matcher(lines[1]);
            assertTrue(t.matches(), lines[0]);
            assertTrue(p.matches(), lines[1]);
            long start = millis(t, 1);
            long end = millis(t, 5);
            assertTrue(end > start, lines[0]);
            cues.add(new Cue(start, end, p.group(1), Integer.parseInt(p.group(2)), Integer.parseInt(p.group(3)),
                    Integer.parseInt(p.group(4)), Integer.parseInt(p.group(5))));
        }
        return cues;
    }

    private static long millis(Matcher m, int g) {
        return ((Long.parseLong(m.group(g)) * 60 + Long.parseLong(m.group(g + 1))) * 60 + Long.parseLong(m.group(g + 2))) * 1000
                + Long.parseLong(m.group(g + 3));
    }

    /** Source frame n (counted in presentation order from the first), scaled like a thumbnail. */
    static String frameOf(int n, int w, int h) {
        return "select=eq(n\\," + n + "),scale=" + w + ":" + h + ":flags=bicubic,setsar=1";
    }

    /** PSNR (average over planes) of the first frame of a (filtered) against the first frame b's filter lets through. */
    double psnr(Path a, String filterA, Path b, String filterB) {
        ProcessRunner.Result r = ProcessRunner.run(List.of(fx.bin.ffmpeg().toString(), "-nostdin", "-hide_banner", "-nostats",
                "-i", a.toString(), "-i", b.toString(), "-lavfi",
                "[0:v]" + filterA + ",format=yuv420p,setpts=PTS-STARTPTS[a];[1:v]" + filterB + ",format=yuv420p,setpts=PTS-STARTPTS[b];[a][b]psnr",
                "-an", "-sn", "-frames:v", "1", "-f", "null", "-"), Duration.ofMinutes(2), 4096);
        Matcher m = Pattern.compile("PSNR .*average:(\\S+)").matcher(r.stderrTail());
        assertTrue(r.ok() && m.find(), r.stderrSummary(5));
        return m.group(1).equals("inf") ? 100 : Double.parseDouble(m.group(1));
    }

    double averageLuma(Path image) {
        ProcessRunner.Result r = ProcessRunner.run(List.of(fx.bin.ffmpeg().toString(), "-nostdin", "-v", "error", "-i", image.toString(),
                "-vf", "signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=-", "-f", "null", "-"), Duration.ofMinutes(1), 4096);
        Matcher m = Pattern.compile("YAVG=(\\S+)").matcher(r.stdout());
        assertTrue(r.ok() && m.find(), r.stderrSummary(5) + r.stdout());
        return Double.parseDouble(m.group(1));
    }
}
