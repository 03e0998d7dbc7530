package dev.fanout.encoder.media;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The constant-rate test on presentation times, on sample sequences as muxers write them
 * (decode order, 1/15360 ticks, 512 per frame at 30 fps). The files behind these layouts are
 * tested in local/FragmentIndexTest.
 */
class PresentationTimesTest {
    /** {@code frames} frames of 512 ticks in decode order; B-frames (IPBB…) when {@code reordered}; the first held {@code held} ticks longer. */
    static PresentationTimes.Result thirtyFps(int frames, boolean reordered, long held) {
        PresentationTimes p = new PresentationTimes();
        for (int n = 0; n < frames; n++) {
            long duration = n == 0 ? 512 + held : 512;
            // I P B B P B B …: each P shown after the two B-frames decoded after it
            long shownAt = !reordered || n == 0 ? n : n % 3 == 1 ? n + 2 : n - 1;
            long pts = shownAt == 0 ? 0 : held + 512L * shownAt;
            p.add(reordered ? pts + 1024 : pts, duration);
        }
        return p.result();
    }

    @Test
    void evenlySpacedFramesAreConstantRate() {
        PresentationTimes.Result r = thirtyFps(90, false, 0);
        assertEquals(90, r.frames());
        assertTrue(r.constant());
        assertEquals(512, r.interval());
        assertEquals(0, r.startDelay());
    }

    @Test
    void framesPresentedOutOfDecodeOrderAreSortedFirst() {
        PresentationTimes.Result r = thirtyFps(91, true, 0);
        assertTrue(r.constant(), "B-frames: decode order is not presentation order, the spacing is still 512");
        assertEquals(512, r.interval());
    }

    @Test
    void aFirstFrameHeldLessThanAnIntervalIsADelayedStart() {
        PresentationTimes.Result r = thirtyFps(90, false, 328);
        assertTrue(r.constant());
        assertEquals(512, r.interval());
        assertEquals(328, r.startDelay());
    }

    @Test
    void aFirstFrameHeldAnIntervalOrMoreIsVariableRate() {
        assertFalse(thirtyFps(90, false, 512).constant(), "held a whole interval: a dropped frame's gap");
        assertFalse(thirtyFps(90, false, 3400).constant());
    }

    @Test
    void aGapOrAShorterFrameLaterOnIsVariableRate() {
        PresentationTimes p = new PresentationTimes();
        for (long pts : new long[]{0, 512, 1024, 2048, 2560}) p.add(pts, 512);
        assertFalse(p.result().constant(), "a frame missing after the third");
        PresentationTimes last = new PresentationTimes();
        for (long pts : new long[]{0, 512, 1024, 1536}) last.add(pts, pts == 1536 ? 100 : 512);
        assertFalse(last.result().constant(), "the last frame shorter than the rest");
    }

    @Test
    void twoFramesAtOneTimeAreNotARate() {
        PresentationTimes p = new PresentationTimes();
        for (long pts : new long[]{0, 512, 512, 1024}) p.add(pts, 512);
        assertFalse(p.result().constant());
    }

    /** Frame 0 decoded after {@code before} frames that are shown after it, then the rest in order. */
    static PresentationTimes.Result frameZeroDecodedAfter(int before) {
        PresentationTimes p = new PresentationTimes();
        for (int n = 1; n <= before; n++) p.add(512L * n, 512);
        p.add(0, 512);
        for (int n = before + 1; n < 40; n++) p.add(512L * n, 512);
        return p.result();
    }

    @Test
    void aFrameDecodedLaterThanAnyDecoderCanReorderIsOutOfOrder() {
        assertTrue(frameZeroDecodedAfter(PresentationTimes.REORDER_WINDOW).constant(), "within the window: sorted");
        assertFalse(frameZeroDecodedAfter(PresentationTimes.REORDER_WINDOW + 1).constant(), "past the window: no decoder shows it first");
    }

    @Test
    void oneFrameIsConstantAtItsDuration() {
        PresentationTimes p = new PresentationTimes();
        p.add(0, 512);
        PresentationTimes.Result r = p.result();
        assertTrue(r.constant());
        assertEquals(512, r.interval());
        assertEquals(1, r.frames());
    }
}
