package dev.fanout.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small ISO BMFF reader of the test's own, so the output checks never judge the product with
 * its own parser ({@code FragmentedMp4}): the track timescale and edit-list shift of an init
 * segment, and each fragment's {@code tfdt} and {@code trun} sample timing of a media segment.
 * Test files are a few hundred KB, so they are read whole.
 */
final class Mp4Boxes {
    private Mp4Boxes() {}

    // trun flags (ISO/IEC 14496-12, 8.8.8)
    private static final int TRUN_DATA_OFFSET = 0x1;
    private static final int TRUN_FIRST_SAMPLE_FLAGS = 0x4;
    private static final int TRUN_SAMPLE_DURATION = 0x100;
    private static final int TRUN_SAMPLE_SIZE = 0x200;
    private static final int TRUN_SAMPLE_FLAGS = 0x400;
    private static final int TRUN_SAMPLE_CTS = 0x800;
    // tfhd flags (8.8.7)
    private static final int TFHD_BASE_DATA_OFFSET = 0x1;
    private static final int TFHD_SAMPLE_DESCRIPTION = 0x2;
    private static final int TFHD_DEFAULT_DURATION = 0x8;
    private static final int TFHD_DEFAULT_SIZE = 0x10;

    /** What an init segment says about time and samples: mdhd timescale, the edit's media time, trex default sample duration and size. */
    record Init(long timescale, long editMediaTime, long defaultSampleDuration, long defaultSampleSize) {}

    /** One sample of a fragment: decode time, duration, composition offset (track timescale), and where its bytes are in the file. */
    record Sample(long decodeTime, long duration, long compositionOffset, long offset, int size) {}

    /** The samples of a media segment, in decode order, over all its fragments. */
    record Segment(long firstDecodeTime, List<Sample> samples) {
        long duration() { return samples.stream().mapToLong(Sample::duration).sum(); }

        /** Earliest presentation time in track time: min(decode + composition offset) minus the edit's media time. */
        long earliestPresentation(Init init) {
            return samples.stream().mapToLong(s -> s.decodeTime() + s.compositionOffset()).min().orElse(firstDecodeTime) - init.editMediaTime();
        }
    }

    static Init readInit(Path file) throws IOException {
        ByteBuffer moov = child(ByteBuffer.wrap(Files.readAllBytes(file)), "moov", file);
        ByteBuffer trak = child(moov, "trak", file);
        ByteBuffer mdhd = child(child(trak, "mdia", file), "mdhd", file);
        int version = mdhd.get() & 0xff;
        mdhd.position(mdhd.position() + 3 + (version == 1 ? 16 : 8));
        long timescale = Integer.toUnsignedLong(mdhd.getInt());
        long editMediaTime = 0;
        ByteBuffer edts = childOrNull(trak, "edts");
        ByteBuffer elst = edts == null ? null : childOrNull(edts, "elst");
        if (elst != null) {
            int v = elst.get() & 0xff;
            elst.position(elst.position() + 3);
            if (elst.getInt() > 0) {
                if (v == 1) { elst.getLong(); editMediaTime = elst.getLong(); } else { elst.getInt(); editMediaTime = elst.getInt(); }
                if (editMediaTime < 0) editMediaTime = 0; // an empty edit shifts nothing
            }
        }
        long trexDuration = 0, trexSize = 0;
        ByteBuffer mvex = childOrNull(moov, "mvex");
        ByteBuffer trex = mvex == null ? null : childOrNull(mvex, "trex");
        if (trex != null) {
            trex.position(trex.position() + 12); // version/flags, track id, sample description index
            trexDuration = Integer.toUnsignedLong(trex.getInt());
            trexSize = Integer.toUnsignedLong(trex.getInt());
        }
        return new Init(timescale, editMediaTime, trexDuration, trexSize);
    }

