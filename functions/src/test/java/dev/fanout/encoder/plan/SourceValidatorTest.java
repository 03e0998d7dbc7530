package dev.fanout.encoder.plan;

import java.util.List;
import dev.fanout.encoder.errors.InvalidInputException;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.SourceInfo;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SourceValidatorTest {
    static final PipelineConfig.Limits LIMITS = new PipelineConfig.Limits(1_000_000_000L, 3600, 4096, 2304);

    static SourceInfo source(SourceInfo.Video v, long size) {
        return new SourceInfo("mov", size, 10, v, null);
    }

    static SourceInfo.Video video(String codec, int w, int h, Rational fps, long frames) {
        return new SourceInfo.Video(codec, w, h, 0, Rational.of(1, 1), fps, frames, "yuv420p", 0, "progressive", "bt709", true);
    }

    static String error(SourceInfo s) {
        return assertThrows(InvalidInputException.class, () -> SourceValidator.validate(s, LIMITS)).errorName();
    }

    @Test
    void namesWhatIsWrong() {
        assertEquals("InvalidInput.NoVideoStream", error(new SourceInfo("mov", 100, 3, null, List.of(new SourceInfo.Audio("aac", 48000, 2, 0, 3)))));
        assertEquals("InvalidInput.UnsupportedCodec", error(source(video("cinepak", 640, 360, Rational.of(30, 1), 300), 100)));
        assertEquals("InvalidInput.TooLarge", error(source(video("h264", 7680, 4320, Rational.of(30, 1), 300), 100)));
        assertEquals("InvalidInput.TooLarge", error(source(video("h264", 640, 360, Rational.of(30, 1), 300), 2_000_000_000L)));
        assertEquals("InvalidInput.TooLong", error(source(video("h264", 640, 360, Rational.of(30, 1), 30 * 3601), 100)));
        assertEquals("InvalidInput.EmptyVideo", error(source(video("h264", 640, 360, Rational.of(30, 1), 0), 100)));
        assertEquals("InvalidInput.UnsupportedFrameRate", error(source(video("h264", 640, 360, null, 10), 100)));
    }

    @Test
    void acceptsAnOrdinaryVideo() {
        SourceValidator.validate(source(video("h264", 3840, 2160, Rational.of(60000, 1001), 600), 100), LIMITS);
    }

    static String reason(SourceInfo s) {
        return assertThrows(InvalidInputException.class, () -> SourceValidator.validate(s, LIMITS)).detail();
    }

    @Test
    void reasonsSayWhatToDo() {
        assertEquals("InvalidInput.EmptyVideo", error(source(video("h264", 640, 360, null, 0), 100)), "no samples: empty, not a rate problem");
        assertTrue(reason(source(video("png", 640, 360, Rational.of(30, 1), 30), 100)).contains("export the video as H.264, HEVC, VP9 or AV1"));
        assertTrue(reason(source(video("h264", 7680, 4320, Rational.of(30, 1), 30), 100)).contains("7680x4320; the limit is 4096x2304"));
        // rotation and pixel aspect count: a portrait 2304x4096 fits, 2160 x 3840 with 2:1 pixels does not
        SourceValidator.validate(source(new SourceInfo.Video("h264", 4096, 2304, 90, Rational.of(1, 1), Rational.of(30, 1), 30, "yuv420p", 0, "", "", true), 1), LIMITS);
        assertEquals("InvalidInput.TooLarge", error(source(new SourceInfo.Video("h264", 3840, 2160, 0, Rational.of(2, 1), Rational.of(30, 1), 30, "yuv420p", 0, "", "", true), 1)));
        assertTrue(reason(source(video("h264", 640, 360, Rational.of(30, 1), 30 * 3601), 100)).contains("MAX_DURATION_SECONDS"));
        assertTrue(reason(source(video("h264", 640, 360, Rational.of(30, 1), 30), 2_000_000_000L)).contains("MAX_INPUT_BYTES"));
    }
}
