package dev.fanout.encoder.media;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One ISO BMFF box header read from bytes (ISO/IEC 14496-12 §4.2: a 32-bit size, a four-character
 * type, a 64-bit size when the 32-bit one is 1, "to the end" when it is 0), and a walk over the
 * children of a box held in memory. Pure: shared by the local-file reader ({@link FragmentedMp4})
 * and the ranged fragment index ({@link FragmentIndex}).
 *
 * @param type         four-character code
 * @param offset       where the box starts (in the file, or in its parent's bytes)
 * @param size         whole box, header included
 * @param headerLength 8, or 16 with a 64-bit size
 */
public record Mp4Box(String type, long offset, long size, int headerLength) {

    /** Where the box's body begins. */
    public long bodyOffset() { return offset + headerLength; }

    public long end() { return offset + size; }

    /** The smallest number of bytes that always hold a box header. */
    public static final int MAX_HEADER_BYTES = 16;

    /**
     * The header at {@code buffer}'s position (which is at {@code offset} of the whole), for a box
     * that must end by {@code limit}. Null when fewer bytes than the header needs are left.
     */
    public static Mp4Box header(ByteBuffer buffer, long offset, long limit) throws FragmentedMp4.MalformedMp4Exception {
        ByteBuffer b = buffer.slice();
        if (b.remaining() < 8) return null;
        long size = Integer.toUnsignedLong(b.getInt());
        String type = fourcc(b.getInt());
        int headerLength = 8;
        if (size == 1) {
            if (b.remaining() < 8) return null;
            size = b.getLong();
            headerLength = 16;
        } else if (size == 0) {
            size = limit - offset;
        }
        if (size < headerLength || size > limit - offset) {
            throw new FragmentedMp4.MalformedMp4Exception("box '" + printable(type) + "' at " + offset + " of " + size
                    + " bytes overruns its container, which ends at " + limit);
        }
        return new Mp4Box(type, offset, size, headerLength);
    }

    /** Calls {@code visitor} with each child box of {@code parent} (a body in memory) and the child's body. */
    public static void forEachChild(ByteBuffer parent, ChildVisitor visitor) throws FragmentedMp4.MalformedMp4Exception {
        ByteBuffer p = parent.slice();
        int at = 0;
        while (p.limit() - at >= 8) {
            Mp4Box box = header(p.slice(at, p.limit() - at), at, p.limit());
            if (box == null) return;
            ByteBuffer body = p.slice((int) box.bodyOffset(), (int) (box.size() - box.headerLength()));
            try {
                visitor.visit(box.type(), body);
            } catch (BufferUnderflowException e) {
                throw new FragmentedMp4.MalformedMp4Exception("box '" + printable(box.type()) + "' is shorter than its fields");
            }
            at = (int) box.end();
        }
    }

    @FunctionalInterface
    public interface ChildVisitor { void visit(String type, ByteBuffer body) throws FragmentedMp4.MalformedMp4Exception; }

    static String fourcc(int v) {
        return new String(new byte[]{(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v}, StandardCharsets.ISO_8859_1);
    }

    /** A box type as text fit for an error message (crafted files put anything there). */
    static String printable(String type) {
        StringBuilder sb = new StringBuilder();
        for (char c : type.toCharArray()) sb.append(c >= 32 && c < 127 ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        return sb.toString();
    }
}
