package dev.fanout.local;

import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.Rendition;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every attribute a player decides on, in manifest.mpd and master.m3u8, checked against what
 * ffprobe measures in the published init + segments: codecs (avc1.PPCCLL from the stream's
 * profile, constraint flags and level; mp4a.40.2 for AAC LC), picture size, exact frame rate,
 * sample aspect ratio, and bandwidth at least the measured peak segment bit rate and the average
 * (and not inflated). The H.264 level must be the lowest that ITU-T H.264 Table A-1 allows for the
 * rendition's size, frame rate and VBV settings.
 */
class ManifestAttributesTest extends PipelineTestBase {
    @Test
    void ntscLadderWithAudio() throws Exception {
        // 426x240 is not exactly 16:9, so the adaptation set may not claim a common par
        Path src = fx.generate("ntsc.mp4", SampleClip.of(640, 360, "30000/1001", 7.5));
        fx.upload(src, "uploads/ntsc.mp4");
        PipelineFixture.Job job = run("uploads/ntsc.mp4", Map.of("LADDER", "360@700,240@400,180@250", "CHUNK_SECONDS", "4"));
        assertTrue(job.outcome().succeeded(), () -> "job failed: " + job.outcome().result());
        Map<String, TrackMeasurement> measured = measure(job);
        assertEquals("30000/1001", measured.get("360p").frameRate());
        assertEquals("mp4a.40.2", measured.get("audio").codecs());
        assertMpdMatches(job, measured);
        assertMasterMatches(job, measured);
    }

    @Test
    void anamorphicSourceBecomesSquarePixelsAtItsDisplayAspect() throws Exception {
        // 480x360 stored, shown at 16:9 (sample aspect 4:3): renditions are 640x360 and 320x180 with square pixels
        Path src = fx.generate("anamorphic.mp4", SampleClip.of(480, 360, "25", 5).withAudio(false).withOutputOptions(List.of("-aspect", "16:9")));
        assertEquals("4:3", probe.streamField(src, "v", "sample_aspect_ratio"));
        fx.upload(src, "uploads/anamorphic.mp4");
        PipelineFixture.Job job = run("uploads/anamorphic.mp4", Map.of("LADDER", "360@600,180@300", "CHUNK_SECONDS", "4"));
        assertTrue(job.outcome().succeeded(), () -> "job failed: " + job.outcome().result());
        Map<String, TrackMeasurement> measured = measure(job);
        assertEquals(List.of("360p", "180p"), List.copyOf(measured.keySet()));
        assertEquals("640x360", measured.get("360p").width() + "x" + measured.get("360p").height());
        assertEquals("1:1", measured.get("180p").sar());
        assertTrue(Files.readString(job.dir().resolve("manifest.mpd")).contains(" par=\"16:9\""), "all renditions are 16:9: par declared");
        assertMpdMatches(job, measured);
        assertMasterMatches(job, measured);
    }

    /** ffprobe's view of every published track, by rendition id ("audio" for the audio). */
    Map<String, TrackMeasurement> measure(PipelineFixture.Job job) throws Exception {
        Map<String, TrackMeasurement> out = new LinkedHashMap<>();
        JobPlan plan = plan(job);
        for (Rendition r : plan.renditions()) {
            out.put(r.id(), TrackMeasurement.of(fx.bin, job.dir().resolve("video").resolve(r.id()), dir));
        }
        if (Files.isDirectory(job.dir().resolve("audio"))) out.put("audio", TrackMeasurement.of(fx.bin, job.dir().resolve("audio"), dir));
        return out;
    }

    static JobPlan plan(PipelineFixture.Job job) {
        return PLANS.get(job.outcome().jobId());
    }

    /** Plans as the package step saw them (it deletes work/ once the job is published). */
    static final Map<String, JobPlan> PLANS = new java.util.concurrent.ConcurrentHashMap<>();

    PipelineFixture.Job run(String key, Map<String, String> settings) throws Exception {
        return fx.run(key, settings, (function, payload) -> {
            if (function.equals("PackageFunction")) {
                PLANS.put(payload.path("jobId").asText(), fx.store.getJson(PipelineFixture.OUTPUT, payload.path("planKey").asText(), JobPlan.class));
            }
        });
    }

