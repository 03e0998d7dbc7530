package dev.fanout.encoder.media;

import dev.fanout.encoder.errors.InvalidInputException;

import java.nio.ByteBuffer;

/**
 * The video track's sample timing of a fragmented MP4, learnt from its box headers alone with
 * ranged reads: the top-level boxes are walked by their sizes (an {@code mdat} is skipped, never
 * read), the {@code moov} gives the track's timescale, default sample duration ({@code trex}) and
 * any samples it holds itself ({@code stts}), and each {@code moof}'s {@code traf} of the track
 * ({@code tfhd}/{@code trun}) gives its samples' durations — what {@code ffprobe -show_packets}
 * would have read by demuxing every packet of the file.
 *
 * <p>Cost: one ranged read of {@link #WINDOW_BYTES} at each fragment start, which holds the
 * {@code moof} and the header of the {@code mdat} after it (a 2 s fragment's moof is 1–3 KiB);
 * a larger moof costs one more read. A 2-hour film in 2 s fragments is 3,600 fragments: about
 * 3,600 GETs and 3,600 × 16 KiB ≈ 56 MiB read, sequentially (each fragment's offset is known only
 * from the size of the one before).
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
     * @param timescale     ticks per second of the track (its packets' time base is 1/timescale)
     * @param frames        samples of the track (in the moov and in every moof)
     * @param ticks         sum of the durations of every sample but the first (all of it when it is the only one)
     * @param uniform       whether those samples all last the same
     * @param fragments     moof boxes walked
     * @param requests      ranged reads made
     * @param bytesRead     bytes those reads returned
     */
    public record VideoTiming(long timescale, long frames, long ticks, boolean uniform, int fragments, int requests, long bytesRead) {}

    /**
     * Walks the file of {@code size} bytes and sums the timing of track {@code trackId}.
     * Malformed boxes are {@code InvalidInput.MalformedFragment}; boxes running past the end of
     * the file, {@code InvalidInput.Truncated}; both name the box and its offset.
     */
    public static VideoTiming read(RangeReader source, long size, long trackId) {
        return new Walk(source, size, trackId).run();
    }

    private static final class Walk {
        private final RangeReader source;
        private final long size;
        private final long trackId;
        private long windowStart = -1;
        private ByteBuffer window = ByteBuffer.allocate(0);
        private int requests;
        private long bytesRead;

        private long timescale;
        private long trexDuration;
        private long frames;
        private long ticks;
        private long firstDuration = -1;
        private long firstSampleDuration;
        /** Decode time of the next sample, from the durations since the last tfdt. */
        private long dts;
        /** The last sample seen, not yet counted: its duration runs to the next fragment's tfdt. */
        private long heldDuration = -1;
        private boolean uniform = true;
        private int fragments;
        private boolean sawMoov;

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
                        sawMoov = true;
                    }
                    case "moof" -> {
                        if (!sawMoov) throw malformed(box, "comes before the moov");
                        parseMoof(body(box), box);
                        fragments++;
                    }
                    default -> { } // ftyp, mdat, free, sidx, mfra...: skipped by their size
                }
                pos = box.end();
            }
            if (!sawMoov) throw new InvalidInputException("Truncated", "the MP4 has no movie header (moov box): the upload is incomplete");
            if (timescale <= 0) throw new InvalidInputException("MalformedFragment", "the moov has no track " + trackId + " with a timescale");
            if (heldDuration >= 0) addSamples(1, heldDuration);
            return new VideoTiming(timescale, frames, frames == 1 ? firstSampleDuration : ticks, uniform && frames > 0, fragments, requests, bytesRead);
        }

        /** The box header at {@code pos}, from the current window or a new read there. */
        private Mp4Box headerAt(long pos) {
            if (pos < windowStart || pos + Math.min(Mp4Box.MAX_HEADER_BYTES, size - pos) > windowStart + window.limit()) {
                load(pos, (int) Math.min(WINDOW_BYTES, size - pos));
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
                Mp4Box.forEachChild(moov, (type, body) -> {
                    if (type.equals("trak")) parseTrak(body);
                    if (type.equals("mvex")) {
                        Mp4Box.forEachChild(body, (t, b) -> {
                            if (!t.equals("trex")) return;
                            b.getInt(); // version, flags
                            long id = Integer.toUnsignedLong(b.getInt());
                            b.getInt(); // default sample description index
                            long duration = Integer.toUnsignedLong(b.getInt());
                            if (id == trackId) trexDuration = duration;
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
                            if (t2.equals("stbl")) Mp4Box.forEachChild(b2, (t3, b3) -> { if (t3.equals("stts")) parseStts(b3); });
                        });
                    }
                });
            });
        }

        private void parseStts(ByteBuffer stts) throws FragmentedMp4.MalformedMp4Exception {
            stts.getInt(); // version, flags
            long entries = Integer.toUnsignedLong(stts.getInt());
            if (entries * 8 > stts.remaining()) throw new FragmentedMp4.MalformedMp4Exception("stts promises " + entries + " entries in " + stts.remaining() + " bytes");
            for (long i = 0; i < entries; i++) {
                long count = Integer.toUnsignedLong(stts.getInt());
                long delta = Integer.toUnsignedLong(stts.getInt());
                samples(count, delta);
            }
        }

        private void parseMoof(ByteBuffer moof, Mp4Box at) {
            try {
                Mp4Box.forEachChild(moof, (type, traf) -> {
                    if (type.equals("traf")) parseTraf(traf);
                });
            } catch (FragmentedMp4.MalformedMp4Exception e) {
                throw malformed(at, e.getMessage());
            }
        }

        private void parseTraf(ByteBuffer traf) throws FragmentedMp4.MalformedMp4Exception {
            long[] defaultDuration = {-1}; // -1: not this track
            Mp4Box.forEachChild(traf, (type, b) -> {
                switch (type) {
                    case "tfhd" -> {
                        int flags = b.getInt() & 0xffffff;
                        if (Integer.toUnsignedLong(b.getInt()) != trackId) return;
                        if ((flags & 0x01) != 0) b.getLong(); // base data offset
                        if ((flags & 0x02) != 0) b.getInt(); // sample description index
                        defaultDuration[0] = (flags & 0x08) != 0 ? Integer.toUnsignedLong(b.getInt()) : trexDuration;
                    }
                    case "trun" -> {
                        if (defaultDuration[0] < 0) return; // another track's run (or a trun before its tfhd)
                        int flags = b.getInt() & 0xffffff;
                        long count = Integer.toUnsignedLong(b.getInt());
                        if ((flags & 0x001) != 0) b.getInt(); // data offset
                        if ((flags & 0x004) != 0) b.getInt(); // first sample flags
                        int perSample = 4 * Integer.bitCount(flags & 0xf00);
                        if (count * perSample > b.remaining()) {
                            throw new FragmentedMp4.MalformedMp4Exception("trun promises " + count + " samples of " + perSample
                                    + " bytes in " + b.remaining() + " bytes");
                        }
                        if ((flags & 0x100) == 0) {
                            samples(count, defaultDuration[0]);
                            return;
                        }
                        for (long i = 0; i < count; i++) {
                            samples(1, Integer.toUnsignedLong(b.getInt()));
                            b.position(b.position() + perSample - 4); // size, flags, composition offset
                        }
                    }
                    case "tfdt" -> {
                        if (defaultDuration[0] < 0) return;
                        int version = b.get() & 0xff;
                        b.position(b.position() + 3);
                        decodeTime(version == 1 ? b.getLong() : Integer.toUnsignedLong(b.getInt()));
                    }
                    default -> { }
                }
            });
        }

        /**
         * {@code count} samples of {@code duration} in decode order. The last is held back: as in
         * ffmpeg's mov demuxer (whose packet durations the planner used before), a sample lasts
         * until the next one's decode time, and a fragment's tfdt sets that time — ffmpeg's
         * fragmented output ends a fragment's last sample a little early or late (the AAC priming).
         */
        private void samples(long count, long duration) {
            if (count <= 0) return;
            if (heldDuration >= 0) addSamples(1, heldDuration);
            if (count > 1) addSamples(count - 1, duration);
            heldDuration = duration;
            dts += count * duration;
        }

        /** A fragment's tfdt: the held sample lasts up to it. */
        private void decodeTime(long tfdt) {
            if (heldDuration >= 0) {
                addSamples(1, Math.max(0, heldDuration + tfdt - dts));
                heldDuration = -1;
            }
            dts = tfdt;
        }

        /**
         * The first sample is counted but its duration is not: ffmpeg's fragmented output with
         * AAC stretches the first video sample by the audio priming (869 ticks for 512 at
         * 15360/s), and ffmpeg's demuxer, whose packet durations the planner used before, reports
         * it as lasting like the others. The rate is taken from the samples after it.
         */
        private void addSamples(long count, long duration) {
            if (frames == 0) {
                firstSampleDuration = duration;
                frames = 1;
                if (--count == 0) return;
            }
            if (firstDuration < 0) firstDuration = duration;
            if (duration != firstDuration) uniform = false;
            frames += count;
            ticks += count * duration;
        }

        private static InvalidInputException malformed(Mp4Box box, String what) {
            return new InvalidInputException("MalformedFragment", "the fragmented MP4's '" + Mp4Box.printable(box.type())
                    + "' box at byte " + box.offset() + " " + what);
        }
    }
}
