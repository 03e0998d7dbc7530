package dev.fanout.encoder.media;

import dev.fanout.encoder.errors.InvalidSubtitlesException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the samples of one 3GPP timed-text track (mov_text, sample entry {@code tx3g}) of an MP4
 * or MOV lie and when they play, from the {@code moov} alone, read with ranged GETs: the top-level
 * boxes are walked by their headers ({@code mdat} skipped, never read), the {@code moov} is read
 * once, and the track's sample table gives each sample's decode time and duration ({@code stts}),
 * chunk ({@code stsc}, {@code stco}/{@code co64}) and size ({@code stsz}); its edit list
 * ({@code elst}) moves them onto the movie's timeline (ISO/IEC 14496-12 §8.6.6). Then only the
 * samples' own bytes are read ({@link #readText}): a few dozen bytes per cue instead of the video
 * between them, which ffmpeg's demuxer would read (docs/subtitles.md has the measurement).
 *
 * <p>A sample is a 16-bit text length and that many bytes of text, then optional style boxes
 * (3GPP TS 26.245 §5.16–5.17); the text is UTF-8, or UTF-16 when it starts with a byte order mark.
 * Styles are not kept. A 2-byte sample is an empty one, the gap between cues: never read. Pure
 * apart from the {@link FragmentIndex.RangeReader} it is given.
 */
public final class SubtitleSampleTable {
    private SubtitleSampleTable() {}

    /** A moov larger than this is not one we read (a 2-hour film's is a few MB). */
    static final int MAX_MOOV_BYTES = FragmentIndex.MAX_HEADER_BOX_BYTES;
    /** Largest sum of a track's text sample bytes read: a film's cues are ~100 KB. */
    public static final long MAX_TEXT_BYTES = 4L * 1024 * 1024;
    /** Samples closer than this in the file are read with one GET. */
    static final int MERGE_GAP_BYTES = 4096;

    /** One sample: where it plays on the movie timeline (ms from the movie's start) and where its bytes lie. */
    public record Sample(long startMillis, long endMillis, long offset, int size) {}

    /** A cue's raw text as the track holds it, and when it plays. */
    public record TextSample(long startMillis, long endMillis, String text) {}

    /**
     * The samples of track {@code trackId} of the file of {@code size} bytes, in decode order.
     * A track that is not tx3g, or an edit list other than empty edits then one edit at normal
     * rate, is {@code InvalidSubtitles.UnsupportedTrack}; a broken table {@code InvalidSubtitles.MalformedTrack}.
     */
    public static List<Sample> samples(FragmentIndex.RangeReader source, long size, long trackId) {
        ByteBuffer moov = readMoov(source, size);
        long[] movieTimescale = {0};
        List<Sample> found = new ArrayList<>();
        boolean[] seen = {false};
        try {
            Mp4Box.forEachChild(moov, (type, body) -> {
                if (type.equals("mvhd")) movieTimescale[0] = timescaleOf(body);
                if (type.equals("trak") && trackIdOf(body) == trackId) {
                    seen[0] = true;
                    found.addAll(trak(body, movieTimescale[0], trackId));
                }
            });
        } catch (FragmentedMp4.MalformedMp4Exception | RuntimeException e) {
            if (e instanceof InvalidSubtitlesException ise) throw ise;
            throw malformed(trackId, e.getMessage());
        }
        if (!seen[0]) throw malformed(trackId, "the moov has no such track");
        return found;
    }