    static Segment readSegment(Path file, Init init) throws IOException {
        ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(file));
        List<Sample> samples = new ArrayList<>();
        long first = Long.MIN_VALUE;
        for (ByteBuffer moof : children(all, "moof")) {
            long moofStart = moof.arrayOffset() - 8; // the data offsets count from the moof box (default-base-is-moof, or ffmpeg's single traf)
            for (ByteBuffer traf : children(moof, "traf")) {
                ByteBuffer tfhd = child(traf, "tfhd", file);
                int tfhdFlags = tfhd.getInt() & 0xffffff;
                tfhd.getInt();
                if ((tfhdFlags & TFHD_BASE_DATA_OFFSET) != 0) tfhd.getLong();
                if ((tfhdFlags & TFHD_SAMPLE_DESCRIPTION) != 0) tfhd.getInt();
                long defaultDuration = (tfhdFlags & TFHD_DEFAULT_DURATION) != 0 ? Integer.toUnsignedLong(tfhd.getInt()) : init.defaultSampleDuration();
                // A trun without per-sample sizes takes them from here (8.8.7, 8.8.8). ffmpeg writes that
                // whenever a fragment's samples are all one size: a silent audio piece's fragment (every
                // AAC frame 6 bytes) or a joined tail of one frame. Reading those sizes as 0 turned such
                // fragments into empty ADTS frames the decoder drops, and every later beep came early.
                long defaultSize = (tfhdFlags & TFHD_DEFAULT_SIZE) != 0 ? Integer.toUnsignedLong(tfhd.getInt()) : init.defaultSampleSize();
                ByteBuffer tfdt = child(traf, "tfdt", file);
                int v = tfdt.get() & 0xff;
                tfdt.position(tfdt.position() + 3);
                long dts = v == 1 ? tfdt.getLong() : Integer.toUnsignedLong(tfdt.getInt());
                if (first == Long.MIN_VALUE) first = dts;
                for (ByteBuffer trun : children(traf, "trun")) {
                    int vf = trun.getInt();
                    int flags = vf & 0xffffff;
                    long count = Integer.toUnsignedLong(trun.getInt());
                    long dataAt = moofStart + ((flags & TRUN_DATA_OFFSET) != 0 ? trun.getInt() : 0);
                    if ((flags & TRUN_FIRST_SAMPLE_FLAGS) != 0) trun.getInt();
                    for (long i = 0; i < count; i++) {
                        long dur = (flags & TRUN_SAMPLE_DURATION) != 0 ? Integer.toUnsignedLong(trun.getInt()) : defaultDuration;
                        int size = (flags & TRUN_SAMPLE_SIZE) != 0 ? trun.getInt() : Math.toIntExact(defaultSize);
                        if (size <= 0) throw new IOException(file + ": a sample with no size (trun, tfhd and trex give none)");
                        if ((flags & TRUN_SAMPLE_FLAGS) != 0) trun.getInt();
                        long cts = (flags & TRUN_SAMPLE_CTS) == 0 ? 0 : (vf >>> 24) == 0 ? Integer.toUnsignedLong(trun.getInt()) : trun.getInt();
                        samples.add(new Sample(dts, dur, cts, dataAt, size));
                        dataAt += size;
                        dts += dur;
                    }
                }
            }
        }
        if (first == Long.MIN_VALUE) throw new IOException(file + ": no moof with a tfdt");
        return new Segment(first, List.copyOf(samples));
    }

    /**
     * The AAC frames of a track's segments, each with an ADTS header (AAC-LC, 48 kHz, stereo: what
     * the pipeline promises), in one raw stream a decoder reads without any container timing: the
     * k-th decoded 1024-sample frame is then the k-th sample of the track, and its time is the
     * boxes' own (first tfdt plus the durations before it). Fails when a segment does not start
     * where the one before it ended, since the stream would then have no single clock.
     *
     * @return the decode time (track timescale) of the first frame
     */
    static long writeAdts(Init init, List<Path> segments, Path target) throws IOException {
        long first = Long.MIN_VALUE, next = Long.MIN_VALUE;
        try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(target))) {
            for (Path seg : segments) {
                Segment s = readSegment(seg, init);
                if (first == Long.MIN_VALUE) first = s.firstDecodeTime();
                else if (s.firstDecodeTime() != next) throw new IOException(seg + " starts at " + s.firstDecodeTime() + ", the one before ended at " + next);
                next = s.firstDecodeTime() + s.duration();
                byte[] bytes = Files.readAllBytes(seg);
                for (Sample x : s.samples()) {
                    int len = x.size() + 7;
                    // ADTS (ISO/IEC 13818-7 / 14496-3): sync, MPEG-4, no CRC; profile LC (1), 48 kHz (index 3), 2 channels; frame length; fullness 0x7FF
                    out.write(new byte[]{(byte) 0xFF, (byte) 0xF1, (byte) ((1 << 6) | (3 << 2)), (byte) ((2 << 6) | (len >> 11)),
                            (byte) (len >> 3), (byte) (((len & 7) << 5) | 0x1F), (byte) 0xFC});
                    out.write(bytes, (int) x.offset(), x.size());
                }
            }
        }
        return first;
    }

    private static ByteBuffer child(ByteBuffer parent, String type, Path file) throws IOException {
        ByteBuffer b = childOrNull(parent, type);
        if (b == null) throw new IOException(file + ": no '" + type + "' box");
        return b;
    }

    private static ByteBuffer childOrNull(ByteBuffer parent, String type) {
        List<ByteBuffer> c = children(parent, type);
        return c.isEmpty() ? null : c.get(0);
    }

    /** Bodies of the direct children of a box body (or a file) that have the given type. */
    private static List<ByteBuffer> children(ByteBuffer parent, String type) {
        List<ByteBuffer> out = new ArrayList<>();
        ByteBuffer p = parent.slice();
        while (p.remaining() >= 8) {
            int start = p.position();
            long size = Integer.toUnsignedLong(p.getInt());
            byte[] t = new byte[4];
            p.get(t);
            int header = 8;
            if (size == 1) { size = p.getLong(); header = 16; } else if (size == 0) size = p.limit() - start;
            if (size < header || start + size > p.limit()) throw new IllegalStateException("box '" + new String(t, StandardCharsets.ISO_8859_1) + "' overruns its parent");
            if (new String(t, StandardCharsets.ISO_8859_1).equals(type)) out.add(p.slice(start + header, (int) size - header));
            p.position((int) (start + size));
        }
        return out;
    }
}
