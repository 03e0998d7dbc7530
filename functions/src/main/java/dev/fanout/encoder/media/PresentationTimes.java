package dev.fanout.encoder.media;

import java.util.PriorityQueue;

/**
 * Whether a video track's frames are presented at a constant rate, judged from their presentation
 * times as the boxes give them (decode time + composition offset: CT(n) = DT(n) + CTTS(n), Apple's
 * QuickTime File Format, "Composition offset atom"; the same in ISO/IEC 14496-12's ctts and trun),
 * not from their decode durations. Pure; memory bounded: samples are fed in decode order and put
 * into presentation order through a window of {@link #REORDER_WINDOW} samples.
 *
 * <p>Constant rate: every frame starts one interval {@code d} after the one before, and the last
 * lasts {@code d} — except that the first may be held longer, by less than one interval. That is
 * what ffmpeg's mp4 muxer writes when another track starts first and it has no edit list to say
 * so (a fragmented MP4: H.264 without B-frames plus AAC, whose priming starts the audio 1024
 * samples early): it moves the first sample to the track's start and lengthens it (libavformat
 * movenc.c; measured: 840 ticks where the others have 512 at 1/15360). The frames themselves are
 * still {@code d} apart, so the video is the constant-rate one starting that much later
 * ({@link Result#startDelay}). A hold of a whole interval or more cannot be told from a dropped frame: variable.
 */
final class PresentationTimes {
    /**
     * Samples held back to sort presentation times. More than any H.264 or HEVC stream can
     * reorder: a decoder's picture buffer holds at most 16 frames (H.264 Annex A MaxDpbFrames,
     * HEVC's MaxDpbSize), so a frame is never shown more than 16 frames after it is decoded.
     */
    static final int REORDER_WINDOW = 17;

    private record Sample(long pts, long duration) {}

    private final PriorityQueue<Sample> window = new PriorityQueue<>((a, b) -> Long.compare(a.pts(), b.pts()));
    private long frames;
    private Sample last; // the latest sample taken out in presentation order
    private long firstInterval = -1;
    private long interval = -1; // every interval after the first, when they are all the same
    private boolean even = true; // every interval after the first is the same, and none is out of order

    /** The next sample in decode order: its presentation time and duration, in track ticks. */
    void add(long pts, long duration) {
        window.add(new Sample(pts, duration));
        if (window.size() > REORDER_WINDOW) next(window.poll());
    }

    private void next(Sample s) {
        frames++;
        if (last != null) step(s.pts() - last.pts());
        last = s;
    }

    private void step(long gap) {
        if (firstInterval < 0) {
            firstInterval = gap;
        } else if (interval < 0) {
            interval = gap;
        } else if (gap != interval) {
            even = false;
        }
        if (gap <= 0) even = false; // two frames at one time, or one shown before the last: not a rate
    }

    /** What the samples fed so far say (the window drained: call once all are in). */
    Result result() {
        while (!window.isEmpty()) next(window.poll());
        if (frames == 0) return new Result(0, false, 0, 0);
        // the last frame lasts its own duration: one more interval like the others
        long lastGap = last.duration();
        long first = firstInterval < 0 ? lastGap : firstInterval;
        long d = interval < 0 ? lastGap : interval; // one or two frames: the last one's duration
        boolean constant = even && d > 0 && lastGap == d && first >= d && first - d < d;
        return new Result(frames, constant, constant ? d : 0, constant ? first - d : 0);
    }

    /**
     * @param frames     samples fed
     * @param constant   presented at a constant rate (the first frame perhaps held less than one interval longer)
     * @param interval   ticks between frames, when constant (else 0)
     * @param startDelay ticks by which the first frame is held, when constant: where the constant-rate video starts
     */
    record Result(long frames, boolean constant, long interval, long startDelay) {}

}
