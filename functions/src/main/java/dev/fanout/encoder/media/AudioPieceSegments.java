package dev.fanout.encoder.media;

import dev.fanout.encoder.model.SegmentOutput;
import dev.fanout.encoder.plan.AudioPieces;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * What is particular to an audio piece when {@link TrackSegmenter} turns its cut (fragments with
 * the joined track's decode times) into its init and numbered media segments: the checks against
 * the plan, and two header fields that are rewritten (media bytes are copied by range, as for the
 * video):
 * <ul>
 *   <li>the init's edit list: ffmpeg's fragmenting muxer with {@code frag_discont} writes media
 *       time 0 for every piece; the joined track starts with piece 0's priming frame, so the edit
 *       starts at {@link AudioPieces#PRIMING_SAMPLES}, as a single-pass encode's init says (the
 *       resulting init is the same for every piece);</li>
 *   <li>each segment's {@code sidx} earliest presentation time (and the first one's duration): the
 *       muxer wrote decode times; with that edit a segment is presented 1024 samples earlier and
 *       the priming frame not at all, which is what {@link SegmentOutput} records too.</li>
 * </ul>
 */
public final class AudioPieceSegments {
    private AudioPieceSegments() {}

    /** Largest init we accept: ffmpeg writes about 800 bytes for one AAC track. */
    private static final int MAX_INIT_BYTES = 64 * 1024;

    /** How {@link TrackSegmenter} checks and cuts piece {@code piece} of the plan's audio. */
    public static TrackSegmenter.Rules rules(AudioPieces pieces, AudioPieces.Piece piece) {
        return new TrackSegmenter.Rules() {
            @Override public String where() { return "audio piece " + piece.index(); }
            @Override public void check(FragmentedMp4 mp4) throws IOException { AudioPieceSegments.check(mp4, pieces, piece); }
            @Override public List<FragmentedMp4.Fragment> segments(FragmentedMp4 mp4) {
                // the plan decided whether the tail joins (so every piece knows its numbers before any is encoded)
                return mp4.segmentsJoiningShortTail(pieces.joinsTail(piece.index()) ? Long.MAX_VALUE : 0);
            }
            @Override public int firstSegmentNumber() { return piece.firstSegmentNumber(); }
            @Override public int segmentCount() { return piece.segmentCount(); }
            @Override public long presentationOffset(FragmentedMp4 mp4) { return AudioPieces.PRIMING_SAMPLES; }
            @Override public long expectedStart(int number, long timescale) { // checked: the output rate
                long decodeTime = piece.firstDecodeTime() + (long) (number - piece.firstSegmentNumber()) * pieces.framesPerSegment() * AudioPieces.AAC_FRAME;
                return Math.max(0, decodeTime - AudioPieces.PRIMING_SAMPLES);
            }
            @Override public void writeInit(Path file, FragmentedMp4 mp4, Path target) throws IOException { AudioPieceSegments.writeInit(file, mp4, target); }
            @Override public boolean hidesMediaBeforeZero() { return true; } // the track's priming frame is not presented
            @Override public void finishSegment(Path segment) throws IOException { presentSidx(segment, AudioPieces.PRIMING_SAMPLES); }
        };
    }

    /** The cut must be exactly the planned packets at the planned times, in whole fragments of one segment. */
    private static void check(FragmentedMp4 mp4, AudioPieces pieces, AudioPieces.Piece piece) throws IOException {
        if (mp4.timescale() != pieces.sampleRate()) throw bad(piece, "has timescale " + mp4.timescale() + ", not " + pieces.sampleRate());
        if (mp4.editMediaTime() != 0) throw bad(piece, "starts its edit at " + mp4.editMediaTime() + ", not 0");
        List<FragmentedMp4.Fragment> fs = mp4.fragments();
        if (fs.isEmpty()) throw bad(piece, "has no samples");
        long packets = fs.stream().mapToLong(FragmentedMp4.Fragment::sampleCount).sum();
        if (packets != piece.expectedPackets()) throw bad(piece, "has " + packets + " AAC frames; the plan expects " + piece.expectedPackets());
        if (fs.get(0).baseDecodeTime() != piece.firstDecodeTime()) {
            throw bad(piece, "starts at decode time " + fs.get(0).baseDecodeTime() + "; the plan expects " + piece.firstDecodeTime());
        }
        for (int i = 0; i < fs.size(); i++) {
            FragmentedMp4.Fragment f = fs.get(i);
            long expected = (long) f.sampleCount() * AudioPieces.AAC_FRAME;
            // the track's last packet carries only what is left of the video's duration
            if (piece.last() && i == fs.size() - 1) expected -= AudioPieces.AAC_FRAME - pieces.lastPacketSamples();
            if (f.duration() != expected) throw bad(piece, "fragment " + i + " lasts " + f.duration() + " samples, not " + expected);
            if (i < fs.size() - 1) {
                if (f.sampleCount() != pieces.framesPerSegment()) throw bad(piece, "fragment " + i + " has " + f.sampleCount() + " frames, not " + pieces.framesPerSegment());
                if (f.baseDecodeTime() + f.duration() != fs.get(i + 1).baseDecodeTime()) throw bad(piece, "has a gap after fragment " + i);
            }
        }
    }

