package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.model.JobLayout;
import dev.fanout.encoder.storage.Json;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Settings travel with the upload: S3 user metadata on the uploaded object decides the ladder, the
 * segment length and the quality of its job (stack parameters fill in what it does not say), is
 * validated in "Probe and plan" before any encoding, and is part of the job's identity.
 */
class SettingsPerUploadTest {
    @TempDir
    static Path dir;
    static PipelineFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new PipelineFixture(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    /** The user's path: run-local.sh with --metadata, exactly what `aws s3 cp --metadata` puts on the object. */
    @Test
    void theLocalRunsMetadataChangesTheRenditionsAndTheSegmentsOfTheOutput() throws Exception {
        Path clip = fx.generate("settings-local.mp4", SampleClip.of(320, 180, "25", 4));

        Path plain = dir.resolve("out-plain");
        assertEquals(0, LocalRun.run(new String[] {clip.toString(), "--out", plain.toString(), "--chunk-seconds", "2", "--jobs", "2"}));
        Path withSettings = dir.resolve("out-settings");
        assertEquals(0, LocalRun.run(new String[] {clip.toString(), "--out", withSettings.toString(), "--chunk-seconds", "2", "--jobs", "2",
                "--metadata", "ladder=144@200,90@100", "--metadata", "segment-seconds=1", "--metadata", "quality=30"}));

        Path plainJob = onlyJob(plain);
        Path settingsJob = onlyJob(withSettings);
        assertNotEquals(plainJob.getFileName(), settingsJob.getFileName(), "the same bytes with other settings are another job");

        // without metadata: the stack's ladder (every rung above 180p, so one at the source's size) and 2 s segments
        Mpd plainMpd = Mpd.read(plainJob.resolve("manifest.mpd"));
        assertEquals(List.of("320x180"), plainMpd.sizes());
        assertEquals(List.of(2.0, 2.0), plainMpd.videoSegmentSeconds());
        assertEquals(0, record(plainJob).path("settings").path("given").size(), record(plainJob).toString());

        // with it: the upload's two rungs and 1 s segments, in the manifest and in every rendition's files
        Mpd mpd = Mpd.read(settingsJob.resolve("manifest.mpd"));
        assertEquals(List.of("256x144", "160x90"), mpd.sizes());
        assertEquals(List.of(1.0, 1.0, 1.0, 1.0), mpd.videoSegmentSeconds());
        for (String rendition : List.of("144p", "90p")) {
            try (Stream<Path> files = Files.list(settingsJob.resolve("video").resolve(rendition))) {
                assertEquals(4, files.filter(f -> f.getFileName().toString().startsWith("seg-")).count(), rendition);
            }
        }
        JsonNode record = record(settingsJob);
        assertEquals(1.0, record.path("segmentSeconds").asDouble());
        JsonNode settings = record.path("settings");
        assertEquals(Map.of("ladder", "144@200,90@100", "segment-seconds", "1", "quality", "30"),
                Json.MAPPER.convertValue(settings.path("given"), Map.class), "job.json records exactly the upload's metadata");
        assertEquals("144@200,90@100", settings.path("ladder").asText());
        assertEquals(1.0, settings.path("segmentSeconds").asDouble());
        assertEquals(30, settings.path("quality").path("h264").asInt());
        assertEquals(23, record(plainJob).path("settings").path("quality").path("h264").asInt(), "the stack's default CRF");
    }

    @Test
    void aBadSettingFailsTheJobBeforeAnyEncodingWithTheKeyTheValueAndTheAllowedValues() throws Exception {
        String key = "uploads/bad-ladder.mp4";
        fx.upload(fx.generate("bad-ladder.mp4", SampleClip.of(320, 180, "25", 2)), key, Map.of("ladder", "720@fast"));
        PipelineFixture.InputState before = fx.inputState(key);

        PipelineFixture.Job job = fx.run(key, Map.of("LADDER", "180@300", "CHUNK_SECONDS", "2"));

        assertFalse(job.outcome().succeeded());
        assertFalse(job.statesEntered().contains("Encode chunks"), "nothing was encoded: " + job.statesEntered());
        JsonNode record = job.record();
        assertEquals("FAILED", record.path("status").asText());
        assertEquals("InvalidSettings.Ladder", record.path("error").path("error").asText());
        String reason = record.path("error").path("reason").asText();
        assertTrue(reason.contains("ladder") && reason.contains("720@fast") && reason.contains("720@3500"), reason);
        assertEquals(before, fx.inputState(key), "the input object is never modified");
    }

    @Test
    void theSameBytesWithOtherSettingsAreAnotherJobAndWithTheSameSettingsTheSameJob() throws Exception {
        String key = "uploads/identity.mp4";
        Path clip = fx.generate("identity.mp4", SampleClip.of(320, 180, "25", 2));
        Map<String, String> env = Map.of("LADDER", "180@300", "CHUNK_SECONDS", "2");

        fx.upload(clip, key, Map.of("ladder", "144@200", "segment-seconds", "1"));
        PipelineFixture.Job first = fx.run(key, env);
        assertTrue(first.outcome().succeeded(), first.outcome().result()::toString);
        assertEquals(List.of("256x144"), Mpd.read(first.dir().resolve("manifest.mpd")).sizes());
        String etag = fx.store.head(PipelineFixture.INPUT, key).orElseThrow().eTag();

        // the same settings in another key order, key case and spelling of the number: the same job, kept as it was
        fx.upload(clip, key, Map.of("Segment-Seconds", "1.0", "LADDER", " 144@200 "));
        assertEquals(etag, fx.store.head(PipelineFixture.INPUT, key).orElseThrow().eTag(), "the same bytes keep their ETag");
        PipelineFixture.Job again = fx.run(key, env);
        assertEquals(first.outcome().jobId(), again.outcome().jobId());
        assertTrue(again.statesEntered().contains("Kept the earlier output"), again.statesEntered()::toString);

        // other settings: another job, under other keys, beside the first
        fx.upload(clip, key, Map.of("ladder", "90@100", "segment-seconds", "1"));
        PipelineFixture.Job other = fx.run(key, env);
        assertTrue(other.outcome().succeeded(), other.outcome().result()::toString);
        assertNotEquals(first.outcome().jobId(), other.outcome().jobId());
        assertEquals(List.of("160x90"), Mpd.read(other.dir().resolve("manifest.mpd")).sizes());
        assertTrue(fx.store.head(PipelineFixture.OUTPUT, JobLayout.of(PipelineFixture.OUTPUT, first.outcome().jobId()).manifestKey()).isPresent(),
                "the first job's output stays");
    }

    private static Path onlyJob(Path out) throws Exception {
        try (Stream<Path> jobs = Files.list(out)) {
            List<Path> all = jobs.toList();
            assertEquals(1, all.size(), all::toString);
            return all.get(0);
        }
    }

    private static JsonNode record(Path jobDir) throws Exception {
        return Json.MAPPER.readTree(Files.readString(jobDir.resolve("job.json")));
    }

    /** The video AdaptationSet of a manifest: rendition sizes and segment durations (SegmentTimeline, r expanded). */
    record Mpd(List<String> sizes, List<Double> videoSegmentSeconds) {
        static Mpd read(Path file) throws Exception {
            Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
            NodeList sets = doc.getElementsByTagName("AdaptationSet");
            for (int i = 0; i < sets.getLength(); i++) {
                Element set = (Element) sets.item(i);
                if (!"video".equals(set.getAttribute("contentType"))) continue;
                List<String> sizes = new ArrayList<>();
                NodeList reps = set.getElementsByTagName("Representation");
                for (int j = 0; j < reps.getLength(); j++) {
                    Element r = (Element) reps.item(j);
                    sizes.add(r.getAttribute("width") + "x" + r.getAttribute("height"));
                }
                Element template = (Element) set.getElementsByTagName("SegmentTemplate").item(0);
                double timescale = Double.parseDouble(template.getAttribute("timescale"));
                List<Double> durations = new ArrayList<>();
                NodeList s = template.getElementsByTagName("S");
                for (int j = 0; j < s.getLength(); j++) {
                    Element e = (Element) s.item(j);
                    int repeat = e.hasAttribute("r") ? Integer.parseInt(e.getAttribute("r")) : 0;
                    for (int k = 0; k <= repeat; k++) durations.add(Long.parseLong(e.getAttribute("d")) / timescale);
                }
                return new Mpd(sizes, durations);
            }
            throw new AssertionError("no video AdaptationSet in " + file);
        }
    }
}