    static void assertMpdMatches(PipelineFixture.Job job, Map<String, TrackMeasurement> measured) throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(job.dir().resolve("manifest.mpd").toFile());
        JobPlan plan = plan(job);
        NodeList sets = doc.getElementsByTagName("AdaptationSet");
        int checked = 0;
        for (int i = 0; i < sets.getLength(); i++) {
            Element set = (Element) sets.item(i);
            NodeList reps = set.getElementsByTagName("Representation");
            for (int j = 0; j < reps.getLength(); j++) {
                Element rep = (Element) reps.item(j);
                String id = rep.getAttribute("id");
                TrackMeasurement m = measured.get(id);
                assertNotNull(m, "representation " + id + " has published media");
                String what = "MPD representation " + id;
                assertEquals(m.codecs(), inherited(rep, set, "codecs"), what + " codecs");
                assertBandwidth(what, Long.parseLong(rep.getAttribute("bandwidth")), m.peakBitsPerSecond(), m.averageBitsPerSecond());
                if (set.getAttribute("contentType").equals("video")) {
                    assertEquals(m.width(), Integer.parseInt(rep.getAttribute("width")), what + " width");
                    assertEquals(m.height(), Integer.parseInt(rep.getAttribute("height")), what + " height");
                    assertEquals(Rational.parse(m.frameRate()), Rational.parse(inherited(rep, set, "frameRate")), what + " frameRate (exact)");
                    assertEquals(m.sar(), inherited(rep, set, "sar"), what + " sar");
                    if (set.hasAttribute("par")) {
                        Rational sar = Rational.parse(m.sar());
                        assertEquals(Rational.parse(set.getAttribute("par")), Rational.of(m.width(), m.height()).times(sar),
                                what + ": the adaptation set's par is width × sar / height");
                    }
                    Rendition r = plan.renditions().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
                    assertEquals("High", m.profile(), what + ": High profile");
                    assertEquals(minimumHighLevel(m.width(), m.height(), Rational.parse(m.frameRate()), r.maxrateKbps(), r.bufsizeKbps()), m.level(),
                            what + ": the lowest H.264 level that fits " + m.width() + "x" + m.height() + " at " + m.frameRate()
                                    + " fps and VBV " + r.maxrateKbps() + "/" + r.bufsizeKbps() + " kbit");
                } else {
                    assertEquals(m.sampleRate(), Integer.parseInt(rep.getAttribute("audioSamplingRate")), what + " audioSamplingRate");
                    Element channels = (Element) rep.getElementsByTagName("AudioChannelConfiguration").item(0);
                    assertEquals(m.channels(), Integer.parseInt(channels.getAttribute("value")), what + " channels");
                }
                checked++;
            }
        }
        assertEquals(measured.size(), checked, "every published track has a representation");
    }

    static void assertMasterMatches(PipelineFixture.Job job, Map<String, TrackMeasurement> measured) throws Exception {
        List<String> lines = Files.readAllLines(job.dir().resolve("master.m3u8"));
        TrackMeasurement audio = measured.get("audio");
        int variants = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("#EXT-X-MEDIA:")) {
                assertNotNull(audio, "an audio rendition only when there is audio");
                assertEquals(Integer.toString(audio.channels()), attributes(lines.get(i)).get("CHANNELS"), "EXT-X-MEDIA CHANNELS");
            }
            if (!lines.get(i).startsWith("#EXT-X-STREAM-INF:")) continue;
            Map<String, String> a = attributes(lines.get(i));
            String id = lines.get(i + 1).split("/")[1]; // video/<id>/playlist.m3u8
            TrackMeasurement v = measured.get(id);
            String what = "master variant " + id;
            assertEquals(audio == null ? v.codecs() : v.codecs() + "," + audio.codecs(), a.get("CODECS"), what + " CODECS");
            assertEquals(v.width() + "x" + v.height(), a.get("RESOLUTION"), what + " RESOLUTION");
            assertEquals(String.format(Locale.ROOT, "%.3f", Rational.parse(v.frameRate()).toDouble()), a.get("FRAME-RATE"), what + " FRAME-RATE");
            double peak = v.peakBitsPerSecond() + (audio == null ? 0 : audio.peakBitsPerSecond());
            double average = v.averageBitsPerSecond() + (audio == null ? 0 : audio.averageBitsPerSecond());
            assertBandwidth(what + " BANDWIDTH", Long.parseLong(a.get("BANDWIDTH")), peak, average);
            long declaredAverage = Long.parseLong(a.get("AVERAGE-BANDWIDTH"));
            assertEquals(average, declaredAverage, average * 0.005, what + " AVERAGE-BANDWIDTH is the measured average of video plus audio");
            assertTrue(declaredAverage <= Long.parseLong(a.get("BANDWIDTH")), what + ": average ≤ peak");
            assertEquals(audio != null, a.containsKey("AUDIO"), what + " AUDIO group iff there is audio");
            variants++;
        }
        assertEquals(measured.size() - (audio == null ? 0 : 1), variants, "one variant per rendition");
    }

    /** Declared bandwidth covers the measured peak and the average, and is not inflated beyond the peak. */
    static void assertBandwidth(String what, long declared, double peak, double average) {
        assertTrue(declared >= Math.floor(peak), what + ": " + declared + " below the measured peak segment bit rate " + peak);
        assertTrue(declared >= average, what + ": " + declared + " below the average " + average);
        assertTrue(declared <= peak * 1.01 + 1, what + ": " + declared + " is more than 1% above the measured peak " + peak);
    }

    /** An attribute of a Representation, or of its AdaptationSet when the representation inherits it. */
    static String inherited(Element rep, Element set, String name) {
        String v = rep.hasAttribute(name) ? rep.getAttribute(name) : set.getAttribute(name);
        assertFalse(v.isEmpty(), "representation " + rep.getAttribute("id") + " has " + name);
        return v;
    }

    private static final Pattern ATTR = Pattern.compile("([A-Z0-9-]+)=(\"[^\"]*\"|[^,]*)");

    static Map<String, String> attributes(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher x = ATTR.matcher(line.substring(line.indexOf(':') + 1));
        while (x.find()) m.put(x.group(1), x.group(2).replace("\"", ""));
        return m;
    }

    /**
     * ITU-T H.264 Table A-1: level_idc, MaxMBPS, MaxFS (macroblocks), MaxBR and MaxCPB (in 1000 and
     * 1000 bits for Baseline/Main; High multiplies both by 1.25, Table A-2). Level 1b is left out.
     */
    private static final long[][] LEVELS = {
            {10, 1485, 99, 64, 175}, {11, 3000, 396, 192, 500}, {12, 6000, 396, 384, 1000}, {13, 11880, 396, 768, 2000},
            {20, 11880, 396, 2000, 2000}, {21, 19800, 792, 4000, 4000}, {22, 20250, 1620, 4000, 4000},
            {30, 40500, 1620, 10000, 10000}, {31, 108000, 3600, 14000, 14000}, {32, 216000, 5120, 20000, 20000},
            {40, 245760, 8192, 20000, 25000}, {41, 245760, 8192, 50000, 62500}, {42, 522240, 8704, 50000, 62500},
            {50, 589824, 22080, 135000, 135000}, {51, 983040, 36864, 240000, 240000}, {52, 2073600, 36864, 240000, 240000}};

    static int minimumHighLevel(int width, int height, Rational fps, int maxrateKbps, int bufsizeKbps) {
        long mbs = (long) ((width + 15) / 16) * ((height + 15) / 16);
        double mbps = mbs * fps.toDouble();
        for (long[] l : LEVELS) {
            boolean sideFits = Math.max((width + 15) / 16, (height + 15) / 16) <= Math.sqrt(8.0 * l[2]);
            if (mbs <= l[2] && sideFits && mbps <= l[1] && maxrateKbps <= l[3] * 1.25 && bufsizeKbps <= l[4] * 1.25) return (int) l[0];
        }
        throw new IllegalArgumentException("no H.264 level fits " + width + "x" + height);
    }
}
