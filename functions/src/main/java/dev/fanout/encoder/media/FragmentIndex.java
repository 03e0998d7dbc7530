package dev.fanout.encoder.media;

import dev.fanout.encoder.errors.InvalidInputException;

import dev.fanout.encoder.model.Rational;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The video track's sample timing of a fragmented MP4, learnt from its box headers alone with
 * ranged reads: the top-level boxes are walked by their sizes (an {@code mdat} is skipped, never
 * read), the {@code moov} gives the track's timescale, default sample duration ({@code trex}) and
 * any samples it holds itself ({@code stts}), and each {@code moof}'s {@code traf} of the track
 * ({@code tfhd}/{@code trun}) gives its samples' durations — what {@code ffprobe -show_packets}
 * would have read by demuxing every packet of the file.
 *
 * <p>Constant or variable rate is judged from the samples' presentation times (decode time from
 * tfdt and the durations before, plus composition offsets: {@link PresentationTimes}), not from
 * their decode durations: ffmpeg's muxer lengthens the first sample of a fragmented H.264 track
 * when the audio starts first, and by durations alone a 30 fps file was variable-rate (an average
 * of 172800/5801). A constant-rate video's rate is timescale / the frames' interval (ffprobe's
 * {@code r_frame_rate} for it); a variable-rate one's is the one ffmpeg's mov demuxer gives the
 * stream ({@code avg_frame_rate}): timescale × samples / the sum of every sample's duration as
 * the boxes write it (stts, trun, tfhd or trex defaults), reduced as {@code av_reduce(…, INT_MAX)}
 * does, so frames / rate is the duration ffmpeg's filters see.
 *
 * <p>Cost: one ranged read at each fragment start, sized from the moof before it (a moof and the
 * next box's header; a 2 s fragment's moof is 0.5–3 KiB), never more than {@link #WINDOW_BYTES}; a
 * moof larger than its read costs one more. A 2-hour film in 2 s fragments is 3,600 fragments:
 * about 3,600 GETs and a few MiB, sequentially (each fragment's offset is known only from the size
 * of the one before). The {@code mfra}/{@code sidx} indexes are not used: they would give the
 * offsets up front (the reads could run in parallel) but not the sample counts, so every moof is
 * read anyway.
 */
public final class FragmentIndex {
    private FragmentIndex() {}

    /** Bytes read at each box start: a moof and the next box's header in one request. */
    public static final int WINDOW_BYTES = 16 * 1024;
    /** A moof or moov larger than this is not one we plan (a 2 s moof is a few KiB; a moov without samples, tens). */
    public static final int MAX_HEADER_BOX_BYTES = 16 * 1024 * 1024;

    /** Ranged reads of the source: {@code length} bytes from {@code offset}, fewer only at its end. */
    @FunctionalInterface
    public interface RangeReader {
        byte[] read(long offset, int length);
    }

    /**
     * More video samples than any accepted source has (4 hours at 240 fps is 3.5 million): a
     * larger count (a trun or stts can state billions in a few bytes) is refused before it is walked.
     */
    public static final long MAX_SAMPLES = 1L << 24;

    /** trun flags (ISO/IEC 14496-12 §8.8.8): what each sample's entry holds. */
    private static final int TRUN_DATA_OFFSET = 0x001, TRUN_FIRST_SAMPLE_FLAGS = 0x004, TRUN_SAMPLE_DURATION = 0x100,
            TRUN_SAMPLE_SIZE = 0x200, TRUN_SAMPLE_FLAGS = 0x400, TRUN_SAMPLE_COMPOSITION_OFFSET = 0x800;

    /** The largest numerator or denominator ffmpeg keeps in a stream's avg_frame_rate (av_reduce's max). */
    static final long FFMPEG_RATE_MAX = Integer.MAX_VALUE;

    /**
     * @param timescale     ticks per second of the track (its packets' time base is 1/timescale)
     * @param frames        samples of the track (in the moov and in every moof)
     * @param ticks         sum of the durations of every sample, as the boxes write them
     * @param uniform       whether the samples are presented at a constant rate ({@link PresentationTimes})
     * @param fragments     moof boxes walked
     * @param requests      ranged reads made
     * @param bytesRead     bytes those reads returned
     * @param moovEnd       where the moov box ends
     * @param starts        each moof holding the track's samples, in file order
     * @param firstDecodeTime decode time of the track's first sample: 0 when the moov holds samples, else the first tfdt (-1: none)
     * @param frameTicks    ticks between frames presented at a constant rate (0: variable rate)
     * @param startDelayTicks at a constant rate, how much longer than the others the first frame is held (ffmpeg's
     *                      stand-in for an edit list): the constant-rate video starts that much after the first frame's time
     * @param trackId       the track walked (its tkhd id)
     */
    public record VideoTiming(long timescale, long frames, long ticks, boolean uniform, int fragments, int requests, long bytesRead,
                              long moovEnd, List<FragmentStart> starts, long firstDecodeTime, long frameTicks, long startDelayTicks,
                              long trackId) {

        /**
         * Constant rate: timescale / the frames' interval. Variable: the stream's average frame
         * rate as ffmpeg's mov demuxer computes it (mov_read_header: av_reduce of timescale ×
         * nb_frames_for_fps / duration_for_fps, at most INT_MAX each).
         * {@code InvalidInput.UnknownFrameRate} when the samples have no duration to take it from.
         */
        public Rational frameRate() {
            if (frames <= 0) return null;
            if (uniform) return Rational.of(timescale, frameTicks);
            if (ticks <= 0) {
                throw new InvalidInputException("UnknownFrameRate", "the video's " + frames + " samples all have a duration of 0 in the "
                        + "fragment headers, so its frame rate cannot be known; re-export the file with real sample durations");
            }
            return reduceLikeFfmpeg(Math.multiplyExact(timescale, frames), ticks, FFMPEG_RATE_MAX);
        }

        /**
         * Where a view for decoding from {@code seconds} (after the track's first sample) may
         * start: the last moof at or before it whose first sample is a sync sample and whose
         * decode time the file states (tfdt), so the demuxer times it right without the moofs
         * before it. -1 when there is none: then only the whole file will do.
         */
        public long tailFrom(double seconds) {
            long limit = (long) Math.floor(seconds * timescale);
            long best = -1;
            for (FragmentStart f : starts) {
                if (f.decodeTime() < 0 || firstDecodeTime < 0) continue;
                if (f.decodeTime() - firstDecodeTime > limit) break;
                if (f.sync()) best = f.offset();
            }
            return best;
        }

        /** Seconds by which the constant-rate video starts after its first frame's time ({@link #startDelayTicks}). */
        public double startDelaySeconds() { return (double) startDelayTicks / timescale; }

        /** The track's samples in the moov (before the first moof): they point into the mdat right after the moov. */
        public long moovSamples() { return frames - starts.stream().mapToLong(FragmentStart::samples).sum(); }

        /** Where the first moof starts (what comes before it, moov samples' mdat included, a view keeps). */
        public long firstMoof() { return starts.isEmpty() ? moovEnd : starts.get(0).offset(); }

        /** The track's samples in the moof at {@code offset} and every one after it. */
        public long samplesFrom(long offset) {
            return starts.stream().filter(f -> f.offset() >= offset).mapToLong(FragmentStart::samples).sum();
        }

    }

    /**
     * One moof with samples of the track.
     *
     * @param offset     where the moof starts
     * @param decodeTime its tfdt (the decode time of its first sample of the track), -1 when it has none
     * @param sync       whether that first sample is a sync sample (a keyframe)
     * @param samples    the track's samples in the moof
     */
    public record FragmentStart(long offset, long decodeTime, boolean sync, long samples) {}

    /**
     * What top-level boxes alone say of a file: whether it is fragmented (a moof follows the
     * moov), and the bytes the walk read. Read before ffprobe looks at the file, so that ffprobe
     * is shown only what it needs of a fragmented one.
     */
    public record Layout(boolean fragmented, long secondMoof, int requests, long bytesRead) {}

    /**
     * Walks the top-level box headers of {@code size} bytes (no body is read) up to the second
     * moof, or to the end. A box running past the end stops it (not fragmented, when no moof came before).
     */
    public static Layout layout(RangeReader source, long size) {
        Walk w = new Walk(source, size, -1);
        long pos = 0;
        int moofs = 0;
        long secondMoof = -1;
        while (pos < size && secondMoof < 0) {
            Mp4Box box;
            try {
                box = w.headerAt(pos);
            } catch (InvalidInputException e) {
                // cut off before any moof: not this walk's to judge, ffprobe names it (no moov, …);
                // after one, the fragment walk reports where the fragments stop
                if (moofs == 0) return new Layout(false, -1, w.requests, w.bytesRead);
                break;
            }
            if (box.type().equals("moof") && ++moofs == 2) secondMoof = box.offset();
            // a moof is followed by its mdat: the read at the next box start can be as small
            if (box.type().equals("moof")) w.nextWindow = (int) Math.min(WINDOW_BYTES, box.size() + box.size() / 4 + 64);
            pos = box.end();
        }
        return new Layout(moofs > 0, secondMoof, w.requests, w.bytesRead);
    }

    /**
     * The fraction {@code num/den} (both positive) as ffmpeg's av_reduce leaves it: exact when
     * its reduced terms are at most {@code max}, else the nearest convergent (or semiconvergent)
     * of its continued fraction whose terms are. Written from the continued-fraction method, so
     * rates of long variable-rate files round as ffprobe reports them.
     */
    static Rational reduceLikeFfmpeg(long num, long den, long max) {
        Rational exact = Rational.of(num, den);
        long n = exact.num(), d = exact.den();
        if (n <= max && d <= max) return exact;
        long p0 = 0, q0 = 1, p1 = 1, q1 = 0; // the two convergents before the next
        while (d != 0) {
            long a = n / d;
            long rest = n - d * a;
            long p2 = saturatedAdd(saturatedMultiply(a, p1), p0);
            long q2 = saturatedAdd(saturatedMultiply(a, q1), q0);
            if (p2 > max || q2 > max) {
                // the largest partial term that stays in bounds; taken when it is nearer than p1/q1
                long k = a;
                if (p1 != 0) k = (max - p0) / p1;
                if (q1 != 0) k = Math.min(k, (max - q0) / q1);
                BigInteger left = BigInteger.valueOf(d).multiply(BigInteger.valueOf(2).multiply(BigInteger.valueOf(k)).multiply(BigInteger.valueOf(q1)).add(BigInteger.valueOf(q0)));
                BigInteger right = BigInteger.valueOf(n).multiply(BigInteger.valueOf(q1));
                if (left.compareTo(right) > 0) {
                    p1 = k * p1 + p0;
                    q1 = k * q1 + q0;
                }
                break;
            }
            p0 = p1;
            q0 = q1;
            p1 = p2;
            q1 = q2;
            n = d;
            d = rest;
        }
        return Rational.of(p1, q1);
    }

    private static long saturatedMultiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return (hi == 0 && lo >= 0) ? lo : Long.MAX_VALUE;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }

    /**
     * Walks the file of {@code size} bytes and sums the timing of track {@code trackId}.
     * Malformed boxes are {@code InvalidInput.MalformedFragment}; boxes running past the end of
     * the file, {@code InvalidInput.Truncated}; both name the box and its offset.
     */
    public static VideoTiming read(RangeReader source, long size, long trackId) {
        return new Walk(source, size, trackId).run();
    }

    /**
     * As {@link #read}, for the moov's first track whose handler is {@code vide} (ffprobe's first
     * video stream: the mov demuxer makes a stream of each trak in order; cover art is not a
     * trak); null when it has none. Walked before ffprobe looks, so the look can be fitted to what
     * the walk found.
     */
    public static VideoTiming readFirstVideoTrack(RangeReader source, long size) {
        return new Walk(source, size, FIRST_VIDEO_TRACK).run();
    }

    /** A track id no tkhd has (ids are 1 and up): take the first video track's. */
    private static final long FIRST_VIDEO_TRACK = -1;

    private static final class Walk {
        private final RangeReader source;
        private final long size;
        private long trackId;
        private long windowStart = -1;
        private ByteBuffer window = ByteBuffer.allocate(0);
        /** Bytes of the next read at a box start: the last moof's size and some, for it and the header after it. */
        private int nextWindow = WINDOW_BYTES;
        private int requests;
        private long bytesRead;

        private long timescale;
        private long trexDuration;
        private long trexFlags;
        private long frames;
        private long ticks;
        private final PresentationTimes presented = new PresentationTimes();
        /** Decode time of the next sample: where a traf without a tfdt continues. */
        private long nextDecodeTime;
        private int fragments;
        private boolean sawMoov;
        private long moovEnd;
        private long moovFrames;
        private final List<FragmentStart> starts = new ArrayList<>();

        Walk(RangeReader source, long size, long trackId) {
            this.source = source;
            this.size = size;
            this.trackId = trackId;
        }

        VideoTiming run() {
            long pos = 0;
            while (pos < size) {
                Mp4Box box = headerAt(pos);
                switch (box.type()) {
                    case "moov" -> {
                        parseMoov(body(box), box);
                        moovFrames = frames;
                        sawMoov = true;
                        moovEnd = box.end();
                    }
                    case "moof" -> {
                        if (!sawMoov) throw malformed(box, "comes before the moov");
                        parseMoof(body(box), box);
                        fragments++;
                        nextWindow = (int) Math.min(WINDOW_BYTES, box.size() + box.size() / 4 + 64);
                    }
                    default -> { } // ftyp, mdat, free, sidx, mfra...: skipped by their size
                }
                pos = box.end();
            }
            if (!sawMoov) throw new InvalidInputException("Truncated", "the MP4 has no movie header (moov box): the upload is incomplete");
            if (trackId == FIRST_VIDEO_TRACK) return null; // no video track: not this walk's to judge
            if (timescale <= 0) throw new InvalidInputException("MalformedFragment", "the moov has no track " + trackId + " with a timescale");
            PresentationTimes.Result p = presented.result();
            return new VideoTiming(timescale, frames, ticks, p.constant(), fragments, requests, bytesRead, moovEnd, List.copyOf(starts),
                    moovFrames > 0 ? 0 : starts.isEmpty() ? -1 : starts.get(0).decodeTime(), p.interval(), p.startDelay(), trackId);
        }

        /** The box header at {@code pos}, from the current window or a new read there. */
        private Mp4Box headerAt(long pos) {
            if (pos < windowStart || pos + Math.min(Mp4Box.MAX_HEADER_BYTES, size - pos) > windowStart + window.limit()) {
                load(pos, (int) Math.min(Math.max(nextWindow, Mp4Box.MAX_HEADER_BYTES), size - pos));
            }
            try {
                Mp4Box box = Mp4Box.header(window.slice((int) (pos - windowStart), window.limit() - (int) (pos - windowStart)), pos, size);
                if (box == null) {
                    throw new InvalidInputException("Truncated", "the file ends inside a box header at byte " + pos + " of " + size
                            + ": the upload is incomplete");
                }
                return box;
            } catch (FragmentedMp4.MalformedMp4Exception e) {
                throw new InvalidInputException("Truncated", "the fragmented MP4 is cut off: " + e.getMessage()
                        + " (the file has " + size + " bytes; the upload is incomplete?)");
            }
        }

        /** A header box's body (moov, moof): from the window when it is there, else one read of it. */
        private ByteBuffer body(Mp4Box box) {
            if (box.size() > MAX_HEADER_BOX_BYTES) {
                throw malformed(box, "is " + box.size() + " bytes, more than the " + MAX_HEADER_BOX_BYTES + " a fragment header may have");
            }
            if (box.end() > windowStart + window.limit()) load(box.offset(), (int) box.size());
            int from = (int) (box.bodyOffset() - windowStart);
            return window.slice(from, (int) (box.size() - box.headerLength()));
        }

        private void load(long offset, int length) {
            byte[] bytes = source.read(offset, length);
            requests++;
            bytesRead += bytes.length;
            if (bytes.length < length) {
                throw new InvalidInputException("Truncated", "reading bytes " + offset + "–" + (offset + length - 1) + " of the "
                        + size + "-byte file returned only " + bytes.length + ": the upload is incomplete");
            }
            windowStart = offset;
            window = ByteBuffer.wrap(bytes);
        }

        private void parseMoov(ByteBuffer moov, Mp4Box at) {
            try {
                // the tracks first: the track asked for may be known only from its handler, and an mvex may come before it
                Mp4Box.forEachChild(moov, (type, body) -> { if (type.equals("trak")) parseTrak(body); });
                Mp4Box.forEachChild(moov, (type, body) -> {
                    if (type.equals("mvex")) {
                        Mp4Box.forEachChild(body, (t, b) -> {
                            if (!t.equals("trex")) return;
                            b.getInt(); // version, flags
                            long id = Integer.toUnsignedLong(b.getInt());
                            b.getInt(); // default sample description index
                            long duration = Integer.toUnsignedLong(b.getInt());
                            b.getInt(); // default sample size
                            long flags = Integer.toUnsignedLong(b.getInt());
                            if (id == trackId) {
                                trexDuration = duration;
                                trexFlags = flags;
                            }
                        });
                    }
                });
            } catch (FragmentedMp4.MalformedMp4Exception e) {
                throw malformed(at, e.getMessage());
            }
        }

        /** The track's timescale (mdhd) and the samples its moov holds (stts), when it is the track asked for. */
        private void parseTrak(ByteBuffer trak) throws FragmentedMp4.MalformedMp4Exception {
            long[] id = {-1};
            Mp4Box.forEachChild(trak, (type, body) -> {
                if (!type.equals("tkhd")) return;
                int version = body.get() & 0xff;
                body.position(body.position() + 3 + (version == 1 ? 16 : 8));
                id[0] = Integer.toUnsignedLong(body.getInt());
            });
            if (trackId == FIRST_VIDEO_TRACK && id[0] > 0 && handler(trak).equals("vide")) trackId = id[0];
            if (id[0] != trackId) return;
            Mp4Box.forEachChild(trak, (type, mdia) -> {
                if (!type.equals("mdia")) return;
                Mp4Box.forEachChild(mdia, (t, b) -> {
                    if (t.equals("mdhd")) {
                        int version = b.get() & 0xff;
                        b.position(b.position() + 3 + (version == 1 ? 16 : 8));
                        timescale = Integer.toUnsignedLong(b.getInt());
                    } else if (t.equals("minf")) {
                        Mp4Box.forEachChild(b, (t2, b2) -> {
                            if (!t2.equals("stbl")) return;
                            ByteBuffer[] tables = new ByteBuffer[2]; // stts, ctts
                            Mp4Box.forEachChild(b2, (t3, b3) -> {
                                if (t3.equals("stts")) tables[0] = b3.slice();
                                if (t3.equals("ctts")) tables[1] = b3.slice();
                            });
                            if (tables[0] != null) parseStts(tables[0], new CompositionOffsets(tables[1]));
                        });
                    }
                });
            });
        }

        /** The trak's mdia/hdlr handler type ("vide", "soun", …), or "". */
        private static String handler(ByteBuffer trak) throws FragmentedMp4.MalformedMp4Exception {
            String[] type = {""};
            Mp4Box.forEachChild(trak.duplicate(), (t, mdia) -> {
                if (!t.equals("mdia")) return;
                Mp4Box.forEachChild(mdia, (t2, hdlr) -> {
                    if (!t2.equals("hdlr") || hdlr.remaining() < 12) return;
                    byte[] b = new byte[4];
                    hdlr.get(hdlr.position() + 8, b); // version and flags, pre_defined, then handler_type
                    type[0] = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
                });
            });
            return type[0];
        }

        /** The moov's samples: durations from the stts, presentation times with the ctts's offsets. */
        private void parseStts(ByteBuffer stts, CompositionOffsets offsets) throws FragmentedMp4.MalformedMp4Exception {
            stts.getInt(); // version, flags
            long entries = Integer.toUnsignedLong(stts.getInt());
            if (entries * 8 > stts.remaining()) throw new FragmentedMp4.MalformedMp4Exception("stts promises " + entries + " entries in " + stts.remaining() + " bytes");
            long sttsFrames = 0, sttsTicks = 0;
            for (long i = 0; i < entries; i++) {
                long count = Integer.toUnsignedLong(stts.getInt());
                long delta = Integer.toUnsignedLong(stts.getInt());
                // as mov_read_stts: a last single sample over ten times the mean (a muxer's stray
                // end time) counts as lasting the mean
                if (i + 1 == entries && i > 0 && count == 1 && sttsFrames > 100 && delta / 10 > sttsTicks / sttsFrames) {
                    delta = sttsTicks / sttsFrames;
                }
                checkSampleCount(count);
                for (long k = 0; k < count; k++) sample(delta, offsets.next());
                sttsFrames += count;
                sttsTicks += count * delta;
            }
        }

        private void parseMoof(ByteBuffer moof, Mp4Box at) {
            try {
                Mp4Box.forEachChild(moof, (type, traf) -> {
                    if (type.equals("traf")) {
                        long before = frames;
                        parseTraf(traf, at.offset());
                        int last = starts.size() - 1;
                        if (frames > before && starts.get(last).offset() == at.offset()) {
                            FragmentStart f = starts.get(last);
                            starts.set(last, new FragmentStart(f.offset(), f.decodeTime(), f.sync(), f.samples() + frames - before));
                        }
                    }
                });
            } catch (FragmentedMp4.MalformedMp4Exception e) {
                throw malformed(at, e.getMessage());
            }
        }

        private void parseTraf(ByteBuffer traf, long moofOffset) throws FragmentedMp4.MalformedMp4Exception {
            long[] defaults = {-1, 0}; // duration (-1: not this track), sample flags
            long[] decodeTime = {-1};
            boolean[] first = {true};
            Mp4Box.forEachChild(traf, (type, b) -> {
                switch (type) {
                    case "tfhd" -> {
                        int flags = b.getInt() & 0xffffff;
                        if (Integer.toUnsignedLong(b.getInt()) != trackId) return;
                        if ((flags & 0x01) != 0) b.getLong(); // base data offset
                        if ((flags & 0x02) != 0) b.getInt(); // sample description index
                        defaults[0] = (flags & 0x08) != 0 ? Integer.toUnsignedLong(b.getInt()) : trexDuration;
                        if ((flags & 0x10) != 0) b.getInt(); // default sample size
                        defaults[1] = (flags & 0x20) != 0 ? Integer.toUnsignedLong(b.getInt()) : trexFlags;
                    }
                    case "tfdt" -> {
                        if (defaults[0] < 0) return;
                        int version = b.get() & 0xff;
                        b.position(b.position() + 3);
                        decodeTime[0] = version == 1 ? b.getLong() : Integer.toUnsignedLong(b.getInt());
                    }
                    case "trun" -> {
                        if (defaults[0] < 0) return; // another track's run (or a trun before its tfhd)
                        int flags = b.getInt() & 0xffffff;
                        long count = Integer.toUnsignedLong(b.getInt());
                        if ((flags & TRUN_DATA_OFFSET) != 0) b.getInt();
                        long firstFlags = (flags & TRUN_FIRST_SAMPLE_FLAGS) != 0 ? Integer.toUnsignedLong(b.getInt()) : -1;
                        int perSample = 4 * Integer.bitCount(flags & 0xf00);
                        if (count * perSample > b.remaining()) {
                            throw new FragmentedMp4.MalformedMp4Exception("trun promises " + count + " samples of " + perSample
                                    + " bytes in " + b.remaining() + " bytes");
                        }
                        if (count > 0 && first[0]) {
                            // the sample's flags: trun first-sample flags, its own, tfhd's or trex's default
                            long sampleFlags = firstFlags >= 0 ? firstFlags : defaults[1];
                            if (firstFlags < 0 && (flags & TRUN_SAMPLE_FLAGS) != 0) {
                                int at = b.position() + ((flags & TRUN_SAMPLE_DURATION) != 0 ? 4 : 0) + ((flags & TRUN_SAMPLE_SIZE) != 0 ? 4 : 0);
                                sampleFlags = Integer.toUnsignedLong(b.getInt(at));
                            }
                            // ISO/IEC 14496-12 §8.8.3.1: bit 16 of the sample flags is sample_is_non_sync_sample
                            starts.add(new FragmentStart(moofOffset, decodeTime[0], (sampleFlags & 0x10000) == 0, 0));
                            first[0] = false;
                        }
                        // the traf's first sample is at its tfdt; without one, where the samples before ended
                        if (decodeTime[0] >= 0) {
                            nextDecodeTime = decodeTime[0];
                            decodeTime[0] = -1; // a second trun of the traf continues from the first
                        }
                        checkSampleCount(count);
                        for (long i = 0; i < count; i++) {
                            int entry = b.position();
                            long duration = (flags & TRUN_SAMPLE_DURATION) != 0 ? Integer.toUnsignedLong(b.getInt(entry)) : defaults[0];
                            // signed (version 1) or unsigned (version 0, where a value over 2^31 means nothing sane): read as signed, as ffmpeg does
                            long offset = (flags & TRUN_SAMPLE_COMPOSITION_OFFSET) != 0 ? b.getInt(entry + perSample - 4) : 0;
                            sample(duration, offset);
                            b.position(entry + perSample);
                        }
                    }
                    default -> { }
                }
            });
        }

        /**
         * The next sample in decode order: its duration summed as ffmpeg sums them for the
         * average rate (duration_for_fps), its presentation time (decode time + composition offset) kept for the constant-rate test.
         */
        private void sample(long duration, long compositionOffset) {
            presented.add(nextDecodeTime + compositionOffset, duration);
            nextDecodeTime += duration;
            frames++;
            ticks += duration;
        }

        private void checkSampleCount(long count) {
            if (frames + count > MAX_SAMPLES) {
                throw new InvalidInputException("TooLong", "the video track states more than " + MAX_SAMPLES
                        + " samples, more than any video this service accepts (4 hours at 240 fps is 3.5 million)");
            }
        }

        private static InvalidInputException malformed(Mp4Box box, String what) {
            return new InvalidInputException("MalformedFragment", "the fragmented MP4's '" + Mp4Box.printable(box.type())
                    + "' box at byte " + box.offset() + " " + what);
        }
    }

    /** The ctts's offsets, sample by sample (0 without a ctts or past its entries). */
    private static final class CompositionOffsets {
        private final ByteBuffer ctts;
        private long entries;
        private long left;
        private long offset;

        CompositionOffsets(ByteBuffer ctts) throws FragmentedMp4.MalformedMp4Exception {
            this.ctts = ctts;
            if (ctts == null) return;
            ctts.getInt(); // version, flags
            entries = Integer.toUnsignedLong(ctts.getInt());
            if (entries * 8 > ctts.remaining()) throw new FragmentedMp4.MalformedMp4Exception("ctts promises " + entries + " entries in " + ctts.remaining() + " bytes");
        }

        long next() {
            while (left == 0 && entries > 0) {
                left = Integer.toUnsignedLong(ctts.getInt());
                offset = ctts.getInt(); // signed, as with the trun's offsets
                entries--;
            }
            if (left == 0) return 0;
            left--;
            return offset;
        }
    }
}
