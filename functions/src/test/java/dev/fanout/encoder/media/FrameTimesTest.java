package dev.fanout.encoder.media;

import dev.fanout.encoder.model.Rational;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FrameTimesTest {
    @Test
    void readsExactTimesFromFramecrc() {
        String out = """
                #software: Lavf58.76.100
                #tb 0: 1/30000
                #media_type 0: video
                #codec_id 0: rawvideo
                #dimensions 0: 160x90
                #sar 0: 1/1
                0,          0,          0,     1001,    21600, 0x6acc75cb
                0,      37037,      37037,     1001,    21600, 0x7e6fa299
                0,     148148,     148148,     1001,    21600, 0x36fe9884
                """;
        assertEquals(List.of(Rational.of(0, 1), Rational.of(37037, 30000), Rational.of(148148, 30000)), FrameTimes.fromFramecrc(out));
    }

    @Test
    void frameLinesWithoutATimeBaseAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> FrameTimes.fromFramecrc("0, 0, 0, 1, 10, 0x0\n"));
        assertThrows(IllegalArgumentException.class, () -> FrameTimes.fromFramecrc("#tb 0: 1/30\nnot a frame\n"));
        assertEquals(List.of(), FrameTimes.fromFramecrc(""));
    }
}
