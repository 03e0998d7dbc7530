package dev.fanout.encoder.media;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Golden codec strings from the decoder configuration boxes the layer's ffmpeg really wrote (the
 * bytes copied from init segments), each string derived by hand from those bytes in the comment.
 */
class CodecStringsTest {
    static ByteBuffer hex(String h) { return ByteBuffer.wrap(HexFormat.of().parseHex(h)); }

    @Test
    void hevcMainLevel21FromX265At640x360() {
        // hvcC: 01 | 01 = space 0, tier 0, profile_idc 1 | 60000000 = compat flags 1 and 2, reversed 0x6
        // | 90 00 00 00 00 00 = progressive + frame-only, trailing zeros dropped | 3f = level 63 (2.1)
        assertEquals("hvc1.1.6.L63.90", CodecStrings.hevc("hvc1", hex("0101600000009000000000003ff000fcfdf8f800000f03")));
    }

    @Test
    void hevcHighTierLevel5FromX265At3840x2160() {
        // 21 = space 0, tier 1 (High), profile_idc 1 | … | 96 = level 150 (5.0)
        assertEquals("hvc1.1.6.H150.90", CodecStrings.hevc("hvc1", hex("01216000000090000000000096f000fcfdf8f800000f03")));
    }

    @Test
    void hevcProfileSpaceAndEveryConstraintByteAreWritten() {
        // space 1 (A), Main 10 (idc 2, compat flag 2 reversed: 0x4), 6 non-zero-ending constraint bytes
        assertEquals("hvc1.A2.4.L93.B0.00.00.00.00.01", CodecStrings.hevc("hvc1", hex("0142200000" + "00" + "b00000000001" + "5d")));
    }

    @Test
    void av1Main8BitLevel21FromLibaomAt640x360() {
        // av1C: 81 = marker, version 1 | 01 = profile 0, level idx 1 | 0c = tier 0, 8 bit, 4:2:0
        assertEquals("av01.0.01M.08", CodecStrings.av1("av01", hex("81010c00")));
    }

    @Test
    void av1Level50FromLibaomAt3840x2160() {
        // 0c = profile 0, level idx 12 (5.0)
        assertEquals("av01.0.12M.08", CodecStrings.av1("av01", hex("810c0c00")));
    }

    @Test
    void av1HighTierAndTenBit() {
        // 2d = profile 1, level idx 13 | c0 = tier 1, high_bitdepth 1, twelve_bit 0
        assertEquals("av01.1.13H.10", CodecStrings.av1("av01", hex("812dc000")));
    }

    @Test
    void avcAsBefore() {
        // avcC: 01 | 64 = High | 00 | 1f = level 3.1
        assertEquals("avc1.64001f", CodecStrings.avc("avc1", hex("0164001fffe1")));
    }
}
