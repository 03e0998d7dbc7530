package dev.fanout.encoder.plan;

import dev.fanout.encoder.media.FfprobeParser;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.SourceInfo;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The nominal-rate rule for variable-frame-rate sources (the end-to-end proof is local/VariableFrameRateTest). */
class FrameRatesTest {
    static Rational r(long n, long d) { return Rational.of(n, d); }

    @Test
    void aCameraRateReportedByFfprobeIsTheNominalRate() {
        assertEquals(r(30, 1), FrameRates.nominal(r(30, 1), r(167, 6)), "a phone at 30 fps that dropped frames");
        assertEquals(r(30000, 1001), FrameRates.nominal(r(2997, 100), r(25, 1)), "29.97 written as 2997/100 is 30000/1001");
        assertEquals(r(240, 1), FrameRates.nominal(r(240, 1), r(200, 1)), "slow motion: capped later, not here");
    }

    @Test
    void anImplausibleRateIsReplacedByTheNextWholeCameraRate() {
        assertEquals(r(30, 1), FrameRates.nominal(r(27, 1), r(25, 1)), "27 fps webcam: at or above both 27 and the average");
        assertEquals(r(25, 1), FrameRates.nominal(r(90000, 1), r(24_500, 1001)), "a time base, not a rate: from the average (24.48)");
        assertEquals(r(30, 1), FrameRates.nominal(null, r(29, 1)), "no base rate");
        assertEquals(r(48, 1), FrameRates.nominal(r(24, 1), r(31, 1)), "a base rate below the average cannot be right");
        assertEquals(r(240, 1), FrameRates.nominal(r(1000, 1), r(300, 1)), "faster than any camera rate: the fastest");
    }

    @Test
    void aboveTheCapEveryNthCaptureSlot() {
        assertEquals(1, FrameRates.decimation(r(60, 1)));
        assertEquals(1, FrameRates.decimation(r(60000, 1001)));
        assertEquals(2, FrameRates.decimation(r(120, 1)));
        assertEquals(2, FrameRates.decimation(r(100, 1)));
        assertEquals(4, FrameRates.decimation(r(240, 1)));
        assertEquals(4, FrameRates.decimation(r(240000, 1001)));
    }

    static SourceInfo.Video vfr(Rational average, long frames, Rational nominal) {
        return new SourceInfo.Video("h264", 320, 180, 0, r(1, 1), average, frames, "yuv420p", 0, "", "", false, nominal);
    }

    @Test
    void outputRateAndFramesOfAVariableRateSource() {
        SourceInfo.Video phone = vfr(r(167, 6), 167, r(30, 1)); // 6 s
        assertEquals(r(30, 1), FrameRates.output(phone));
        assertEquals(180, FrameRates.outputFrames(phone), "6 s × 30");
        SourceInfo.Video halfSlotShort = vfr(r(1000, 1005), 1, r(30, 1)); // one frame lasting 1.005 s: 30.15 slots
        assertEquals(30, FrameRates.outputFrames(halfSlotShort), "rounded to the nearest slot");
        SourceInfo.Video corpus = vfr(r(2700, 119), 90, r(30, 1)); // 119/30 s
        assertEquals(119, FrameRates.outputFrames(corpus));
        SourceInfo.Video slowMotion = vfr(r(114, 1), 342, r(120, 1)); // 3 s: 360 capture slots
        assertEquals(r(60, 1), FrameRates.output(slowMotion));
        assertEquals(180, FrameRates.outputFrames(slowMotion), "every other of 360 capture slots");
        SourceInfo.Video odd = vfr(r(114, 1), 343, r(120, 1)); // 361 capture slots: the last starts a 181st output frame
        assertEquals(181, FrameRates.outputFrames(odd));
    }

    @Test
    void aConstantRateSourceKeepsItsRateAndFrames() {
        SourceInfo.Video cfr = new SourceInfo.Video("h264", 320, 180, 0, r(1, 1), r(30000, 1001), 300, "yuv420p", 0, "", "", true);
        assertEquals(r(30000, 1001), FrameRates.output(cfr));
        assertEquals(300, FrameRates.outputFrames(cfr));
    }

    @Test
    void theParserRecordsTheNominalRateOfAVariableRateSource() throws Exception {
        SourceInfo.Video v = FfprobeParser.parse("""
                {"streams":[{"codec_type":"video","codec_name":"h264","width":320,"height":180,"r_frame_rate":"30/1",
                "avg_frame_rate":"167/6","nb_frames":"167","duration":"6.0"}],"format":{"duration":"6.0"}}""", 1).video();
        assertFalse(v.constantFrameRate());
        assertEquals(r(167, 6), v.frameRate(), "frameRate stays the average: frames ÷ duration");
        assertEquals(r(30, 1), v.nominalFrameRate());
        SourceInfo fragmented = FfprobeParser.withFrameTiming(FfprobeParser.parse("""
                {"streams":[{"codec_type":"video","codec_name":"h264","width":320,"height":180,"r_frame_rate":"30/1",
                "avg_frame_rate":"2979/100","duration":"6.0"}],"format":{"duration":"6.0"}}""", 1), r(1, 15360), 167, 166, 91648, false);
        assertEquals(r(30, 1), fragmented.video().nominalFrameRate(), "kept when the fragment index measures the average");
    }
}
