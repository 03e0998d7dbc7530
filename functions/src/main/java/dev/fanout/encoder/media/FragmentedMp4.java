package dev.fanout.encoder.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The structure of a fragmented MP4 as ffmpeg writes it for one track: an init part
 * ({@code ftyp moov}) followed by media fragments ({@code [sidx] moof mdat}). Only box headers,
 * {@code moov} and {@code moof} are read; media data is never loaded.
 *
 * @param initLength      bytes [0, initLength) are the init segment
 * @param timescale       track timescale (mdhd)
 * @param editMediaTime   media time of the single edit-list entry (0 if none): presentation = dts + cts - this
 * @param codecs          RFC 6381 codecs string (avc1.PPCCLL, hvc1.…, av01.…, or mp4a.40.N; {@link CodecStrings})
 * @param fragments       media fragments in file order
 */
public record FragmentedMp4(long initLength, long timescale, long editMediaTime, String codecs,
                            int width, int height, int sampleRate, int channels, List<Fragment> fragments) {

    /**
     * @param offset                 first byte of the group (its sidx, or moof)
     * @param length                 bytes up to the end of the mdat
     * @param baseDecodeTime         tfdt
     * @param duration               sum of sample durations
     * @param earliestCompositionTime min over samples of (decode time + composition offset), before the edit list
     */
    public record Fragment(long offset, long length, long baseDecodeTime, long duration,
                           long earliestCompositionTime, int sampleCount) {}

    /**
     * The fragments as media segments, with a last fragment shorter than {@code minTailDuration}
     * joined to the one before it (one segment of two fragments). The audio encoder cuts a
     * fragment at the first AAC frame past each segment length, so its track can end with a
     * sliver of a few milliseconds: a request of its own for next to nothing.
     */
    public List<Fragment> segmentsJoiningShortTail(long minTailDuration) {
        int n = fragments.size();
        if (n < 2) return fragments;
        Fragment before = fragments.get(n - 2);
        Fragment last = fragments.get(n - 1);
        if (last.duration() >= minTailDuration || before.offset() + before.length() != last.offset()) return fragments;
        List<Fragment> out = new java.util.ArrayList<>(fragments.subList(0, n - 2));
        out.add(new Fragment(before.offset(), before.length() + last.length(), before.baseDecodeTime(),
                before.duration() + last.duration(), before.earliestCompositionTime(), before.sampleCount() + last.sampleCount()));
        return List.copyOf(out);
    }

    /** Thrown when the bytes are not the fragmented MP4 we expect. */
    public static final class MalformedMp4Exception extends IOException {
        public MalformedMp4Exception(String message) { super(message); }
    }

    public static FragmentedMp4 read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return new Reader(ch).read();
        }
    }

    private static final class Reader {
        private final FileChannel ch;
        private long initLength = -1;
        private long timescale;
        private long editMediaTime;
        private String codecs = "";
        private int width, height, sampleRate, channels;
        private long trexDefaultDuration;
        private final List<Fragment> fragments = new ArrayList<>();

        Reader(FileChannel ch) { this.ch = ch; }

        FragmentedMp4 read() throws IOException {
            long size = ch.size();
            long pos = 0;
            long groupStart = -1;
            long[] moofInfo = null; // baseDecodeTime, duration, earliest, sampleCount
            boolean sawMoov = false;
            while (pos < size) {
                ByteBuffer hdr = readAt(pos, (int) Math.min(16, size - pos));
                if (hdr.remaining() < 8) throw new MalformedMp4Exception("truncated box header at " + pos);
                long boxSize = Integer.toUnsignedLong(hdr.getInt());
                String type = fourcc(hdr.getInt());
                int headerLen = 8;
                if (boxSize == 1) { boxSize = hdr.getLong(); headerLen = 16; }
                else if (boxSize == 0) boxSize = size - pos;
                if (boxSize < headerLen || pos + boxSize > size) {
                    throw new MalformedMp4Exception("box '" + type + "' at " + pos + " overruns the file");
                }
                switch (type) {
                    case "moov" -> {
                        parseMoov(readAt(pos + headerLen, (int) (boxSize - headerLen)));
                        initLength = pos + boxSize;
                        sawMoov = true;
                    }
                    case "styp", "sidx" -> { if (groupStart < 0) groupStart = pos; }
                    case "moof" -> {
                        if (groupStart < 0) groupStart = pos;
                        moofInfo = parseMoof(readAt(pos + headerLen, (int) (boxSize - headerLen)));
                    }
                    case "mdat" -> {
                        if (moofInfo != null) {
                            fragments.add(new Fragment(groupStart, pos + boxSize - groupStart, moofInfo[0], moofInfo[1], moofInfo[2], (int) moofInfo[3]));
                        }
                        groupStart = -1;
                        moofInfo = null;
                    }
                    default -> { /* ftyp, free, udta, mfra...: not part of a media segment */ }
                }
                pos += boxSize;
            }
            if (!sawMoov) throw new MalformedMp4Exception("no moov box");
            if (timescale <= 0) throw new MalformedMp4Exception("no track timescale");
            return new FragmentedMp4(initLength, timescale, editMediaTime, codecs, width, height, sampleRate, channels, List.copyOf(fragments));
        }

        private ByteBuffer readAt(long pos, int len) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(len);
            while (b.hasRemaining()) {
                if (ch.read(b, pos + b.position()) < 0) break;
            }
            return b.flip();
        }

        private void parseMoov(ByteBuffer moov) throws MalformedMp4Exception {
            forEachChild(moov, (type, body) -> {
                switch (type) {
                    case "trak" -> parseContainer(body);
                    case "mvex" -> forEachChild(body, (t, b) -> {
                        if (t.equals("trex")) { b.getInt(); b.getInt(); b.getInt(); trexDefaultDuration = Integer.toUnsignedLong(b.getInt()); }
                    });
                    default -> { }
                }
            });
        }

        /** trak/mdia/minf/stbl/edts and their leaves. */
        private void parseContainer(ByteBuffer box) throws MalformedMp4Exception {
            forEachChild(box, (type, body) -> {
                switch (type) {
                    case "mdia", "minf", "stbl", "edts" -> parseContainer(body);
                    case "mdhd" -> {
                        int version = body.get() & 0xff;
                        body.position(body.position() + 3 + (version == 1 ? 16 : 8));
                        timescale = Integer.toUnsignedLong(body.getInt());
                    }
                    case "elst" -> {
                        int version = body.get() & 0xff;
                        body.position(body.position() + 3);
                        long entries = Integer.toUnsignedLong(body.getInt());
                        if (entries > 0) {
                            if (version == 1) { body.getLong(); editMediaTime = body.getLong(); }
                            else { body.getInt(); editMediaTime = body.getInt(); }
                            if (editMediaTime < 0) editMediaTime = 0; // an empty edit: no shift of media time
                        }
                    }
                    case "stsd" -> parseStsd(body);
                    default -> { }
                }
            });
        }

        private void parseStsd(ByteBuffer body) throws MalformedMp4Exception {
            body.position(body.position() + 8); // version/flags, entry count
            forEachChild(body, (type, entry) -> {
                switch (type) {
                    case "avc1", "avc3", "hvc1", "hev1", "av01" -> {
                        // VisualSampleEntry (ISO/IEC 14496-12 12.1.3): width and height at offset 24, 78 bytes before its boxes
                        entry.position(entry.position() + 24);
                        width = entry.getShort() & 0xffff;
                        height = entry.getShort() & 0xffff;
                        entry.position(entry.position() + 50);
                        codecs = type; // until its configuration box says more
                        forEachChild(entry, (t, b) -> {
                            switch (t) {
                                case "avcC" -> { if (b.remaining() >= 4) codecs = CodecStrings.avc(type, b); }
                                case "hvcC" -> { if (b.remaining() >= 13) codecs = CodecStrings.hevc(type, b); }
                                case "av1C" -> { if (b.remaining() >= 3) codecs = CodecStrings.av1(type, b); }
                                default -> { }
                            }
                        });
                    }
                    case "mp4a" -> {
                        entry.position(entry.position() + 16);
                        channels = entry.getShort() & 0xffff;
                        entry.position(entry.position() + 6);
                        sampleRate = (entry.getInt() >>> 16);
                        // The sample entry's channelcount is a template value in MP4 (ffmpeg writes 2
                        // for any AAC track): the AudioSpecificConfig says how many there are.
                        int[] config = audioSpecificConfig(entry);
                        codecs = "mp4a.40." + config[0];
                        if (config[1] > 0) channels = config[1];
                    }
                    default -> codecs = type;
                }
            });
        }

        /**
         * Finds the AudioSpecificConfig (descriptor tag 5) inside esds: its object type (2 if none
         * is found) and its channel count (0 if it does not say: channelConfiguration 0, or none found).
         */
        private static int[] audioSpecificConfig(ByteBuffer entry) {
            byte[] rest = new byte[entry.remaining()];
            entry.get(rest);
            for (int i = 0; i + 2 < rest.length; i++) {
                if (rest[i] == 0x05) {
                    int j = i + 1;
                    int len = 0;
                    for (int k = 0; k < 4 && j < rest.length; k++) {
                        int b = rest[j++] & 0xff;
                        len = (len << 7) | (b & 0x7f);
                        if ((b & 0x80) == 0) break;
                    }
                    if (len >= 2 && j + 1 < rest.length) {
                        int aot = (rest[j] & 0xff) >>> 3;
                        if (aot > 0 && aot < 31) return new int[]{aot, channelCount(rest, j)};
                    }
                }
            }
            return new int[]{2, 0};
        }

        /**
         * ISO/IEC 14496-3 1.6.2.1: 5 bits object type, 4 bits sampling frequency index (15: 24 more
         * bits of rate follow), 4 bits channelConfiguration; 1..6 are that many channels, 7 is 7.1.
         */
        private static int channelCount(byte[] b, int at) {
            int frequencyIndex = ((b[at] & 0x07) << 1) | ((b[at + 1] & 0xff) >>> 7);
            int bit = 5 + 4 + (frequencyIndex == 15 ? 24 : 0);
            int byteIndex = at + bit / 8;
            if (byteIndex + 1 >= b.length) return 0;
            int twoBytes = ((b[byteIndex] & 0xff) << 8) | (b[byteIndex + 1] & 0xff);
            int config = (twoBytes >>> (16 - bit % 8 - 4)) & 0x0f;
            return config >= 1 && config <= 6 ? config : config == 7 ? 8 : 0;
        }

        private long[] parseMoof(ByteBuffer moof) throws MalformedMp4Exception {
            long[] info = {Long.MIN_VALUE, 0, Long.MAX_VALUE, 0};
            forEachChild(moof, (type, traf) -> {
                if (!type.equals("traf")) return;
                long[] defaultDuration = {trexDefaultDuration};
                forEachChild(traf, (t, b) -> {
                    switch (t) {
                        case "tfhd" -> {
                            int flags = b.getInt() & 0xffffff;
                            b.getInt(); // track id
                            if ((flags & 0x1) != 0) b.getLong();
                            if ((flags & 0x2) != 0) b.getInt();
                            if ((flags & 0x8) != 0) defaultDuration[0] = Integer.toUnsignedLong(b.getInt());
                        }
                        case "tfdt" -> {
                            int version = b.get() & 0xff;
                            b.position(b.position() + 3);
                            info[0] = version == 1 ? b.getLong() : Integer.toUnsignedLong(b.getInt());
                        }
                        case "trun" -> {
                            if (info[0] == Long.MIN_VALUE) throw new MalformedMp4Exception("trun before tfdt");
                            int vf = b.getInt();
                            int version = vf >>> 24;
                            int flags = vf & 0xffffff;
                            long count = Integer.toUnsignedLong(b.getInt());
                            if ((flags & 0x1) != 0) b.getInt();
                            if ((flags & 0x4) != 0) b.getInt();
                            long dts = info[0] + info[1];
                            for (long i = 0; i < count; i++) {
                                long dur = (flags & 0x100) != 0 ? Integer.toUnsignedLong(b.getInt()) : defaultDuration[0];
                                if ((flags & 0x200) != 0) b.getInt();
                                if ((flags & 0x400) != 0) b.getInt();
                                long cts = 0;
                                if ((flags & 0x800) != 0) cts = version == 0 ? Integer.toUnsignedLong(b.getInt()) : b.getInt();
                                info[2] = Math.min(info[2], dts + cts);
                                dts += dur;
                                info[1] += dur;
                            }
                            info[3] += count;
                        }
                        default -> { }
                    }
                });
            });
            if (info[0] == Long.MIN_VALUE) throw new MalformedMp4Exception("moof without tfdt");
            if (info[3] == 0) info[2] = info[0];
            return info;
        }

        @FunctionalInterface
        private interface ChildVisitor { void visit(String type, ByteBuffer body) throws MalformedMp4Exception; }

        private static void forEachChild(ByteBuffer parent, ChildVisitor visitor) throws MalformedMp4Exception {
            Mp4Box.forEachChild(parent, visitor::visit);
        }

        private static String fourcc(int v) {
            return new String(new byte[]{(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v}, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }
}
