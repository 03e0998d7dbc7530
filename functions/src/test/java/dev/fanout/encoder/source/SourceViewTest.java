package dev.fanout.encoder.source;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The free box a view serves in place of hidden boxes: a header the mov demuxer skips by, and pieces that never read it. */
class SourceViewTest {
    @Test
    void aHiddenRunIsOneFreeBoxOfItsLength() {
        SourceView v = SourceView.hiding(1000, 5000);
        byte[] head = v.hiddenBytes(1000, 12);
        ByteBuffer b = ByteBuffer.wrap(head);
        assertEquals(4000, b.getInt());
        assertEquals("free", new String(head, 4, 4, StandardCharsets.ISO_8859_1));
        assertArrayEquals(new byte[4], java.util.Arrays.copyOfRange(head, 8, 12), "zeros after the header");
    }

    @Test
    void aRunOf4GiBOrMoreHasA64BitSize() {
        long size = 5L << 30;
        byte[] head = SourceView.hiding(100, 100 + size).hiddenBytes(100, 16);
        ByteBuffer b = ByteBuffer.wrap(head);
        assertEquals(1, b.getInt(), "size 1: the 64-bit size follows the type");
        assertEquals("free", new String(head, 4, 4, StandardCharsets.ISO_8859_1));
        assertEquals(size, b.getLong(8));
    }

    @Test
    void aRangeIsSplitIntoWhatIsReadAndWhatIsMadeUp() {
        SourceView v = SourceView.hiding(100, 200);
        assertEquals(List.of(new SourceView.Piece(50, 99, false), new SourceView.Piece(100, 199, true), new SourceView.Piece(200, 299, false)),
                v.pieces(50, 299));
        assertEquals(List.of(new SourceView.Piece(0, 299, false)), SourceView.WHOLE.pieces(0, 299));
        assertTrue(SourceView.hiding(10, 12).whole(), "fewer bytes than a box header: nothing is hidden");
    }
}
