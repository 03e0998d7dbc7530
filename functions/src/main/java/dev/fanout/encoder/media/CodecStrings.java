package dev.fanout.encoder.media;

import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * RFC 6381 {@code codecs} strings (DASH {@code @codecs}, HLS {@code CODECS}) from a video sample
 * entry's decoder configuration box, read from the init segment: what the encoder really wrote,
 * never what we asked for. Pure.
 */
final class CodecStrings {
    private CodecStrings() {}

    /** {@code avc1.PPCCLL}: profile_idc, the constraint flags byte, level_idc of the avcC (RFC 6381 3.3). */
    static String avc(String sampleEntry, ByteBuffer avcC) {
        ByteBuffer b = avcC.duplicate();
        b.get(); // configurationVersion
        return String.format(Locale.ROOT, "%s.%02x%02x%02x", sampleEntry, b.get() & 0xff, b.get() & 0xff, b.get() & 0xff);
    }

    /**
     * {@code hvc1.[A-C]P.C.TL.B…} from the HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3),
     * as ISO/IEC 14496-15 Annex E.3 defines it: general_profile_space as a letter (none for 0, A, B, C)
     * followed by general_profile_idc in decimal; the 32 general_profile_compatibility_flags in
     * reverse bit order, in hex without leading zeros; L (Main tier) or H (High tier) and
     * general_level_idc in decimal; then the six constraint indicator bytes in hex, trailing zero
     * bytes left out. Main profile, level 2.1 as x265 writes it: {@code hvc1.1.6.L63.90}.
     */
    static String hevc(String sampleEntry, ByteBuffer hvcC) {
        ByteBuffer b = hvcC.duplicate();
        b.get(); // configurationVersion
        int ptl = b.get() & 0xff;
        int profileSpace = ptl >>> 6;
        boolean highTier = (ptl & 0x20) != 0;
        int profileIdc = ptl & 0x1f;
        int compatibility = b.getInt();
        byte[] constraints = new byte[6];
        b.get(constraints);
        int levelIdc = b.get() & 0xff;
        StringBuilder s = new StringBuilder(sampleEntry).append('.');
        if (profileSpace > 0) s.append((char) ('A' + profileSpace - 1));
        s.append(profileIdc).append('.').append(Integer.toHexString(Integer.reverse(compatibility)).toUpperCase(Locale.ROOT))
                .append('.').append(highTier ? 'H' : 'L').append(levelIdc);
        int last = constraints.length - 1;
        while (last >= 0 && constraints[last] == 0) last--;
        for (int i = 0; i <= last; i++) s.append('.').append(String.format(Locale.ROOT, "%02X", constraints[i] & 0xff));
        return s.toString();
    }

    /**
     * {@code av01.P.LLT.DD} from the AV1CodecConfigurationRecord, as the AV1 ISOBMFF binding defines
     * it (https://aomediacodec.github.io/av1-isobmff/#codecsparam): seq_profile; seq_level_idx_0 in
     * two decimal digits and M or H for seq_tier_0; the bit depth in two digits (8 unless
     * high_bitdepth, then 10, or 12 with twelve_bit). The colour fields after them are optional
     * ("all or none") and are left out: the short form is what browsers' isTypeSupported accepts
     * everywhere, and our output is always SDR 4:2:0.
     */
    static String av1(String sampleEntry, ByteBuffer av1C) {
        ByteBuffer b = av1C.duplicate();
        b.get(); // marker (1) and version (7)
        int profileLevel = b.get() & 0xff;
        int flags = b.get() & 0xff;
        int profile = profileLevel >>> 5;
        int level = profileLevel & 0x1f;
        boolean highTier = (flags & 0x80) != 0;
        boolean highBitdepth = (flags & 0x40) != 0;
        boolean twelveBit = (flags & 0x20) != 0;
        int bitDepth = highBitdepth ? (twelveBit ? 12 : 10) : 8;
        return String.format(Locale.ROOT, "%s.%d.%02d%c.%02d", sampleEntry, profile, level, highTier ? 'H' : 'M', bitDepth);
    }
}
