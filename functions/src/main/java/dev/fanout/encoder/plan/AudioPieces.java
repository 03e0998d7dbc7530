package dev.fanout.encoder.plan;

import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.SourceInfo;

import java.util.List;

/**
 * The audio track cut into pieces on the chunk grid, one piece per chunk, each encodable on its
 * own; their segments join into one continuous AAC track. Pure arithmetic in integer samples at
 * the output rate (48 kHz), so boundaries are exact at any frame rate and any length.
 *
 * <p>AAC-LC codes 1024 samples per frame and each frame's transform window spans two frames (the
 * one it presents and the one before), so a piece can only join its neighbour seamlessly when
 * <ul>
 *   <li>its start is on the global 1024-sample grid (piece k starts at the AAC frame nearest to
 *       chunk k's start; a 10 s chunk is 468.75 frames, so pieces are 468 or 469 frames);</li>
 *   <li>its encoder starts {@link #preRollFrames} earlier, so the encoder's state (block switching,
 *       quantiser) has settled on the real signal by the first frame the piece keeps;</li>
 *   <li>its encoder runs {@link #postRollFrames} past the end, so the last kept frame's window saw
 *       the real signal after the piece rather than silence (its second half overlaps the next
 *       piece's first frame in the decoder);</li>
 *   <li>the frames made from the pre-roll, the post-roll and the encoder's priming frame are
 *       dropped — except the very first priming frame of the track, which the decoder needs before
 *       sample 0 and the init's edit list hides, exactly as in a single-pass encode.</li>
 * </ul>
 * Measured (docs/audio-pieces.md): without pre- and post-roll every seam loses 2.5–67 dB of SNR
 * against a single pass; with 1 frame of pre-roll a tone still loses 57 dB; from 2 frames on
 * steady signals match a single pass and transients stay within about 1 dB of it (rate-control
 * state). 8 frames (171 ms) are used: 1.7% more encoding, and margin.
 *
 * @param sampleRate       output sample rate (the track's timescale)
 * @param totalSamples     samples of the video's duration: the joined track presents this many
 *                         (rounded up to the last AAC frame, as a single pass does)
 * @param pieceCount       one piece per chunk
 * @param chunkNum         a chunk's length in output samples is chunkNum / chunkDen (exact)
 * @param chunkDen         see chunkNum
 * @param framesPerSegment AAC frames per fragment (= segment) inside a piece
 * @param minTailSamples   a piece's last fragment shorter than this joins the one before it
 * @param preRollFrames    frames encoded before each piece (after piece 0) and dropped
 * @param postRollFrames   frames encoded after each piece (before the last) and dropped
 * @param encodeStartGrid  pre-roll starts are multiples of this many output samples
 */
