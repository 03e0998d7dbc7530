package dev.fanout.encoder.plan;

import dev.fanout.encoder.errors.InvalidSettingsException;
import dev.fanout.encoder.model.LadderRung;
import dev.fanout.encoder.model.VideoCodec;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Upload metadata to job settings: precedence, validation per key, and the identity digest. */
class UploadSettingsTest {
    /** A stack as template.yaml's defaults make it, with its premium preset and one tool's key ignored. */
    static final PipelineConfig STACK = PipelineConfig.fromEnv(Map.of("OUTPUT_BUCKET", "out", "CHUNK_SECONDS", "10",
            "PRESETS", "{\"premium\":{\"ladder\":\"2160@16000,1080@7000,720@4000\",\"quality\":\"20\"},\"Mobile\":{\"segment-seconds\":\"4\"}}",
            "IGNORED_METADATA_KEYS", "mtime, Uploaded-By"));

    static UploadSettings.Resolved resolve(Map<String, String> metadata) {
        return UploadSettings.resolve(UploadSettings.given(metadata, STACK.ignoredMetadataKeys()), STACK);
    }

    static InvalidSettingsException rejected(Map<String, String> metadata) {
        return assertThrows(InvalidSettingsException.class, () -> resolve(metadata));
    }

    @Test
    void keysNotGivenComeFromTheStack() {
        UploadSettings.Resolved r = resolve(Map.of("mtime", "1700000000", "uploaded-by", "rclone"));
        assertEquals(LadderRung.parseList(LadderRung.DEFAULT_LADDER), r.ladder());
        assertEquals(2.0, r.settings().segmentSeconds());
        assertEquals(List.of(VideoCodec.H264), r.encode().codecs());
        assertEquals(23, r.encode().quality(VideoCodec.H264));
        assertEquals(Map.of(), r.settings().given(), "other tools' keys are not settings");
        assertEquals("", r.settings().digest());
        assertNull(r.settings().preset());
    }

    @Test
    void theUploadsKeysOverrideItsPresetWhichOverridesTheStack() {
        UploadSettings.Resolved r = resolve(Map.of("preset", "PREMIUM", "ladder", "720@3500,360@1000", "segment-seconds", "1.5"));
        assertEquals("premium", r.settings().preset());
        assertEquals(List.of(new LadderRung(720, 3500), new LadderRung(360, 1000)), r.ladder(), "the upload's ladder beats the preset's");
        assertEquals(20, r.encode().quality(VideoCodec.H264), "the preset's quality, which the upload did not give");
        assertEquals(1.5, r.settings().segmentSeconds());
        assertEquals(Map.of("h264", 20), r.settings().quality());
        assertEquals("720@3500,360@1000", r.settings().ladder());

        UploadSettings.Resolved mobile = resolve(Map.of("preset", "mobile"));
        assertEquals(4.0, mobile.settings().segmentSeconds(), "preset names are case insensitive in the stack too");
    }

    @Test
    void codecsAndPerCodecQualityGoThroughTheContractsParsers() {
        UploadSettings.Resolved r = resolve(Map.of("codecs", "H264, av1", "quality", "h264:21,av1:40"));
        assertEquals(List.of(VideoCodec.H264, VideoCodec.AV1), r.encode().codecs());
        assertEquals(21, r.encode().quality(VideoCodec.H264));
        assertEquals(40, r.encode().quality(VideoCodec.AV1));
        assertEquals(List.of("h264", "av1"), r.settings().codecs());
        // codecs without quality: each codec's default
        assertEquals(VideoCodec.HEVC.defaultQuality, resolve(Map.of("codecs", "hevc")).encode().quality(VideoCodec.HEVC));
    }

    @Test
    void eachBadKeyIsNamedWithItsValueAndTheAllowedValues() {
        InvalidSettingsException e = rejected(Map.of("ladders", "720@3500"));
        assertEquals("InvalidSettings.UnknownKey", e.errorName());
        assertTrue(e.detail().contains("'ladders'") && e.detail().contains("ladder, codecs, segment-seconds, quality, preset"), e.detail());

        e = rejected(Map.of("ladder", "720@fast", "codecs", "h264"));
        assertEquals("InvalidSettings.Ladder", e.errorName());
        assertTrue(e.detail().contains("ladder='720@fast'") && e.detail().contains("720@3500,360@1000"), e.detail());
        assertEquals("InvalidSettings.Ladder", rejected(Map.of("ladder", "720")).errorName(), "a rung without @");
        assertEquals("InvalidSettings.Ladder", rejected(Map.of("ladder", "9000@1000")).errorName(), "above 4320");
        assertEquals("InvalidSettings.Ladder", rejected(Map.of("ladder", "720@3500,720p@2000")).errorName(), "one size twice");
        assertEquals("InvalidSettings.Ladder", rejected(Map.of("ladder", "")).errorName(), "empty");

        e = rejected(Map.of("codecs", "h264,vp9"));
        assertEquals("InvalidSettings.Codecs", e.errorName());
        assertTrue(e.detail().contains("codecs='h264,vp9'") && e.detail().contains("h264, hevc, av1"), e.detail());
        assertEquals("InvalidSettings.Codecs", rejected(Map.of("codecs", "av1,av1")).errorName());

        e = rejected(Map.of("segment-seconds", "0.5"));
        assertEquals("InvalidSettings.SegmentSeconds", e.errorName());
        assertTrue(e.detail().contains("segment-seconds='0.5'") && e.detail().contains("from 1 to 10"), e.detail());
        assertEquals("InvalidSettings.SegmentSeconds", rejected(Map.of("segment-seconds", "two")).errorName());

        e = rejected(Map.of("quality", "70"));
        assertEquals("InvalidSettings.Quality", e.errorName());
        assertTrue(e.detail().contains("quality='70'") && e.detail().contains("h264 0–51"), e.detail());
        assertEquals("InvalidSettings.Quality", rejected(Map.of("codecs", "h264", "quality", "av1:30")).errorName(),
                "a codec the job does not encode");

        e = rejected(Map.of("preset", "gold"));
        assertEquals("InvalidSettings.Preset", e.errorName());
        assertTrue(e.detail().contains("preset='gold'") && e.detail().contains("mobile, premium"), e.detail());
    }

