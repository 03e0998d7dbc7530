package dev.fanout.encoder.source;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The three forms of a single byte range ffmpeg and players send, against a 1,000-byte object. */
class ByteRangeTest {
    static ByteRange of(String header) throws ByteRange.UnsatisfiableException {
        return ByteRange.parse(header, 1000);
    }

    @Test
    void singleRangesAreServedAsAsked() throws Exception {
        assertEquals(new ByteRange(0, 999, false), of(null), "no Range: the whole object, 200");
        assertEquals(new ByteRange(100, 199, true), of("bytes=100-199"));
        assertEquals("bytes 100-199/1000", of("bytes=100-199").contentRange(1000));
        assertEquals(100, of("bytes=100-199").length());
        assertEquals(new ByteRange(500, 999, true), of("bytes=500-"), "open-ended, as ffmpeg asks");
        assertEquals(new ByteRange(900, 999, true), of("bytes=900-5000"), "an end past the object is cut to it");
        assertEquals(new ByteRange(750, 999, true), of("bytes=-250"), "the last 250 bytes");
        assertEquals(new ByteRange(0, 999, true), of("bytes=-5000"), "a suffix longer than the object is all of it");
        assertEquals(new ByteRange(999, 999, true), of("bytes=999-999"), "the last byte");
    }

    @Test
    void rangesPastTheEndAreUnsatisfiable() {
        assertThrows(ByteRange.UnsatisfiableException.class, () -> of("bytes=1000-"));
        assertThrows(ByteRange.UnsatisfiableException.class, () -> of("bytes=1000-1200"));
        assertThrows(ByteRange.UnsatisfiableException.class, () -> of("bytes=-0"));
        assertThrows(ByteRange.UnsatisfiableException.class, () -> ByteRange.parse("bytes=0-", 0), "nothing to give of an empty object");
    }

    @Test
    void whatIsNotOneByteRangeIsIgnored() throws Exception {
        ByteRange whole = new ByteRange(0, 999, false);
        assertEquals(whole, of("bytes=0-1,5-9"), "several ranges");
        assertEquals(whole, of("items=0-1"));
        assertEquals(whole, of("bytes=9-1"), "last before first");
        assertEquals(whole, of("bytes=-"));
        assertEquals(whole, of("bytes=99999999999999999999-"), "more digits than a long");
        assertEquals(0, ByteRange.parse(null, 0).length(), "an empty object in full is no bytes");
    }
}