public record AudioPieces(int sampleRate, long totalSamples, int pieceCount, long chunkNum, long chunkDen,
                          int framesPerSegment, long minTailSamples, int preRollFrames, int postRollFrames,
                          int encodeStartGrid) {

    /** Samples per AAC-LC frame. */
    public static final int AAC_FRAME = 1024;
    /** The output sample rate of every audio encode (see FfmpegCommands.audioEncoderOptions). */
    public static final int OUTPUT_RATE = 48_000;
    /**
     * Samples the encoder's first (priming) frame adds before sample 0 — ffmpeg's AAC encoder
     * delay. The joined track's init has an edit list starting at this media time.
     */
    public static final int PRIMING_SAMPLES = AAC_FRAME;
    /** Frames encoded before a piece and dropped: from 4 on, seams measure as a single pass does. */
    public static final int DEFAULT_PRE_ROLL_FRAMES = 8;
    /** Frames encoded after a piece and dropped: the last kept frame's transform needs one, the block-switch look-ahead one more. */
    public static final int DEFAULT_POST_ROLL_FRAMES = 2;
    /** A pre-roll start grid longer than this (odd source rates) is not worth its encode time: fall back to the AAC grid. */
    private static final int MAX_START_GRID_FRAMES = 16;

    /**
     * One piece: the output samples [startSample, endSample) it keeps, what it must encode, and
     * where its segments go in the joined track.
     *
     * @param startSample        first kept sample (global, a multiple of 1024)
     * @param endSample          end of the kept samples: the next piece's start, or the track's total
     * @param encodeFromSample   first sample fed to the encoder (pre-roll start; 0 for piece 0)
     * @param encodeToSample     end of the samples fed to the encoder (post-roll end, at most the total)
     * @param skipPackets        encoded packets dropped before the first kept one (priming + pre-roll)
     * @param keptPackets        packets kept, or -1 for the last piece (it keeps all that remain; see {@link #expectedPackets})
     * @param expectedPackets    packets the piece's output has
     * @param firstDecodeTime    decode time (tfdt) of the piece's first packet in the joined track
     * @param firstSegmentNumber global number of the piece's first segment
     * @param segmentCount       segments the piece produces
     */
    public record Piece(int index, long startSample, long endSample, long encodeFromSample, long encodeToSample,
                        int skipPackets, int keptPackets, int expectedPackets, long firstDecodeTime,
                        int firstSegmentNumber, int segmentCount) {
        public boolean last() { return keptPackets < 0; }
    }

    /** The pieces of a job's audio with the default pre- and post-roll. */
    public static AudioPieces of(JobPlan plan) {
        return of(plan, DEFAULT_PRE_ROLL_FRAMES, DEFAULT_POST_ROLL_FRAMES);
    }

    /**
     * Every audio track of a job has the same pieces (they follow the video), and one ffmpeg
     * encodes a piece of all of them from one seek: so the pre-roll grid is one that is a whole
     * number of source samples for every track's rate ({@link #encodeStartGrid(List)}).
     */
    public static AudioPieces of(JobPlan plan, int preRollFrames, int postRollFrames) {
        List<Integer> rates = plan.sourceInfo().audio().stream().map(SourceInfo.Audio::sampleRate).toList();
        return ofGrid(plan.frameRate(), plan.totalFrames(), plan.segmentFrames(), plan.chunkFrames(), encodeStartGrid(rates),
                preRollFrames, postRollFrames);
    }

    public static AudioPieces of(Rational fps, long totalFrames, int segmentFrames, int chunkFrames, int sourceRate,
                                 int preRollFrames, int postRollFrames) {
        return ofGrid(fps, totalFrames, segmentFrames, chunkFrames, encodeStartGrid(sourceRate), preRollFrames, postRollFrames);
    }

    private static AudioPieces ofGrid(Rational fps, long totalFrames, int segmentFrames, int chunkFrames, int startGrid,
                                      int preRollFrames, int postRollFrames) {
        if (preRollFrames < 0 || postRollFrames < 0) throw new IllegalArgumentException("pre- and post-roll cannot be negative");
        // seconds = frames * den / num; samples = seconds * rate, kept as the exact fraction num/den
        long total = roundDiv(Math.multiplyExact(Math.multiplyExact(totalFrames, fps.den()), (long) OUTPUT_RATE), fps.num());
        long segSamplesNum = Math.multiplyExact(Math.multiplyExact((long) segmentFrames, fps.den()), (long) OUTPUT_RATE);
        // ffmpeg's -frag_duration starts a fragment after the first AAC frame that reaches a segment's length
        int framesPerSegment = (int) ceilDiv(segSamplesNum, fps.num() * AAC_FRAME);
        long minTail = roundDiv(segSamplesNum, 2 * fps.num()); // as EncodeAudioStage: a tail under half a segment joins
        int pieces = ChunkPlanner.chunkCount(totalFrames, chunkFrames);
        return new AudioPieces(OUTPUT_RATE, total, pieces, Math.multiplyExact(Math.multiplyExact((long) chunkFrames, fps.den()), (long) OUTPUT_RATE),
                fps.num(), framesPerSegment, minTail, preRollFrames, postRollFrames, startGrid);
    }

    /** A pre-roll grid that suits every rate at once: the least common multiple of their grids, the AAC grid when that is too long. */
    static int encodeStartGrid(List<Integer> sourceRates) {
        long grid = AAC_FRAME;
        for (int rate : sourceRates) {
            long g = encodeStartGrid(rate);
            grid = grid / gcd(grid, g) * g;
            if (grid > (long) MAX_START_GRID_FRAMES * AAC_FRAME) return AAC_FRAME;
        }
        return (int) grid;
    }

    /**
     * Pre-roll starts are multiples of this many output samples: a multiple of the AAC frame that is
     * also a whole number of source samples (44.1 kHz: 5120 = 4704 source samples), so every piece's
     * resampler sees the source on the same sample grid and adjacent pieces agree to the sample.
     */
    static int encodeStartGrid(int sourceRate) {
        if (sourceRate <= 0) return AAC_FRAME;
        long sourceStep = OUTPUT_RATE / gcd(OUTPUT_RATE, sourceRate); // output samples per whole source sample
        long grid = AAC_FRAME / gcd(AAC_FRAME, sourceStep) * sourceStep;
        return grid <= (long) MAX_START_GRID_FRAMES * AAC_FRAME ? (int) grid : AAC_FRAME;
    }

    /** First kept sample of piece k: the AAC frame boundary nearest to chunk k's start. */
    public long startSample(int k) {
        if (k == 0) return 0;
        if (k >= pieceCount) return totalSamples;
        // chunk start in samples = k * chunkNum / chunkDen; nearest frame = round(that / 1024)
        long num = Math.multiplyExact((long) k, chunkNum);
        long den = Math.multiplyExact(chunkDen, (long) AAC_FRAME);
        long frames = roundDiv(num, den);
        // a last chunk shorter than half a frame past its start: the frame before keeps the piece inside the track
        if (frames * AAC_FRAME >= totalSamples) frames = Math.floorDiv(num, den);
        return frames * AAC_FRAME;
    }

    public Piece piece(int k) {
        if (k < 0 || k >= pieceCount) throw new IllegalArgumentException("audio piece " + k + " is outside 0.." + (pieceCount - 1));
        int firstSegment = 1;
        for (int j = 0; j < k; j++) firstSegment += segmentsOf(j);
        int packets = packetsOf(k);
        long start = startSample(k);
        long end = startSample(k + 1);
        boolean last = k == pieceCount - 1;
        long from = k == 0 ? 0 : Math.max(0, Math.floorDiv(start - (long) preRollFrames * AAC_FRAME, encodeStartGrid) * encodeStartGrid);
        long to = last ? totalSamples : Math.min(totalSamples, end + (long) postRollFrames * AAC_FRAME);
        int skip = k == 0 ? 0 : (int) ((start - from) / AAC_FRAME) + 1;
        return new Piece(k, start, end, from, to, skip, last ? -1 : packets, packets,
                k == 0 ? 0 : start + PRIMING_SAMPLES, firstSegment, segmentsOf(k));
    }

    /** Every packet of the joined track: as many as a single-pass encode of the whole track writes. */
    public long totalPackets() {
        return encoderPackets(totalSamples);
    }

    /**
     * Packets ffmpeg's AAC encoder writes for n input samples: the priming frame and one per frame
     * of input, the last carrying what is left; their durations add up to exactly 1024 + n.
     */
    static long encoderPackets(long samples) { return ceilDiv(samples, AAC_FRAME) + 1; }

    private int packetsOf(int k) {
        long start = startSample(k);
        if (k == pieceCount - 1) {
            // all that the single pass would still write from here: packets of the whole minus those before
            long before = k == 0 ? 0 : 1 + start / AAC_FRAME;
            return Math.toIntExact(totalPackets() - before);
        }
        long frames = (startSample(k + 1) - start) / AAC_FRAME;
        return Math.toIntExact(k == 0 ? frames + 1 : frames); // piece 0 also keeps the priming frame
    }

    /** Samples of the track's last packet: the encoder's durations add up to the priming plus the input. */
    public long lastPacketSamples() {
        long rest = totalSamples % AAC_FRAME;
        return rest == 0 ? AAC_FRAME : rest;
    }

    /**
     * Segments of piece k: fragments of framesPerSegment packets, and a last one shorter than
     * minTailSamples joined to the one before (as EncodeAudioStage does for the whole track).
     * Only the track's last packet is shorter than a frame.
     */
    private int segmentsOf(int k) {
        int packets = packetsOf(k);
        int full = packets / framesPerSegment;
        int tail = packets % framesPerSegment;
        if (tail == 0) return full;
        long tailSamples = (long) tail * AAC_FRAME - (k == pieceCount - 1 ? AAC_FRAME - lastPacketSamples() : 0);
        if (full > 0 && tailSamples < minTailSamples) return full;
        return full + 1;
    }

    /** True when piece k's last two fragments form one segment (its tail is short). */
    public boolean joinsTail(int k) {
        int packets = packetsOf(k);
        return packets % framesPerSegment != 0 && segmentsOf(k) == packets / framesPerSegment;
    }

    /** Output samples of one segment's fragment length, as ffmpeg's -frag_duration in microseconds (just under, so exactly framesPerSegment frames fit). */
    public long fragmentMicros() {
        return Math.floorDiv((long) framesPerSegment * AAC_FRAME * 1_000_000L, sampleRate);
    }

    private static long roundDiv(long num, long den) { return Math.floorDiv(Math.addExact(Math.multiplyExact(num, 2L), den), Math.multiplyExact(den, 2L)); }

    private static long ceilDiv(long num, long den) { return Math.floorDiv(num + den - 1, den); }

    private static long gcd(long a, long b) { while (b != 0) { long t = a % b; a = b; b = t; } return a; }
}
