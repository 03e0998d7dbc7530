package dev.fanout.encoder.media;

import java.util.List;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.SourceInfo;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stream start times relative to the file's, constant versus variable rate, and packet timing edge cases. */
class FfprobeTimingTest {
    static String probe(String avgRate, String rRate, String sar) {
        return """
                {"streams":[
                  {"codec_type":"video","codec_name":"h264","width":640,"height":360,"avg_frame_rate":"%s","r_frame_rate":"%s",
                   "sample_aspect_ratio":"%s","start_time":"1.500000","nb_frames":"300","duration":"10"},
                  {"codec_type":"audio","codec_name":"aac","sample_rate":"48000","channels":6,"start_time":"1.400000","duration":"10.1","nb_frames":"474"}],
                 "format":{"format_name":"mov,mp4,m4a,3gp,3g2,mj2","start_time":"1.400000","duration":"10.1"}}
                """.formatted(avgRate, rRate, sar);
    }

    @Test
    void streamStartsAreMeasuredFromTheFilesStart() throws Exception {
        SourceInfo info = FfprobeParser.parse(probe("30/1", "30/1", "1:1"), 1);
        assertEquals(0.1, info.video().startSeconds(), 1e-9, "video starts 0.1 s after the earliest stream");
        assertEquals(0.0, info.firstAudio().startSeconds(), 1e-9);
        assertEquals(6, info.firstAudio().channels());
        assertEquals("aac", info.firstAudio().codec());
        assertEquals(10.1, info.firstAudio().durationSeconds(), 1e-9);
    }

    @Test
    void aRateIsConstantWhenTheMeanIsTheNominalRate() throws Exception {
        assertTrue(FfprobeParser.parse(probe("30000/1001", "30000/1001", "1:1"), 1).video().constantFrameRate());
        assertFalse(FfprobeParser.parse(probe("2997/100", "30000/1001", "1:1"), 1).video().constantFrameRate(), "a phone's variable rate");
        assertFalse(FfprobeParser.parse(probe("30/1", "0/0", "1:1"), 1).video().constantFrameRate(), "no nominal rate to compare");
    }

    @Test
    void anUnreadablePixelAspectIsSquare() throws Exception {
        assertEquals(Rational.of(1, 1), FfprobeParser.parse(probe("30/1", "30/1", "N/A"), 1).video().sampleAspect());
        assertEquals(Rational.of(32, 27), FfprobeParser.parse(probe("30/1", "30/1", "32:27"), 1).video().sampleAspect());
    }

    @Test
    void packetDurationsDecideWhetherTheRateIsConstant() throws Exception {
        SourceInfo info = FfprobeParser.parse(FfprobeParserTest.FRAGMENTED, 1);
        SourceInfo even = FfprobeParser.withPacketTimes(info, Rational.of(1, 15360), "0,512\n512,512\n1024,512\n");
        assertTrue(even.video().constantFrameRate());
        assertEquals(Rational.of(30, 1), even.video().frameRate());
        SourceInfo uneven = FfprobeParser.withPacketTimes(info, Rational.of(1, 15360), "0,512\n512,512\n1024,1024\n");
        assertFalse(uneven.video().constantFrameRate());
        // packets whose durations are all 0 (or N/A) give frames without a rate: refused later as UnsupportedFrameRate
        SourceInfo untimed = FfprobeParser.withPacketTimes(info, Rational.of(1, 15360), "0,0\n0,0\n0,N/A\n");
        assertEquals(2, untimed.video().frameCount(), "an N/A duration is not a frame we can place");
        assertNull(untimed.video().frameRate());
    }
}
