package dev.fanout.encoder.source;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link SourceServer} shows of its object: all of it, or all of it but one run of whole
 * top-level boxes, which it serves as a single {@code free} box of the same length. Offsets do not
 * move, so every absolute offset in the file (stco, tfhd base-data-offset) stays true, and the mov
 * demuxer skips the box by its size ("free" space, ISO/IEC 14496-12 §8.1.2: its contents are
 * irrelevant and may be ignored) — one seek, no read of what it hides. The probe uses it to show
 * ffprobe a fragmented MP4's header and first fragment, and the tail check its last fragments,
 * without ffmpeg walking every moof of the file (which costs a dropped connection per fragment).
 *
 * @param holeStart first byte hidden (a box start), or -1 for the whole object
 * @param holeEnd   first byte shown again (a box start or the end of the object)
 */
public record SourceView(long holeStart, long holeEnd) {
    public static final SourceView WHOLE = new SourceView(-1, -1);

    public SourceView {
        if (holeStart >= 0 && holeEnd - holeStart < 8) {
            throw new IllegalArgumentException("a hidden run must hold at least a box header: " + holeStart + "–" + holeEnd);
        }
    }

    /** The object without bytes {@code [from, to)}; the whole object when that run is empty. */
    public static SourceView hiding(long from, long to) {
        return to - from < 8 ? WHOLE : new SourceView(from, to);
    }

    public boolean whole() { return holeStart < 0; }

    /** Bytes of the source this view never serves. */
    public long hiddenBytes() { return whole() ? 0 : holeEnd - holeStart; }

    /** A stretch of a requested range: read from the object, or made up (the free box). */
    record Piece(long first, long last, boolean hidden) {
        long length() { return last - first + 1; }
    }

    /** Bytes {@code first..last} (inclusive) split into what is read and what is made up. */
    List<Piece> pieces(long first, long last) {
        List<Piece> pieces = new ArrayList<>();
        long at = first;
        while (at <= last) {
            boolean hidden = !whole() && at >= holeStart && at < holeEnd;
            long end = hidden ? Math.min(last, holeEnd - 1)
                    : !whole() && at < holeStart ? Math.min(last, holeStart - 1) : last;
            pieces.add(new Piece(at, end, hidden));
            at = end + 1;
        }
        return pieces;
    }

    /**
     * The made-up bytes {@code [from, from + length)} of the hidden run: the box header (a 64-bit
     * size when the run is 4 GiB or more), then zeros.
     */
    byte[] hiddenBytes(long from, int length) {
        long size = holeEnd - holeStart;
        ByteBuffer header = ByteBuffer.allocate(16);
        if (size <= 0xffffffffL) {
            header.putInt((int) size).put("free".getBytes(StandardCharsets.ISO_8859_1));
        } else {
            header.putInt(1).put("free".getBytes(StandardCharsets.ISO_8859_1)).putLong(size);
        }
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            long inRun = from - holeStart + i;
            if (inRun < header.position()) out[i] = header.get((int) inRun);
        }
        return out;
    }
}
