package dev.fanout.local;

import dev.fanout.encoder.media.ProcessRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * H.264, HEVC and AV1 ladders of one job, end to end on real media, judged by ffmpeg as the H.264
 * ladder always was ({@link DashOutputCheck}: every rendition decodes, the source's frame count,
 * a uniform timeline across chunk seams, keyframes exactly on the segment grid — so the codecs
 * are aligned with each other — and every frame's PSNR against the scaled source). On top: each
 * codec is its own adaptation set and set of HLS variants with the codec string of what was
 * encoded, and every segment decodes on its own from the init segment (a closed GOP: an open one
 * would leave leading pictures that reference the segment before).
 */
class CodecLadderTest {
    @TempDir
    static Path dir;
    static PipelineFixture fx;
    static MediaProbe probe;
    static PipelineFixture.Job job;
    static Path src;
    static final int FRAMES = 150; // 5 s at 30 fps
    static final int SEGMENT_FRAMES = 30;

    @BeforeAll
    static void encode() throws Exception {
        fx = new PipelineFixture(dir);
        probe = new MediaProbe(fx.bin);
        // 5 s in 1 s segments and 2 s chunks: 3 chunks, two seams
        src = fx.generate("codecs.mp4", SampleClip.of(480, 270, "30", 5));
        fx.upload(src, "uploads/codecs.mp4");
        job = fx.run("uploads/codecs.mp4", Map.of("LADDER", "270@700,180@350", "SEGMENT_SECONDS", "1", "CHUNK_SECONDS", "2",
                "CODECS", "h264,hevc,av1"));
        assertTrue(job.outcome().succeeded(), () -> "job failed: " + job.outcome().result());
    }

    @AfterAll
    static void stop() throws Exception {
        if (fx != null) fx.close();
    }

    @Test
    void everyRenditionOfEveryCodecIsCompleteAndOnTheSameGrid() throws Exception {
        assertEquals(3, job.record().path("chunkCount").asInt(), "three chunks: two seams to cross");
        assertEquals(List.of("270p", "180p", "270p-hevc", "180p-hevc", "270p-av1", "180p-av1"), job.record().path("ladder").findValuesAsText("id"));
        new DashOutputCheck(probe).assertComplete(job.dir(), src, FRAMES, 30, 1, SEGMENT_FRAMES, true);
    }

    @Test
    void eachCodecIsItsOwnAdaptationSetWithTheCodecStringOfItsInitSegment() throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(job.dir().resolve("manifest.mpd").toFile());
        NodeList sets = doc.getElementsByTagName("AdaptationSet");
        Map<String, List<String>> byCodec = new LinkedHashMap<>();
        for (int i = 0; i < sets.getLength(); i++) {
            Element set = (Element) sets.item(i);
            NodeList reps = set.getElementsByTagName("Representation");
            List<String> ids = new ArrayList<>();
            String sampleEntry = null;
            for (int k = 0; k < reps.getLength(); k++) {
                Element r = (Element) reps.item(k);
                String codecs = r.getAttribute("codecs");
                ids.add(r.getAttribute("id"));
                if (set.getAttribute("contentType").equals("audio")) continue;
                if (sampleEntry != null) assertEquals(sampleEntry, codecs.substring(0, 4), "one codec per adaptation set: " + r.getAttribute("id"));
                sampleEntry = codecs.substring(0, 4);
                assertCodecStringMatchesTheStream(r.getAttribute("id"), codecs);
            }
            byCodec.put(set.getAttribute("contentType").equals("audio") ? "audio" : sampleEntry, ids);
        }
        assertEquals(Map.of("avc1", List.of("270p", "180p"), "hvc1", List.of("270p-hevc", "180p-hevc"),
                "av01", List.of("270p-av1", "180p-av1"), "audio", List.of("audio")), byCodec);
        assertEquals(List.of("avc1", "hvc1", "av01", "audio"), List.copyOf(byCodec.keySet()), "the ladder's codec order, audio last");
    }

    /**
     * The manifest's codec string against ffprobe's own reading of the stream (the tag, profile and
     * level it parses from the parameter sets): hvc1.1.6.L{level} for HEVC Main, av01.0.{level}M.08
     * for AV1 Main 8-bit, avc1.64{..}{level hex} for H.264 High.
     */
    static void assertCodecStringMatchesTheStream(String id, String codecs) throws Exception {
        Path joined = MediaProbe.joinTrack(job.dir().resolve("video").resolve(id), dir.resolve("codec-" + id + ".mp4"));
        String tag = probe.streamField(joined, "v", "codec_tag_string");
        int level = Integer.parseInt(probe.streamField(joined, "v", "level"));
        String profile = probe.streamField(joined, "v", "profile");
        String expected = switch (tag) {
            case "avc1" -> { assertEquals("High", profile, id); yield String.format("avc1.6400%02x", level); }
            case "hvc1" -> { assertEquals("Main", profile, id); yield "hvc1.1.6.L" + level + ".90"; }
            case "av01" -> { assertEquals("Main", profile, id); yield String.format("av01.0.%02dM.08", level); }
            default -> throw new AssertionError(id + ": unexpected sample entry " + tag);
        };
        assertEquals(expected, codecs, id + ": the codecs attribute says what ffprobe reads in the stream");
    }

    @Test
    void eachCodecHasItsOwnHlsVariantsOverTheSameAudio() throws Exception {
        String[] lines = Files.readString(job.dir().resolve("master.m3u8")).split("\n");
        List<String> variants = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].startsWith("#EXT-X-STREAM-INF:")) continue;
            String codecs = lines[i].replaceAll(".*CODECS=\"([^\"]*)\".*", "$1");
            assertTrue(lines[i].contains("AUDIO=\"audio\""), lines[i]);
            variants.add(lines[i + 1] + " " + codecs.replaceAll("^(....)\\.[^,]*", "$1"));
        }
        assertEquals(List.of("video/270p/playlist.m3u8 avc1,mp4a.40.2", "video/180p/playlist.m3u8 avc1,mp4a.40.2",
                "video/270p-hevc/playlist.m3u8 hvc1,mp4a.40.2", "video/180p-hevc/playlist.m3u8 hvc1,mp4a.40.2",
                "video/270p-av1/playlist.m3u8 av01,mp4a.40.2", "video/180p-av1/playlist.m3u8 av01,mp4a.40.2"), variants);
    }

    /** Segment n alone after the init decodes to its whole GOP with no error: it starts with an IDR / key frame and needs nothing before it. */
    @Test
    void everySegmentOfEveryCodecDecodesOnItsOwn() throws Exception {
        for (String id : List.of("270p", "270p-hevc", "270p-av1")) {
            Path track = job.dir().resolve("video").resolve(id);
            List<Path> segments;
            try (var s = Files.list(track)) {
                segments = s.filter(p -> p.getFileName().toString().startsWith("seg-")).sorted().toList();
            }
            assertEquals(FRAMES / SEGMENT_FRAMES, segments.size(), id);
            for (Path seg : segments) {
                Path alone = dir.resolve(id + "-" + seg.getFileName() + ".mp4");
                Files.write(alone, Files.readAllBytes(track.resolve("init.mp4")));
                Files.write(alone, Files.readAllBytes(seg), java.nio.file.StandardOpenOption.APPEND);
                ProcessRunner.Result r = ProcessRunner.run(List.of(fx.bin.ffmpeg().toString(), "-nostdin", "-v", "error", "-xerror",
                        "-i", alone.toString(), "-map", "0:v:0", "-f", "framecrc", "-"), Duration.ofMinutes(2), 4096);
                assertTrue(r.ok(), id + " " + seg.getFileName() + ": " + r.stderrSummary(5));
                long frames = r.stdout().lines().filter(l -> !l.startsWith("#")).count();
                assertEquals(SEGMENT_FRAMES, frames, id + " " + seg.getFileName() + " decodes on its own to one whole segment");
            }
        }
    }

    /**
     * A 4K source with a 2160 rung: the rung is kept (3840x2160, never upscaled from less), passes
     * the default picture limits, and its output is as complete as any rendition's across a chunk
     * seam. A short source at H.264 only: the rule is the planner's (LadderPlannerCodecsTest), this
     * is the real encode of it.
     */
    @Test
    void a2160RungIsEncodedFromA4kSource() throws Exception {
        Path uhd = fx.generate("uhd.mp4", SampleClip.of(3840, 2160, "30", 2).withAudio(false));
        fx.upload(uhd, "uploads/uhd.mp4");
        PipelineFixture.Job j = fx.run("uploads/uhd.mp4", Map.of("LADDER", "2160@16000,360@800", "SEGMENT_SECONDS", "1", "CHUNK_SECONDS", "1"));
        assertTrue(j.outcome().succeeded(), () -> "job failed: " + j.outcome().result());
        assertEquals(List.of("2160p", "360p"), j.record().path("ladder").findValuesAsText("id"));
        assertEquals(List.of(3840, 2160), List.of(j.record().path("ladder").get(0).path("width").asInt(), j.record().path("ladder").get(0).path("height").asInt()));
        assertEquals(2, j.record().path("chunkCount").asInt());
        new DashOutputCheck(probe).assertComplete(j.dir(), uhd, 60, 30, 1, 30, false);
    }
}