    @Test
    void aGoodKeyBesideABadOneDoesNotHideWhichIsBad() {
        assertEquals("InvalidSettings.Quality", rejected(Map.of("ladder", "720@3500", "codecs", "h264", "quality", "-1")).errorName());
        assertEquals("InvalidSettings.SegmentSeconds", rejected(Map.of("quality", "30", "segment-seconds", "11")).errorName());
    }

    @Test
    void aSegmentLongerThanTheStacksChunksIsRefused() {
        PipelineConfig shortChunks = PipelineConfig.fromEnv(Map.of("CHUNK_SECONDS", "4"));
        InvalidSettingsException e = assertThrows(InvalidSettingsException.class,
                () -> UploadSettings.resolve(UploadSettings.given(Map.of("segment-seconds", "6"), Set.of()), shortChunks));
        assertEquals("InvalidSettings.SegmentSeconds", e.errorName());
        assertTrue(e.detail().contains("4 s, stack parameter ChunkSeconds"), e.detail());
        assertEquals(4.0, UploadSettings.resolve(UploadSettings.given(Map.of("segment-seconds", "4"), Set.of()), shortChunks)
                .settings().segmentSeconds());
    }

    @Test
    void aBadValueInAPresetNamesThePresetAndTheKey() {
        PipelineConfig stack = PipelineConfig.fromEnv(Map.of("PRESETS", "{\"broken\":{\"quality\":\"99\"}}"));
        InvalidSettingsException e = assertThrows(InvalidSettingsException.class,
                () -> UploadSettings.resolve(UploadSettings.given(Map.of("preset", "broken"), Set.of()), stack));
        assertEquals("InvalidSettings.Quality", e.errorName());
        assertTrue(e.detail().contains("preset 'broken'") && e.detail().contains("quality='99'"), e.detail());
    }

    @Test
    void thePresetsParameterIsCheckedWhenTheStackIsRead() {
        IllegalArgumentException notJson = assertThrows(IllegalArgumentException.class, () -> UploadSettings.parsePresets("premium=ladder"));
        assertTrue(notJson.getMessage().startsWith("PRESETS"), notJson.getMessage());
        IllegalArgumentException badKey = assertThrows(IllegalArgumentException.class,
                () -> UploadSettings.parsePresets("{\"p\":{\"preset\":\"q\"}}"));
        assertTrue(badKey.getMessage().contains("'preset'"), badKey.getMessage());
        assertEquals(Map.of(), UploadSettings.parsePresets(""));
    }

    @Test
    void theSameSettingsInAnotherOrderCaseOrSpellingHaveTheSameDigest() {
        Map<String, String> a = new HashMap<>();
        a.put("ladder", "720@3500,360@1000");
        a.put("segment-seconds", "2");
        a.put("codecs", "h264,av1");
        Map<String, String> b = new java.util.LinkedHashMap<>();
        b.put("Codecs", "H264, AV1");
        b.put("SEGMENT-SECONDS", "2.0");
        b.put("ladder", " 720p@3500, 360@1000 ");
        b.put("mtime", "1700000000"); // another tool's key
        SortedMap<String, String> ga = UploadSettings.given(a, STACK.ignoredMetadataKeys());
        SortedMap<String, String> gb = UploadSettings.given(b, STACK.ignoredMetadataKeys());
        assertEquals(UploadSettings.digest(ga), UploadSettings.digest(gb));
        assertEquals(16, UploadSettings.digest(ga).length());

        assertNotEquals(UploadSettings.digest(ga), UploadSettings.digest(UploadSettings.given(Map.of("ladder", "720@3500,360@1000",
                "segment-seconds", "2", "codecs", "av1,h264"), Set.of())), "codec order is the ladder's order");
        assertNotEquals(UploadSettings.digest(ga), UploadSettings.digest(UploadSettings.given(Map.of("ladder", "720@3500",
                "segment-seconds", "2", "codecs", "h264,av1"), Set.of())));
        assertEquals("", UploadSettings.digest(UploadSettings.given(Map.of(), Set.of())));
    }

    @Test
    void theDigestMakesAnotherJobIdAndNoSettingsKeepTheOldOne() {
        String none = JobIds.of("in", "uploads/film.mp4", "etag1");
        assertEquals(none, JobIds.forUpload("in", "uploads/film.mp4", "etag1", Map.of("mtime", "1"), Set.of("mtime")),
                "an upload without settings keeps the job id it had before settings per upload");
        String ladder = JobIds.forUpload("in", "uploads/film.mp4", "etag1", Map.of("ladder", "720@3500"), Set.of());
        assertNotEquals(none, ladder);
        assertTrue(ladder.startsWith("film-"));
        assertEquals(ladder, JobIds.forUpload("in", "uploads/film.mp4", "etag1", Map.of("LADDER", "720@3500 "), Set.of()));
        assertNotEquals(ladder, JobIds.forUpload("in", "uploads/film.mp4", "etag1", Map.of("ladder", "720@3000"), Set.of()));
    }
}