    /** The text of each non-empty sample, read with as few ranged GETs as their places allow. */
    public static List<TextSample> readText(FragmentIndex.RangeReader source, List<Sample> samples, long trackId) {
        List<Sample> nonEmpty = samples.stream().filter(s -> s.size() > 2).toList();
        long total = nonEmpty.stream().mapToLong(Sample::size).sum();
        if (total > MAX_TEXT_BYTES) {
            throw new InvalidSubtitlesException("TooLarge", "subtitle track " + trackId + " holds " + total
                    + " bytes of text; up to " + MAX_TEXT_BYTES + " are accepted");
        }
        // one GET for each run of samples that lie close together (those of one chunk lie side by side)
        List<int[]> runs = new ArrayList<>();
        int i = 0;
        while (i < nonEmpty.size()) {
            int j = i;
            long from = nonEmpty.get(i).offset();
            long to = from + nonEmpty.get(i).size();
            while (j + 1 < nonEmpty.size() && nonEmpty.get(j + 1).offset() >= to
                    && nonEmpty.get(j + 1).offset() - to <= MERGE_GAP_BYTES
                    && nonEmpty.get(j + 1).offset() + nonEmpty.get(j + 1).size() - from <= 1 << 20) {
                j++;
                to = nonEmpty.get(j).offset() + nonEmpty.get(j).size();
            }
            runs.add(new int[]{i, j});
            i = j + 1;
        }
        // Interleaved with the video, a film's cues are one GET each (hundreds): PARALLEL_READS at a time.
        List<java.util.concurrent.Callable<List<TextSample>>> reads = new ArrayList<>();
        for (int[] run : runs) reads.add(() -> readRun(source, nonEmpty.subList(run[0], run[1] + 1), trackId));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(PARALLEL_READS);
        try {
            List<TextSample> out = new ArrayList<>();
            for (java.util.concurrent.Future<List<TextSample>> f : pool.invokeAll(reads)) out.addAll(f.get());
            return out;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Ranged GETs in flight at once while the samples' text is read. */
    static final int PARALLEL_READS = 8;

    private static List<TextSample> readRun(FragmentIndex.RangeReader source, List<Sample> run, long trackId) {
        long from = run.get(0).offset();
        Sample last = run.get(run.size() - 1);
        long to = last.offset() + last.size();
        byte[] bytes = source.read(from, (int) (to - from));
        if (bytes.length < to - from) throw malformed(trackId, "a sample at byte " + from + " lies past the end of the file");
        List<TextSample> out = new ArrayList<>();
        for (Sample s : run) {
            String text = decodeSample(ByteBuffer.wrap(bytes, (int) (s.offset() - from), s.size()).slice(), trackId, s.offset());
            if (!text.isEmpty()) out.add(new TextSample(s.startMillis(), s.endMillis(), text));
        }
        return out;
    }

    /** The text of one tx3g sample (its style boxes after the text are ignored). */
    static String decodeSample(ByteBuffer sample, long trackId, long offset) {
        int length = Short.toUnsignedInt(sample.getShort());
        if (length > sample.remaining()) {
            throw malformed(trackId, "the sample at byte " + offset + " says " + length + " bytes of text but holds " + sample.remaining());
        }
        byte[] text = new byte[length];
        sample.get(text);
        boolean utf16 = length >= 2 && (text[0] & 0xff) == 0xfe && (text[1] & 0xff) == 0xff;
        return utf16 ? new String(text, 2, length - 2, StandardCharsets.UTF_16BE) : new String(text, StandardCharsets.UTF_8);
    }

    private static ByteBuffer readMoov(FragmentIndex.RangeReader source, long size) {
        long pos = 0;
        while (pos + 8 <= size) {
            byte[] head = source.read(pos, (int) Math.min(Mp4Box.MAX_HEADER_BYTES, size - pos));
            Mp4Box box;
            try {
                box = Mp4Box.header(ByteBuffer.wrap(head), pos, size);
            } catch (FragmentedMp4.MalformedMp4Exception e) {
                throw new InvalidSubtitlesException("MalformedTrack", "reading the subtitle tracks: " + e.getMessage());
            }
            if (box == null) break;
            if (box.type().equals("moov")) {
                if (box.size() > MAX_MOOV_BYTES) {
                    throw new InvalidSubtitlesException("MalformedTrack", "the moov is " + box.size() + " bytes; up to " + MAX_MOOV_BYTES + " are read");
                }
                byte[] body = source.read(box.bodyOffset(), (int) (box.size() - box.headerLength()));
                return ByteBuffer.wrap(body);
            }
            pos = box.end();
        }
        throw new InvalidSubtitlesException("MalformedTrack", "the file has no moov box to read its subtitle tracks from");
    }

    private static long timescaleOf(ByteBuffer fullBox) {
        int version = fullBox.get(0) & 0xff;
        return Integer.toUnsignedLong(fullBox.getInt(version == 1 ? 20 : 12));
    }

    private static long trackIdOf(ByteBuffer trak) throws FragmentedMp4.MalformedMp4Exception {
        long[] id = {-1};
        Mp4Box.forEachChild(trak, (type, body) -> {
            if (type.equals("tkhd")) id[0] = Integer.toUnsignedLong(body.getInt((body.get(0) & 0xff) == 1 ? 20 : 12));
        });
        return id[0];
    }

    /** What the sample table boxes say, gathered before the samples are laid out. */
    private static final class Table {
        long timescale;
        String entry;
        long[] sttsCount, sttsDelta;
        long[] stscFirst, stscPerChunk;
        long[] sizes;
        long[] chunkOffsets;
        List<long[]> edits = new ArrayList<>(); // {segment duration (movie ts), media time, rate integer part}
    }

    private static List<Sample> trak(ByteBuffer trak, long movieTimescale, long trackId) throws FragmentedMp4.MalformedMp4Exception {
        Table t = new Table();
        Mp4Box.forEachChild(trak, (type, body) -> {
            switch (type) {
                case "edts" -> Mp4Box.forEachChild(body, (ct, cb) -> { if (ct.equals("elst")) elst(cb, t); });
                case "mdia" -> Mp4Box.forEachChild(body, (mt, mb) -> {
                    if (mt.equals("mdhd")) t.timescale = timescaleOf(mb);
                    if (mt.equals("minf")) Mp4Box.forEachChild(mb, (it, ib) -> { if (it.equals("stbl")) stbl(ib, t); });
                });
                default -> { }
            }
        });
        if (!"tx3g".equals(t.entry)) {
            throw new InvalidSubtitlesException("UnsupportedTrack", "track " + trackId + " is not 3GPP timed text (tx3g) but '"
                    + (t.entry == null ? "none" : Mp4Box.printable(t.entry)) + "'");
        }
        if (t.timescale <= 0 || t.sttsCount == null || t.stscFirst == null || t.sizes == null || t.chunkOffsets == null) {
            throw malformed(trackId, "its sample table lacks mdhd, stts, stsc, stsz or stco");
        }
        // the edit list: any empty edits (a delay), then one edit at rate 1 from media time M
        long delayMovieTicks = 0;
        long mediaStart = 0;
        int normal = 0;
        for (long[] e : t.edits) {
            if (e[1] == -1) {
                if (normal > 0) throw unsupported(trackId, "an empty edit after the first normal one");
                delayMovieTicks += e[0];
            } else {
                if (++normal > 1 || e[2] != 1) throw unsupported(trackId, "an edit list with more than one edit, or one not at normal rate");
                mediaStart = e[1];
            }
        }
        if (movieTimescale <= 0 && delayMovieTicks > 0) throw malformed(trackId, "the movie header has no timescale");
        double delayMillis = delayMovieTicks == 0 ? 0 : delayMovieTicks * 1000.0 / movieTimescale;

        long sampleCount = t.sizes.length;
        long sttsTotal = 0;
        for (long c : t.sttsCount) sttsTotal += c;
        if (sttsTotal != sampleCount) throw malformed(trackId, "stts has " + sttsTotal + " samples, stsz " + sampleCount);
        // each sample's file offset from its chunk (stsc runs of chunks with the same sample count)
        long[] offsets = new long[(int) sampleCount];
        int sample = 0;
        for (int run = 0; run < t.stscFirst.length && sample < sampleCount; run++) {
            long firstChunk = t.stscFirst[run];
            long lastChunk = run + 1 < t.stscFirst.length ? t.stscFirst[run + 1] - 1 : t.chunkOffsets.length;
            if (firstChunk < 1 || lastChunk > t.chunkOffsets.length || t.stscPerChunk[run] <= 0 || t.stscPerChunk[run] > sampleCount) {
                throw malformed(trackId, "stsc names chunks that stco does not have");
            }
            for (long chunk = firstChunk; chunk <= lastChunk && sample < sampleCount; chunk++) {
                long at = t.chunkOffsets[(int) chunk - 1];
                for (long k = 0; k < t.stscPerChunk[run] && sample < sampleCount; k++) {
                    offsets[sample] = at;
                    at += t.sizes[sample];
                    sample++;
                }
            }
        }
        if (sample != sampleCount) throw malformed(trackId, "its chunks hold " + sample + " of its " + sampleCount + " samples");
        List<Sample> out = new ArrayList<>();
        long dts = 0;
        int s = 0;
        for (int run = 0; run < t.sttsCount.length; run++) {
            for (long k = 0; k < t.sttsCount[run]; k++, s++) {
                long start = Math.round((dts - mediaStart) * 1000.0 / t.timescale + delayMillis);
                dts += t.sttsDelta[run];
                long end = Math.round((dts - mediaStart) * 1000.0 / t.timescale + delayMillis);
                if (t.sizes[s] > Integer.MAX_VALUE) throw malformed(trackId, "a sample of " + t.sizes[s] + " bytes");
                out.add(new Sample(start, end, offsets[s], (int) t.sizes[s]));
            }
        }
        return out;
    }

    private static void elst(ByteBuffer b, Table t) {
        int version = b.get() & 0xff;
        b.position(4);
        long n = Integer.toUnsignedLong(b.getInt());
        if (n > 10_000) throw new IllegalArgumentException("an edit list of " + n + " entries");
        for (long i = 0; i < n; i++) {
            long duration = version == 1 ? b.getLong() : Integer.toUnsignedLong(b.getInt());
            long mediaTime = version == 1 ? b.getLong() : b.getInt();
            int rate = b.getShort();
            b.getShort();
            t.edits.add(new long[]{duration, mediaTime, rate});
        }
    }

    private static void stbl(ByteBuffer stbl, Table t) throws FragmentedMp4.MalformedMp4Exception {
        Mp4Box.forEachChild(stbl, (type, b) -> {
            switch (type) {
                case "stsd" -> {
                    // full box header, entry count, then the first sample entry's size and type
                    if (b.getInt(4) >= 1) t.entry = Mp4Box.fourcc(b.getInt(12));
                }
                case "stts" -> {
                    int n = count(b, 8);
                    t.sttsCount = new long[n];
                    t.sttsDelta = new long[n];
                    for (int i = 0; i < n; i++) {
                        t.sttsCount[i] = Integer.toUnsignedLong(b.getInt(8 + 8 * i));
                        t.sttsDelta[i] = Integer.toUnsignedLong(b.getInt(12 + 8 * i));
                    }
                }
                case "stsc" -> {
                    int n = count(b, 12);
                    t.stscFirst = new long[n];
                    t.stscPerChunk = new long[n];
                    for (int i = 0; i < n; i++) {
                        t.stscFirst[i] = Integer.toUnsignedLong(b.getInt(8 + 12 * i));
                        t.stscPerChunk[i] = Integer.toUnsignedLong(b.getInt(12 + 12 * i));
                    }
                }
                case "stsz" -> {
                    long fixed = Integer.toUnsignedLong(b.getInt(4));
                    long n = Integer.toUnsignedLong(b.getInt(8));
                    if (n > 1_000_000 || (fixed == 0 && 12 + 4 * n > b.limit())) throw new IllegalArgumentException("stsz of " + n + " samples");
                    t.sizes = new long[(int) n];
                    for (int i = 0; i < n; i++) t.sizes[i] = fixed != 0 ? fixed : Integer.toUnsignedLong(b.getInt(12 + 4 * i));
                }
                case "stco", "co64" -> {
                    boolean wide = type.equals("co64");
                    int n = count(b, wide ? 8 : 4);
                    t.chunkOffsets = new long[n];
                    for (int i = 0; i < n; i++) t.chunkOffsets[i] = wide ? b.getLong(8 + 8 * i) : Integer.toUnsignedLong(b.getInt(8 + 4 * i));
                }
                default -> { }
            }
        });
    }

    /** A table's entry count (after the full box header), checked against the bytes it has. */
    private static int count(ByteBuffer b, int entryBytes) {
        long n = Integer.toUnsignedLong(b.getInt(4));
        if (8 + n * entryBytes > b.limit()) throw new IllegalArgumentException("a table of " + n + " entries in " + b.limit() + " bytes");
        return (int) n;
    }

    private static InvalidSubtitlesException malformed(long trackId, String why) {
        return new InvalidSubtitlesException("MalformedTrack", "subtitle track " + trackId + " of the source: " + why);
    }

    private static InvalidSubtitlesException unsupported(long trackId, String why) {
        return new InvalidSubtitlesException("UnsupportedTrack", "subtitle track " + trackId + " of the source has " + why);
    }
}