    /** The init part of the cut, with its single edit starting at the track's priming. */
    private static void writeInit(Path cutFile, FragmentedMp4 mp4, Path target) throws IOException {
        if (mp4.initLength() > MAX_INIT_BYTES) throw new FragmentedMp4.MalformedMp4Exception("init of " + mp4.initLength() + " bytes");
        ByteBuffer init = ByteBuffer.allocate((int) mp4.initLength());
        try (FileChannel in = FileChannel.open(cutFile, StandardOpenOption.READ)) {
            while (init.hasRemaining() && in.read(init, init.position()) > 0) { /* fill */ }
        }
        int elst = findBox(init, 0, init.capacity(), "moov", "trak", "edts", "elst");
        if (elst < 0) throw new FragmentedMp4.MalformedMp4Exception("audio init without an edit list");
        int version = init.get(elst + 8) & 0xff;
        int entries = init.getInt(elst + 12);
        if (entries != 1) throw new FragmentedMp4.MalformedMp4Exception("audio edit list has " + entries + " entries, not 1");
        // entry: segment_duration, media_time (32 or 64 bit), media_rate
        if (version == 1) init.putLong(elst + 16 + 8, AudioPieces.PRIMING_SAMPLES);
        else init.putInt(elst + 16 + 4, AudioPieces.PRIMING_SAMPLES);
        Files.write(target, init.array());
    }

    /**
     * Rewrites every top-level {@code sidx} of a segment file from decode time to presentation time
     * under an edit starting at {@code editMediaTime}: earlier by that much, and a first reference
     * that would start before 0 starts at 0 and is shorter by the difference.
     */
    static void presentSidx(Path segment, long editMediaTime) throws IOException {
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long pos = 0;
            long size = ch.size();
            while (pos + 8 <= size) {
                ByteBuffer hdr = ByteBuffer.allocate(8);
                ch.read(hdr, pos);
                long boxSize = Integer.toUnsignedLong(hdr.getInt(0));
                String type = new String(hdr.array(), 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
                if (boxSize < 8 || pos + boxSize > size) throw new FragmentedMp4.MalformedMp4Exception("box '" + type + "' at " + pos + " overruns the segment");
                if (type.equals("sidx")) {
                    if (boxSize > 4096) throw new FragmentedMp4.MalformedMp4Exception("sidx of " + boxSize + " bytes");
                    ByteBuffer sidx = ByteBuffer.allocate((int) boxSize);
                    ch.read(sidx, pos);
                    patchSidx(sidx, editMediaTime);
                    sidx.rewind();
                    ch.write(sidx, pos);
                }
                pos += boxSize;
            }
        }
    }

    /** ISO/IEC 14496-12 8.16.3: version, flags, reference_ID, timescale, earliest_presentation_time, first_offset, reserved, reference_count, references. */
    private static void patchSidx(ByteBuffer sidx, long editMediaTime) throws IOException {
        int version = sidx.get(8) & 0xff;
        int eptAt = 20;
        long ept = version == 1 ? sidx.getLong(eptAt) : Integer.toUnsignedLong(sidx.getInt(eptAt));
        int countAt = version == 1 ? 38 : 30;
        int firstRef = countAt + 2;
        if ((sidx.getShort(countAt) & 0xffff) < 1 || sidx.capacity() < firstRef + 12) throw new FragmentedMp4.MalformedMp4Exception("sidx without references");
        long presented = ept - editMediaTime;
        long clip = presented < 0 ? -presented : 0;
        long newEpt = presented + clip;
        if (version == 1) sidx.putLong(eptAt, newEpt);
        else sidx.putInt(eptAt, (int) newEpt);
        if (clip > 0) {
            int durAt = firstRef + 4; // after reference_type/referenced_size
            long dur = Integer.toUnsignedLong(sidx.getInt(durAt));
            if (dur <= clip) throw new FragmentedMp4.MalformedMp4Exception("first sidx reference shorter than the edit");
            sidx.putInt(durAt, (int) (dur - clip));
        }
    }

    /** Offset of the box reached by the path of types below [from, to), or -1. */
    private static int findBox(ByteBuffer b, int from, int to, String... path) {
        int pos = from;
        while (pos + 8 <= to) {
            long size = Integer.toUnsignedLong(b.getInt(pos));
            if (size < 8 || pos + size > to) return -1;
            String type = new String(b.array(), pos + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (type.equals(path[0])) {
                if (path.length == 1) return pos;
                int found = findBox(b, pos + 8, (int) (pos + size), java.util.Arrays.copyOfRange(path, 1, path.length));
                if (found >= 0) return found;
            }
            pos += (int) size;
        }
        return -1;
    }

    private static FragmentedMp4.MalformedMp4Exception bad(AudioPieces.Piece piece, String what) {
        return new FragmentedMp4.MalformedMp4Exception("audio piece " + piece.index() + " " + what);
    }
}
