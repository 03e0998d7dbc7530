package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.media.ProcessRunner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.core.sync.RequestBody;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Poster, sprite sheets and the WebVTT thumbnail track on real media, judged with ffmpeg against
 * the source. The tiles come from the chunk workers (they decode every frame of their chunk) and
 * Package lays them out: tile i is the frame a player shows at i × interval — not the nearest
 * keyframe (the sources here have one keyframe in 250 frames) — also on both sides of chunk seams;
 * no invocation reads the source for thumbnails; a sheet that cannot be made never fails the job.
 */
class ThumbnailsTest extends PipelineTestBase {
    Path source;
    PipelineFixture.Job job;
    static final List<String> functionsCalled = new CopyOnWriteArrayList<>();
    static final List<JsonNode> chunkRecords = new CopyOnWriteArrayList<>();
    /** 2 s chunks: 60 frames at 30 and at 29.97 fps, so chunk seams are at frames 60, 120, … */
    static final Map<String, String> SETTINGS = Map.of("LADDER", "240@400,144@200", "CHUNK_SECONDS", "2");
    static final int CHUNK_FRAMES = 60;

    @BeforeAll
    void start() throws Exception {
        // 6 s at 30 fps with a single keyframe (a GOP of 250 frames): testsrc2's frames all differ
        source = fx.generate("clip.mp4", SampleClip.of(426, 240, "30", 6).withKeyframeInterval(250));
        fx.upload(source, "uploads/clip.mp4");
        job = fx.run("uploads/clip.mp4", SETTINGS, (function, payload) -> {
            functionsCalled.add(function);
            if (function.equals("PackageFunction")) chunkRecords.addAll(storedChunkRecords(payload.path("jobId").asText()));
        });
        assertTrue(job.outcome().succeeded(), job.outcome().result()::toString);
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
        assertEquals(6, t.path("sprites").path("tileCount").asInt(), "one tile per second of a 6 s video, keyframes or not");
        String page = Files.readString(job.dir().resolve("index.html"));
        assertTrue(page.contains("\"thumbnails\":\"thumbnails/thumbnails.vtt\""), "the player page previews from the track beside it");
        assertTrue(page.contains(" poster=\"poster.jpg\""), "and shows the poster");
    }

    @Test
    void noInvocationReadsTheSourceForThumbnails() throws Exception {
        assertEquals(Set.of("ProbeFunction", "EncodeChunkFunction", "PackageFunction"), Set.copyOf(functionsCalled),
                "no thumbnail stage: the chunk workers make the tiles and the poster, Package the sheets");
        JsonNode read = job.record().path("timings").path("sourceBytesRead");
        assertTrue(read.path("thumbnails").isMissingNode() || read.path("thumbnails").isNull(), read.toString());
        assertEquals(3, chunkRecords.size());
        int tiles = 0;
        for (JsonNode c : chunkRecords) {
            long first = c.path("startFrame").asLong();
            long end = first + c.path("frameCount").asLong();
            for (JsonNode tile : c.path("tiles")) {
                tiles++;
                assertTrue(tile.path("frame").asLong() >= first && tile.path("frame").asLong() < end, "a chunk lists only its own frames: " + c);
                assertTrue(tile.path("key").asText().startsWith("work/" + job.outcome().jobId() + "/tiles/"), tile.toString());
            }
            boolean hasPoster = c.hasNonNull("poster");
            assertEquals(c.path("chunkIndex").asInt() == 0, hasPoster, "frame 18, the poster, is in chunk 0: " + c);
        }
        assertEquals(6, tiles);
        assertTrue(fx.store.list(PipelineFixture.OUTPUT, "work/" + job.outcome().jobId() + "/").isEmpty(), "the tiles went with work/");
    }

    @Test
    void thePosterIsTheSourceFrameAtTenPercentInTheVideosDisplaySize() throws Exception {
        Path poster = job.dir().resolve("poster.jpg");
        assertEquals("mjpeg", probe.streamField(poster, "v", "codec_name"));
        assertEquals("426", probe.streamField(poster, "v", "width"));
        assertEquals("240", probe.streamField(poster, "v", "height"));
        assertEquals(0.6, job.record().path("thumbnails").path("poster").path("seconds").asDouble(), 1e-9);
        assertShowsFrame(poster, "null", source, 18, 426, 240, "the poster");
    }

    @Test
    void everyTileIsTheFrameAtItsCueStartNotTheNearestKeyframe() throws Exception {
        List<Cue> cues = checkedTrack(job, 6, 6000);
        Path sprite = job.dir().resolve("thumbnails/sprite-001.jpg");
        assertEquals(6 * 160, Integer.parseInt(probe.streamField(sprite, "v", "width")), "6 columns of 160 px");
        assertEquals(90, Integer.parseInt(probe.streamField(sprite, "v", "height")), "1 row, 160x90 keeps 426x240's aspect");
        List<Integer> frames = new ArrayList<>();
        for (Cue c : cues) frames.add((int) Math.floor(c.startMillis() * 30 / 1000.0));
        assertTrue(frames.contains(CHUNK_FRAMES) && frames.contains(2 * CHUNK_FRAMES), "cues at the first frame of chunks 1 and 2: " + frames);
        assertTilesShowTheirFrames(cues, sprite, source, frames);
    }

