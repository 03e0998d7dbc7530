package dev.fanout.encoder.plan;

import dev.fanout.encoder.model.VideoCodec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The functions' environment: each variable read, defaults when unset or blank, a bad value named. */
class PipelineConfigValuesTest {
    @Test
    void setVariablesAreUsed() {
        PipelineConfig c = PipelineConfig.fromEnv(Map.ofEntries(Map.entry("OUTPUT_BUCKET", "out"), Map.entry("SEGMENT_SECONDS", "4"),
                Map.entry("CHUNK_SECONDS", "20"), Map.entry("QUALITY", "21"), Map.entry("AUDIO_BITRATE_KBPS", "96"),
                Map.entry("MAX_INPUT_BYTES", "1000"), Map.entry("MAX_DURATION_SECONDS", "60"), Map.entry("MAX_LONG_SIDE", "1920"),
                Map.entry("MAX_SHORT_SIDE", "1080"), Map.entry("FFMPEG_TIMEOUT_SECONDS", "30"), Map.entry("FFPROBE_TIMEOUT_SECONDS", "5"),
                Map.entry("X264_PRESET", "slow"), Map.entry("FFMPEG_PATH", "/x/ffmpeg")));
        assertEquals("out", c.requireOutputBucket());
        assertEquals(4.0, c.segmentSeconds());
        assertEquals(20.0, c.chunkSeconds());
        assertEquals(21, c.encode().quality(VideoCodec.H264));
        assertEquals(96, c.encode().audioBitrateKbps());
        assertEquals("slow", c.encode().x264Preset());
        assertEquals(new PipelineConfig.Limits(1000, 60, 1920, 1080), c.limits());
        assertEquals(Duration.ofSeconds(30), c.ffmpegTimeout());
        assertEquals(Duration.ofSeconds(5), c.ffprobeTimeout());
        assertEquals(Path.of("/x/ffmpeg"), c.ffmpeg());
    }

    @Test
    void unsetOrBlankVariablesTakeTheDocumentedDefaults() {
        PipelineConfig c = PipelineConfig.fromEnv(Map.of("SEGMENT_SECONDS", " ", "QUALITY", ""));
        assertEquals(2.0, c.segmentSeconds());
        assertEquals(10.0, c.chunkSeconds());
        assertEquals(23, c.encode().quality(VideoCodec.H264));
        assertEquals(java.util.List.of(VideoCodec.H264), c.encode().codecs());
        assertEquals(128, c.encode().audioBitrateKbps());
        assertEquals(new PipelineConfig.Limits(50L * 1024 * 1024 * 1024, 4 * 3600, 4096, 2304), c.limits());
        // unset, no cap of its own: the invocation's remaining time decides (Invocation.limitFor)
        assertEquals(Duration.ofSeconds(900), c.ffmpegTimeout());
    }

    @Test
    void aValueThatIsNotAPositiveNumberIsRefusedByName() {
        for (String bad : new String[]{"0", "-2", "NaN"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> PipelineConfig.fromEnv(Map.of("SEGMENT_SECONDS", bad)));
            assertEquals("SEGMENT_SECONDS='" + bad + "' must be positive", e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> PipelineConfig.fromEnv(Map.of("AUDIO_BITRATE_KBPS", "high")));
        assertEquals("AUDIO_BITRATE_KBPS='high' is not a number", e.getMessage());
        assertEquals(0.001, PipelineConfig.fromEnv(Map.of("SEGMENT_SECONDS", "0.001")).segmentSeconds(), "small but positive");
    }

    @Test
    void codecsAndTheirQualityAreReadPerCodecWithEachCodecsOwnRange() {
        PipelineConfig c = PipelineConfig.fromEnv(Map.of("CODECS", "av1, h264", "QUALITY", "av1:40"));
        assertEquals(java.util.List.of(VideoCodec.AV1, VideoCodec.H264), c.encode().codecs());
        assertEquals(40, c.encode().quality(VideoCodec.AV1));
        assertEquals(VideoCodec.H264.defaultQuality, c.encode().quality(VideoCodec.H264), "a codec not named keeps its default");
        assertEquals(30, PipelineConfig.fromEnv(Map.of("CODECS", "hevc,av1", "QUALITY", "30")).encode().quality(VideoCodec.HEVC), "one number is every codec's");
        assertEquals("codec 'vp9' is not one of h264, hevc, av1",
                assertThrows(IllegalArgumentException.class, () -> PipelineConfig.fromEnv(Map.of("CODECS", "h264,vp9"))).getMessage());
        assertEquals("codec 'h264' is named twice",
                assertThrows(IllegalArgumentException.class, () -> PipelineConfig.fromEnv(Map.of("CODECS", "h264,H264"))).getMessage());
        assertEquals("quality 60 for h264 is out of range 0–51",
                assertThrows(IllegalArgumentException.class, () -> PipelineConfig.fromEnv(Map.of("QUALITY", "60"))).getMessage());
        assertEquals(60, PipelineConfig.fromEnv(Map.of("CODECS", "av1", "QUALITY", "60")).encode().quality(VideoCodec.AV1), "AV1's scale reaches 63");
        assertEquals("quality names codec 'av1', which is not in the codecs [h264]",
                assertThrows(IllegalArgumentException.class, () -> PipelineConfig.fromEnv(Map.of("QUALITY", "av1:30"))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.encode().quality(VideoCodec.HEVC), "a codec outside the ladder has no quality");
    }

    @Test
    void theOutputBucketIsRequiredWhereItIsUsed() {
        for (Map<String, String> env : java.util.List.of(Map.<String, String>of(), Map.of("OUTPUT_BUCKET", " "))) {
            var e = assertThrows(IllegalStateException.class, () -> PipelineConfig.fromEnv(env).requireOutputBucket());
            assertTrue(e.getMessage().contains("OUTPUT_BUCKET is not set"), e.getMessage());
        }
    }
}
