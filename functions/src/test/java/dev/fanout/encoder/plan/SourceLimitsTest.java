package dev.fanout.encoder.plan;

import java.util.List;
import dev.fanout.encoder.errors.InvalidInputException;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.SourceInfo;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each limit is inclusive: a source exactly at it is encoded, one unit past it is refused by name. */
class SourceLimitsTest {
    static final PipelineConfig.Limits LIMITS = SourceValidatorTest.LIMITS; // 1e9 bytes, 3600 s, 4096x2304

    static SourceInfo source(SourceInfo.Video v, long size) { return SourceValidatorTest.source(v, size); }

    static SourceInfo.Video video(int w, int h, Rational fps, long frames) { return SourceValidatorTest.video("h264", w, h, fps, frames); }

    static String error(SourceInfo s) { return SourceValidatorTest.error(s); }

    @Test
    void theByteLimitIsInclusive() {
        SourceValidator.validate(source(video(640, 360, Rational.of(30, 1), 30), 1_000_000_000L), LIMITS);
        assertEquals("InvalidInput.TooLarge", error(source(video(640, 360, Rational.of(30, 1), 30), 1_000_000_001L)));
    }

    @Test
    void theDurationLimitIsInclusive() {
        SourceValidator.validate(source(video(640, 360, Rational.of(30, 1), 30 * 3600), 100), LIMITS);
        assertEquals("InvalidInput.TooLong", error(source(video(640, 360, Rational.of(30, 1), 30 * 3600 + 1), 100)));
    }

    @Test
    void thePictureLimitsAreInclusive() {
        SourceValidator.validate(source(video(4096, 2304, Rational.of(30, 1), 30), 100), LIMITS);
        assertEquals("InvalidInput.TooLarge", error(source(video(4098, 2304, Rational.of(30, 1), 30), 100)));
        assertEquals("InvalidInput.TooLarge", error(source(video(4096, 2306, Rational.of(30, 1), 30), 100)));
    }

    @Test
    void aOnePixelPictureIsAPictureAndAZeroPixelOneIsNot() {
        SourceValidator.validate(source(video(1, 1, Rational.of(30, 1), 30), 100), LIMITS);
        assertEquals("InvalidInput.NoVideoStream", error(source(video(0, 360, Rational.of(30, 1), 30), 100)));
        assertEquals("InvalidInput.NoVideoStream", error(source(video(640, 0, Rational.of(30, 1), 30), 100)));
    }

    @Test
    void upTo240FramesASecondAreAccepted() {
        SourceValidator.validate(source(video(640, 360, Rational.of(240, 1), 240), 100), LIMITS);
        assertEquals("InvalidInput.UnsupportedFrameRate", error(source(video(640, 360, Rational.of(241, 1), 241), 100)));
        assertEquals("InvalidInput.UnsupportedFrameRate", error(source(video(640, 360, Rational.of(-30, 1), 30), 100)));
    }

    @Test
    void anAudioOnlyFileIsToldSo() {
        var audioOnly = assertThrows(InvalidInputException.class, () -> SourceValidator.validate(
                new SourceInfo("mov", 100, 3, null, List.of(new SourceInfo.Audio("aac", 48000, 2, 0, 3))), LIMITS));
        assertTrue(audioOnly.detail().endsWith("(it is audio only)"), audioOnly.detail());
        var nothing = assertThrows(InvalidInputException.class, () -> SourceValidator.validate(new SourceInfo("mov", 100, 3, null, null), LIMITS));
        assertEquals("the file has no video stream", nothing.detail());
    }
}