    @Test
    void atNtscRatesTheTileIsTheFrameOnScreenAtTheCueIncludingTheLastBeforeASeam() throws Exception {
        Path ntsc = fx.generate("ntsc.mp4", SampleClip.of(426, 240, "30000/1001", 4.5).withKeyframeInterval(250));
        fx.upload(ntsc, "uploads/ntsc.mp4");
        PipelineFixture.Job n = fx.run("uploads/ntsc.mp4", SETTINGS);
        assertTrue(n.outcome().succeeded(), n.outcome().result()::toString);
        List<Cue> cues = checkedTrack(n, 5, Math.round(n.record().path("durationSeconds").asDouble() * 1000));
        // the frame shown at t is the one whose display interval holds t: floor(t × 30000/1001)
        List<Integer> frames = new ArrayList<>();
        for (Cue c : cues) frames.add((int) Math.floor(c.startMillis() / 1000.0 * 30000 / 1001));
        assertEquals(List.of(0, 29, 59, 89, 119), frames);
        assertTrue(frames.contains(CHUNK_FRAMES - 1) && frames.contains(2 * CHUNK_FRAMES - 1), "the last frames before the seams at 60 and 120");
        assertTilesShowTheirFrames(cues, n.dir().resolve("thumbnails/sprite-001.jpg"), ntsc, frames);
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
    void aSheetThatCannotBeMadeIsRecordedAndTheJobStillSucceeds() throws Exception {
        fx.upload(source, "uploads/bad-tile.mp4");
        PipelineFixture.Job failed = fx.run("uploads/bad-tile.mp4", SETTINGS, (function, payload) -> {
            if (function.equals("PackageFunction")) {
                // a tile the chunk worker uploaded is no JPEG by the time Package reads it
                String key = "work/" + payload.path("jobId").asText() + "/tiles/00003.jpg";
                assertTrue(fx.store.head(PipelineFixture.OUTPUT, key).isPresent(), key + " was uploaded by its chunk");
                fx.store.client().putObject(b -> b.bucket(PipelineFixture.OUTPUT).key(key), RequestBody.fromString("not a picture"));
            }
        });
        assertTrue(failed.outcome().succeeded(), failed.outcome().result()::toString);
        JsonNode record = failed.record();
        assertEquals("SUCCEEDED", record.path("status").asText());
        JsonNode t = record.path("thumbnails");
        assertEquals("FAILED", t.path("status").asText(), t.toPrettyString());
        assertEquals("Thumbnails.BadTile", t.path("error").path("error").asText(), t.toPrettyString());
        assertTrue(t.path("error").path("reason").asText().contains("tile 3"), t.toPrettyString());
        assertTrue(Files.isRegularFile(failed.dir().resolve("manifest.mpd")), "the video is published");
        assertFalse(Files.exists(failed.dir().resolve("thumbnails")), "no sheets, no track");
        String page = Files.readString(failed.dir().resolve("index.html"));
        assertTrue(page.contains("\"thumbnails\":null"), "the player page has no seek previews");
        assertTrue(page.contains(" poster=\"poster.jpg\""), "the poster, made by its chunk, still shows");
        assertEquals("jobs/" + failed.outcome().jobId() + "/poster.jpg", t.path("poster").path("key").asText());
    }

    // ------------------------------------------------------------------ independent checks

    /** The chunk records as the workers left them for Package (read before Package deletes work/). */
    List<JsonNode> storedChunkRecords(String jobId) {
        List<JsonNode> out = new ArrayList<>();
        fx.store.list(PipelineFixture.OUTPUT, "work/" + jobId + "/chunks/").forEach(o -> {
            out.add(fx.store.getJson(PipelineFixture.OUTPUT, o.key(), JsonNode.class));
        });
        return out;
    }

    /** The track: {@code count} cues of 160 px tiles in sprite-001.jpg, cue i starting at i s, contiguous, ending with the video. */
    static List<Cue> checkedTrack(PipelineFixture.Job j, int count, long durationMillis) throws IOException {
        List<Cue> cues = parseVtt(Files.readString(j.dir().resolve("thumbnails/thumbnails.vtt")));
        assertEquals(count, cues.size(), cues::toString);
        for (int i = 0; i < cues.size(); i++) {
            Cue c = cues.get(i);
            assertEquals(i * 1000L, c.startMillis(), "cue " + i + " starts at i × the 1 s interval");
            assertEquals(i + 1 < cues.size() ? (i + 1) * 1000L : durationMillis, c.endMillis(), "contiguous, the last ends with the video");
            assertEquals("sprite-001.jpg", c.file());
            assertEquals(i * 160, c.x());
            assertEquals(0, c.y());
            assertEquals(160, c.w());
            assertEquals(90, c.h());
        }
        return cues;
    }

    void assertTilesShowTheirFrames(List<Cue> cues, Path sprite, Path src, List<Integer> frames) {
        for (int i = 0; i < cues.size(); i++) {
            Cue c = cues.get(i);
            assertShowsFrame(sprite, "crop=" + c.w() + ":" + c.h() + ":" + c.x() + ":" + c.y(), src, frames.get(i), 160, 90, "tile " + i + " (" + c + ")");
        }
    }

    /**
     * The picture is source frame {@code frame}, ±1: of the source frames from 4 before to 4 after
     * it, the best match (PSNR) is within one frame of it, and beats every frame further away by
     * 3 dB (measured: the right frame 38-40 dB, its neighbours 27-28 dB, frames 2+ away below 24).
     */
    void assertShowsFrame(Path picture, String crop, Path src, int frame, int w, int h, String what) {
        Map<Integer, Double> db = new java.util.TreeMap<>();
        for (int f = Math.max(0, frame - 4); f <= frame + 4; f++) db.put(f, psnr(picture, crop, src, frameOf(f, w, h)));
        int best = db.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        double far = db.entrySet().stream().filter(e -> Math.abs(e.getKey() - frame) > 1).mapToDouble(Map.Entry::getValue).max().orElse(0);
        assertTrue(Math.abs(best - frame) <= 1 && db.get(best) > far + 3 && db.get(best) > 30,
                what + " should show frame " + frame + " ±1; PSNR by source frame: " + db);
    }


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
