package dev.fanout.encoder.media;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads fragmented MP4 files the shipped ffmpeg wrote with the encoder's muxer flags
 * (test resources, made by make-fixtures.sh beside them). The expected values come from the
 * ffmpeg command (size, rate, GOP, timescale, offset, codec settings) and from ffprobe's packet
 * list of the same files (time stamps and byte positions, noted where used): a reader that got a
 * box or a field wrong gives other numbers.
 */
class FragmentedMp4FilesTest {
    @TempDir
    Path dir;

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(FragmentedMp4FilesTest.class.getResource(name).toURI());
    }

    @Test
    void aVideoChunkHasOneFragmentPerGopWithGlobalTimes() throws Exception {
        Path file = fixture("chunk-64x48-25fps.mp4");
        FragmentedMp4 mp4 = FragmentedMp4.read(file);
        assertEquals(25000, mp4.timescale(), "-video_track_timescale 25000");
        assertEquals(64, mp4.width());
        assertEquals(48, mp4.height());
        assertEquals("avc1.64001e", mp4.codecs(), "High profile (0x64), level 3.0 (0x1e), as ffprobe reports");
        assertEquals(0, mp4.sampleRate());
        assertEquals(0, mp4.channels());

        List<FragmentedMp4.Fragment> f = mp4.fragments();
        assertEquals(2, f.size(), "50 frames, GOP 25: two fragments");
        assertEquals(25, f.get(0).sampleCount());
        assertEquals(25, f.get(1).sampleCount());
        assertEquals(25_000, f.get(0).duration(), "25 frames of 1000 ticks");
        assertEquals(25_000, f.get(1).duration());
        // ffprobe: the first packet's dts is 2000 ticks (two frames of B-frame delay) before its
        // pts, 98000, and the second GOP's 123000; the edit list takes those two frames off
        assertEquals(2000, mp4.editMediaTime());
        assertEquals(98_000, f.get(0).baseDecodeTime() - mp4.editMediaTime());
        assertEquals(123_000, f.get(1).baseDecodeTime() - mp4.editMediaTime());
        // -output_ts_offset 4: the first frame is shown at 4 s, the second GOP's at 5 s (ffprobe pts 100000, 125000)
        assertEquals(100_000, f.get(0).earliestCompositionTime() - mp4.editMediaTime());
        assertEquals(125_000, f.get(1).earliestCompositionTime() - mp4.editMediaTime());

        assertByteLayout(file, mp4, new long[]{1177, 2957});
    }

    @Test
    void anAudioTrackHasOneSecondFragmentsAndAShortTail() throws Exception {
        Path file = fixture("audio-lc-48k-stereo.mp4");
        FragmentedMp4 mp4 = FragmentedMp4.read(file);
        assertEquals(48000, mp4.timescale());
        assertEquals(48000, mp4.sampleRate());
        assertEquals(2, mp4.channels());
        assertEquals("mp4a.40.2", mp4.codecs(), "AAC-LC is object type 2");
        assertEquals(1024, mp4.editMediaTime(), "the encoder's priming frame is cut by the edit list (ffprobe: first pts -1024)");

        // -t 2.1 after the 1024-tick priming frame: the track ends at 100800 + 1024 = 101824 ticks,
        // 100 AAC frames (ffprobe: 100 packets), the last one cut short. A fragment ends at the
        // first frame at or past 1 s: 47 frames (48128 ticks), 47, and the 6 left over (5568 ticks)
        List<FragmentedMp4.Fragment> f = mp4.fragments();
        assertEquals(List.of(47, 47, 6), f.stream().map(FragmentedMp4.Fragment::sampleCount).toList());
        assertEquals(List.of(48_128L, 48_128L, 5_568L), f.stream().map(FragmentedMp4.Fragment::duration).toList());
        assertEquals(List.of(0L, 48_128L, 96_256L), f.stream().map(FragmentedMp4.Fragment::baseDecodeTime).toList());
        assertEquals(List.of(0L, 48_128L, 96_256L), f.stream().map(FragmentedMp4.Fragment::earliestCompositionTime).toList(),
                "audio has no composition offsets");
        // ffprobe: the first packet of each fragment at bytes 1113, 5381 and 9645
        assertByteLayout(file, mp4, new long[]{1113, 5381, 9645});

        List<FragmentedMp4.Fragment> segments = mp4.segmentsJoiningShortTail(24_000);
        assertEquals(2, segments.size(), "the 0.15 s tail joins the segment before it");
        assertEquals(53, segments.get(1).sampleCount());
        assertEquals(48_128 + 5_568, segments.get(1).duration());
        assertEquals(Files.size(file), segments.get(1).offset() + segments.get(1).length());
    }

    @Test
    void anotherAudioLayoutIsReadFromTheFileNotAssumed() throws Exception {
        FragmentedMp4 mp4 = FragmentedMp4.read(fixture("audio-main-22k-mono.mp4"));
        assertEquals("mp4a.40.1", mp4.codecs(), "AAC Main is object type 1");
        assertEquals(22050, mp4.sampleRate());
        assertEquals(22050, mp4.timescale());
        assertEquals(1, mp4.channels(), "from the AudioSpecificConfig: the sample entry says 2 for any AAC track");
        assertEquals(1, mp4.fragments().size());
        assertEquals(12, mp4.fragments().get(0).sampleCount(), "ffprobe: 12 packets");
        assertEquals(11_025 + 1024, mp4.fragments().get(0).duration(), "0.5 s after the priming frame");
    }

    /** Init, then fragments back to back to the end of the file, each holding its first sample's bytes. */
    static void assertByteLayout(Path file, FragmentedMp4 mp4, long[] firstSamplePositions) throws Exception {
        List<FragmentedMp4.Fragment> f = mp4.fragments();
        assertEquals(firstSamplePositions.length, f.size());
        assertEquals(mp4.initLength(), f.get(0).offset(), "the first fragment follows the init segment");
        for (int i = 0; i < f.size(); i++) {
            long end = f.get(i).offset() + f.get(i).length();
            assertEquals(i + 1 < f.size() ? f.get(i + 1).offset() : Files.size(file), end, "fragment " + i + " ends where the next begins");
            long pos = firstSamplePositions[i];
            assertTrue(f.get(i).offset() < pos && pos < end, "fragment " + i + " " + f.get(i) + " holds byte " + pos);
        }
        String initTypes = boxTypes(Files.readAllBytes(file), 0, mp4.initLength());
        assertEquals("ftyp moov", initTypes);
    }

    static String boxTypes(byte[] b, long from, long to) {
        StringBuilder s = new StringBuilder();
        ByteBuffer buf = ByteBuffer.wrap(b);
        for (long p = from; p < to; ) {
            long size = Integer.toUnsignedLong(buf.getInt((int) p));
            if (!s.isEmpty()) s.append(' ');
            s.append(new String(b, (int) p + 4, 4, StandardCharsets.ISO_8859_1));
            p += size;
        }
        return s.toString();
    }

    // --- boxes written by hand: the ISO BMFF size forms and malformed files ---

    static byte[] box(String type, byte[]... children) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] c : children) body.writeBytes(c);
        return ByteBuffer.allocate(8 + body.size()).putInt(8 + body.size()).put(type.getBytes(StandardCharsets.ISO_8859_1))
                .put(body.toByteArray()).array();
    }

    static byte[] raw(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) bytes[i];
        return b;
    }

    static byte[] ints(long... words) {
        ByteBuffer b = ByteBuffer.allocate(4 * words.length);
        for (long w : words) b.putInt((int) w);
        return b.array();
    }

    /** moov/trak/mdia/mdhd (version 1: 64-bit times) with the given timescale, and mvex/trex with a default duration. */
    static byte[] moov(long timescale, long trexDefaultDuration) {
        byte[] mdhd = box("mdhd", ints(0x01000000L, 0, 0, 0, 0, timescale, 0, 0, 0));
        byte[] trex = box("trex", ints(0, 1, 1, trexDefaultDuration, 0, 0));
        return box("moov", box("trak", box("mdia", mdhd)), box("mvex", trex));
    }

    Path write(byte[]... boxes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] b : boxes) out.writeBytes(b);
        Path f = Files.createTempFile(dir, "box", ".mp4");
        Files.write(f, out.toByteArray());
        return f;
    }

    @Test
    void samplesWithoutTheirOwnDurationTakeTheTrackDefaultAndTfdtVersion1IsRead() throws Exception {
        byte[] tfdt = box("tfdt", ints(0x01000000L, 0x1, 0x00000010L)); // version 1, 64-bit: 2^32 + 16
        byte[] trun = box("trun", ints(0, 3)); // no per-sample fields: 3 samples of the trex default
        Path f = write(box("ftyp", ints(0, 0)), moov(90000, 3000), box("moof", box("traf", box("tfhd", ints(0, 1)), tfdt, trun)),
                box("mdat", ints(0)));
        FragmentedMp4 mp4 = FragmentedMp4.read(f);
        assertEquals(90000, mp4.timescale(), "mdhd version 1");
        FragmentedMp4.Fragment frag = mp4.fragments().get(0);
        assertEquals((1L << 32) + 16, frag.baseDecodeTime());
        assertEquals(9000, frag.duration(), "3 samples of the trex default 3000");
        assertEquals(3, frag.sampleCount());
        assertEquals(frag.baseDecodeTime(), frag.earliestCompositionTime());
    }

    @Test
    void aTfhdDefaultDurationOverridesTheTrackDefault() throws Exception {
        // tfhd flags 0x8 (default-sample-duration present) after 0x1 (base data offset, 8 bytes) and 0x2 (description index)
        byte[] tfhd = box("tfhd", ints(0x00000B, 1, 0, 0, 1, 512));
        byte[] trun = box("trun", ints(0x000001, 4, 0)); // data offset present, 4 samples
        Path f = write(moov(48000, 1024), box("moof", box("traf", tfhd, box("tfdt", ints(0, 2048)), trun)), box("mdat"));
        FragmentedMp4.Fragment frag = FragmentedMp4.read(f).fragments().get(0);
        assertEquals(2048, frag.baseDecodeTime(), "tfdt version 0");
        assertEquals(4 * 512, frag.duration());
    }

    @Test
    void signedCompositionOffsetsOfTrunVersion1AreSigned() throws Exception {
        // flags 0x100 duration + 0x800 composition offset per sample; version 1: offsets are signed
        byte[] trun = box("trun", ints(0x01000900L, 2, 100, -50, 100, 150));
        Path f = write(moov(1000, 0), box("moof", box("traf", box("tfhd", ints(0, 1)), box("tfdt", ints(0, 1000)), trun)), box("mdat"));
        FragmentedMp4.Fragment frag = FragmentedMp4.read(f).fragments().get(0);
        assertEquals(950, frag.earliestCompositionTime(), "min(1000 - 50, 1100 + 150)");
        assertEquals(200, frag.duration());
    }

    @Test
    void aLargeSizeBoxAndABoxToTheEndOfTheFileAreWalked() throws Exception {
        // a 'free' box with a 64-bit size, then the moov, then a fragment whose mdat has size 0 (to the end of the file)
        byte[] free64 = ByteBuffer.allocate(24).putInt(1).put("free".getBytes(StandardCharsets.ISO_8859_1)).putLong(24).putLong(0).array();
        byte[] moof = box("moof", box("traf", box("tfhd", ints(0, 1)), box("tfdt", ints(0, 0)), box("trun", ints(0, 2))));
        byte[] mdat0 = ByteBuffer.allocate(12).putInt(0).put("mdat".getBytes(StandardCharsets.ISO_8859_1)).putInt(7).array();
        byte[] moov = moov(1000, 40);
        Path f = write(free64, moov, moof, mdat0);
        FragmentedMp4 mp4 = FragmentedMp4.read(f);
        assertEquals(24 + moov.length, mp4.initLength());
        FragmentedMp4.Fragment frag = mp4.fragments().get(0);
        assertEquals(mp4.initLength(), frag.offset());
        assertEquals(moof.length + 12, frag.length(), "the mdat runs to the end of the file");
        assertEquals(80, frag.duration());
    }

    @Test
    void anEmptyEditMeansNoShift() throws Exception {
        byte[] elst = box("elst", ints(0, 1, 1000, 0xFFFFFFFFL, 0x00010000)); // version 0, one entry, media_time -1
        byte[] mdhd = box("mdhd", ints(0, 0, 0, 1000, 0, 0));
        Path f = write(box("moov", box("trak", box("edts", elst), box("mdia", mdhd))));
        FragmentedMp4 mp4 = FragmentedMp4.read(f);
        assertEquals(0, mp4.editMediaTime());
        assertEquals(1000, mp4.timescale(), "mdhd version 0");
        assertEquals(List.of(), mp4.fragments());
    }

    @Test
    void malformedFragmentsAreNamed() throws Exception {
        byte[] moov = moov(1000, 1);
        Path trunFirst = write(moov, box("moof", box("traf", box("trun", ints(0, 1)), box("tfdt", ints(0, 0)))), box("mdat"));
        assertMalformed(trunFirst, "trun before tfdt");
        Path noTfdt = write(moov, box("moof", box("traf", box("tfhd", ints(0, 1)))), box("mdat"));
        assertMalformed(noTfdt, "moof without tfdt");
        Path shortTrun = write(moov, box("moof", box("traf", box("tfdt", ints(0, 0)), box("trun", ints(0x100, 3, 10)))), box("mdat"));
        assertMalformed(shortTrun, "'trun' is shorter than its fields");
        Path childOverruns = write(box("moov", ints(0x100, 0x7472616b))); // a 'trak' child claiming 256 bytes
        // the message names the box, its offset and where its container ends
        assertMalformed(childOverruns, "box 'trak' at 0 of 256 bytes overruns its container, which ends at 8");
        Path noTimescale = write(box("moov", box("trak", box("mdia"))));
        assertMalformed(noTimescale, "no track timescale");
        Path cutHeader = write(moov, raw(0, 0, 0));
        assertMalformed(cutHeader, "truncated box header at " + moov.length);
        Path tinyBox = write(moov, ints(4, 0x66726565)); // a 'free' box whose size is less than its header
        assertMalformed(tinyBox, "box 'free' at " + moov.length + " overruns the file");
    }

    static void assertMalformed(Path f, String message) {
        var e = assertThrows(FragmentedMp4.MalformedMp4Exception.class, () -> FragmentedMp4.read(f));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    /** An mp4a sample entry as ffmpeg writes it for MP4 (channelcount 2, 16 bits) with the given AudioSpecificConfig. */
    static byte[] mp4a(int sampleRate, int... audioSpecificConfig) {
        ByteBuffer entry = ByteBuffer.allocate(28).put(new byte[6]).putShort((short) 1).put(new byte[8])
                .putShort((short) 2).putShort((short) 16).putInt(0).putInt(sampleRate << 16);
        ByteArrayOutputStream esds = new ByteArrayOutputStream();
        esds.writeBytes(ints(0)); // version, flags
        esds.writeBytes(raw(0x03, 0x19, 0x00, 0x01, 0x00)); // ES_Descriptor, ES_ID 1
        esds.writeBytes(raw(0x04, 0x11, 0x40, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)); // DecoderConfigDescriptor: MPEG-4 audio
        esds.writeBytes(raw(0x05, audioSpecificConfig.length));
        esds.writeBytes(raw(audioSpecificConfig));
        esds.writeBytes(raw(0x06, 0x01, 0x02));
        byte[] stsd = box("stsd", ints(0, 1), box("mp4a", entry.array(), box("esds", esds.toByteArray())));
        return box("moov", box("trak", box("mdia", box("mdhd", ints(0, 0, 0, sampleRate, 0, 0)), box("minf", box("stbl", stsd)))));
    }

    @Test
    void theChannelCountComesFromTheAudioSpecificConfig() throws Exception {
        // AAC-LC, 48 kHz (index 3), channelConfiguration 6: 5.1
        FragmentedMp4 surround = FragmentedMp4.read(write(mp4a(48000, 0x11, 0xB0)));
        assertEquals(6, surround.channels());
        assertEquals("mp4a.40.2", surround.codecs());
        assertEquals(48000, surround.sampleRate());
        // an explicit 24-bit rate (index 15: 44100) before channelConfiguration 7, which is 7.1: 8 channels
        FragmentedMp4 eight = FragmentedMp4.read(write(mp4a(44100, 0x17, 0x80, 0x56, 0x22, 0x38)));
        assertEquals(8, eight.channels());
        assertEquals(44100, eight.sampleRate());
        // channelConfiguration 0 (layout given elsewhere): the sample entry's count stands
        assertEquals(2, FragmentedMp4.read(write(mp4a(48000, 0x11, 0x80))).channels());
    }

    @Test
    void aSecondTrunContinuesTheDecodeTimesOfTheFirst() throws Exception {
        // trun 1: one sample of 100 ticks shown 500 later; trun 2: one sample of 100 ticks shown at once
        byte[] trun1 = box("trun", ints(0x00000900L, 1, 100, 500));
        byte[] trun2 = box("trun", ints(0x00000900L, 1, 100, 0));
        Path f = write(moov(1000, 0), box("moof", box("traf", box("tfhd", ints(0, 1)), box("tfdt", ints(0, 1000)), trun1, trun2)), box("mdat"));
        FragmentedMp4.Fragment frag = FragmentedMp4.read(f).fragments().get(0);
        assertEquals(1100, frag.earliestCompositionTime(), "the second sample decodes at 1100 and is shown first");
        assertEquals(200, frag.duration());
        assertEquals(2, frag.sampleCount());
    }

    @Test
    void aVersion1EditListAndAnEmptyOneAreRead() throws Exception {
        byte[] mdhd = box("mdhd", ints(0, 0, 0, 48000, 0, 0));
        byte[] elst1 = box("elst", ints(0x01000000L, 1, 0, 96000, 0, 2048, 0x00010000)); // 64-bit duration and media_time
        assertEquals(2048, FragmentedMp4.read(write(box("moov", box("trak", box("edts", elst1), box("mdia", mdhd))))).editMediaTime());
        byte[] elst0 = box("elst", ints(0, 0)); // no entries
        assertEquals(0, FragmentedMp4.read(write(box("moov", box("trak", box("edts", elst0), box("mdia", mdhd))))).editMediaTime());
    }

    @Test
    void anotherCodecIsNamedByItsSampleEntryAndAChildOfSizeZeroRunsToItsParentsEnd() throws Exception {
        byte[] stsd = box("stsd", ints(0, 1), box("vp09", new byte[78]));
        byte[] mdhd = box("mdhd", ints(0, 0, 0, 90000, 0, 0));
        byte[] trakToEnd = box("trak", box("mdia", mdhd, box("minf", box("stbl", stsd))));
        ByteBuffer.wrap(trakToEnd).putInt(0, 0); // size 0: to the end of the moov
        FragmentedMp4 mp4 = FragmentedMp4.read(write(box("moov", trakToEnd)));
        assertEquals("vp09", mp4.codecs());
        assertEquals(90000, mp4.timescale());
    }

    @Test
    void aTwoFragmentTrackEndingInASliverBecomesOneSegment() {
        var a = new FragmentedMp4.Fragment(700, 30_000, 0, 96_256, 1024, 94);
        var sliver = new FragmentedMp4.Fragment(30_700, 400, 96_256, 512, 97_280, 1);
        var mp4 = new FragmentedMp4(700, 48000, 1024, "mp4a.40.2", 0, 0, 48000, 2, List.of(a, sliver));
        assertEquals(List.of(new FragmentedMp4.Fragment(700, 30_400, 0, 96_768, 1024, 95)), mp4.segmentsJoiningShortTail(48_000));
    }
}
