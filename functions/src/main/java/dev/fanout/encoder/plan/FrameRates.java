package dev.fanout.encoder.plan;

import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.SourceInfo;

import java.util.List;

/**
 * The output frame rate and frame count of a source. Pure.
 *
 * <p>A constant-rate source keeps its rate and its frames, one per output slot. A variable-rate
 * source (a phone that dropped frames in low light, a screen recording) is converted to constant
 * rate at its <b>nominal</b> rate, the rate its frames were captured at, not at its average: at the
 * average, every gap in the source costs a real frame somewhere else. Output slot k shows the
 * source frame on screen at k / rate, so no frame is dropped, and a gap repeats the frame before it.
 */
public final class FrameRates {
    private FrameRates() {}

    /**
     * Rates cameras and phones record at. ffprobe's {@code r_frame_rate} of a variable-rate file is
     * its guess at the base rate from the first frames' timestamps; one of these is believed, any
     * other value (a time base like 90000/1, a rate like 27.3) is not.
     */
    public static final List<Rational> CAMERA_RATES = List.of(
            Rational.of(15, 1), Rational.of(24000, 1001), Rational.of(24, 1), Rational.of(25, 1), Rational.of(30000, 1001),
            Rational.of(30, 1), Rational.of(48, 1), Rational.of(50, 1), Rational.of(60000, 1001), Rational.of(60, 1),
            Rational.of(100, 1), Rational.of(120000, 1001), Rational.of(120, 1), Rational.of(240000, 1001), Rational.of(240, 1));

    /**
     * The highest output rate. A variable-rate source captured faster (a 120 or 240 fps slow-motion
     * clip) keeps every n-th capture slot, with n the smallest whole number that brings it to this
     * or below (240 → 60, 100 → 50): even motion, and players and H.264 levels at these sizes stop
     * at 60 fps.
     */
    public static final Rational MAX_OUTPUT_RATE = Rational.of(60, 1);

    /** How far a reported rate may be from a camera rate and still be it (29.97 written as 2997/100). */
    private static final double SAME_RATE = 0.001;

    /**
     * The capture rate of a variable-rate source: its {@code r_frame_rate} when that is a camera rate
     * no lower than the average (a base rate below the average cannot be right: more frames than
     * slots). Otherwise the lowest camera rate at or above both the average and the reported rate
     * (when that is at most 240: a larger one is a time base, not a rate): a 27 fps webcam gets 30,
     * so every one of its frames still has a slot of its own; else the highest camera rate.
     */
    public static Rational nominal(Rational reported, Rational average) {
        double floor = average == null ? 0 : average.toDouble() * (1 - SAME_RATE);
        Rational fastest = CAMERA_RATES.get(CAMERA_RATES.size() - 1);
        if (reported != null && reported.isPositive()) {
            for (Rational c : CAMERA_RATES) {
                if (Math.abs(reported.toDouble() / c.toDouble() - 1) <= SAME_RATE && c.toDouble() >= floor) return c;
            }
            if (reported.toDouble() <= fastest.toDouble()) floor = Math.max(floor, reported.toDouble() * (1 - SAME_RATE));
        }
        for (Rational c : CAMERA_RATES) {
            // whole rates only: nothing says the source is NTSC-timed
            if (c.den() == 1 && c.toDouble() >= floor) return c;
        }
        return fastest;
    }

    /** Capture slots per output frame: 1 up to {@link #MAX_OUTPUT_RATE}, then 2, 3, 4, … */
    public static int decimation(Rational nominal) {
        return (int) Math.max(1, Math.ceilDiv(Math.multiplyExact(nominal.num(), MAX_OUTPUT_RATE.den()),
                Math.multiplyExact(nominal.den(), MAX_OUTPUT_RATE.num())));
    }

    /** The rate the output is encoded at. */
    public static Rational output(SourceInfo.Video v) {
        if (v.constantFrameRate() || v.nominalFrameRate() == null) return v.frameRate();
        Rational nominal = v.nominalFrameRate();
        return Rational.of(nominal.num(), Math.multiplyExact(nominal.den(), decimation(nominal)));
    }

    /**
     * The output's frame count. Constant rate: the source's frames. Variable rate: the capture slots
     * in the video's duration (frames ÷ average rate: the header's sample count and duration, or the
     * fragment headers', never a packet read), rounded to the nearest, as ffmpeg's fps filter (round
     * to nearest) ends the last frame; when decimating, every n-th of them from the first.
     */
    public static long outputFrames(SourceInfo.Video v) {
        if (v.constantFrameRate() || v.nominalFrameRate() == null) return v.frameCount();
        Rational nominal = v.nominalFrameRate();
        Rational average = v.frameRate();
        // frames × (nominal ÷ average), rounded half up: (2·a·b + c) ÷ (2·c)
        long a = Math.multiplyExact(v.frameCount(), Math.multiplyExact(nominal.num(), average.den()));
        long c = Math.multiplyExact(nominal.den(), average.num());
        long slots = Math.max(1, Math.floorDiv(Math.addExact(Math.multiplyExact(2, a), c), Math.multiplyExact(2, c)));
        return Math.ceilDiv(slots, decimation(nominal));
    }
}
