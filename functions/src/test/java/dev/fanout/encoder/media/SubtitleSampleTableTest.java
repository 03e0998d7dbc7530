package dev.fanout.encoder.media;

import dev.fanout.encoder.errors.InvalidSubtitlesException;
import dev.fanout.encoder.manifest.SubtitleText;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tx3g reader on movies the shipped ffmpeg muxed from an .srt (make-fixtures.sh): the cue
 * times are the .srt's, to the millisecond (ffprobe's packet times of the same files agree:
 * 0.480+1.251, 2.010+0.890; the delayed file 0.5 s later), the text is the sample's text without
 * its style box, and only the moov and the samples' own bytes (and gaps under MERGE_GAP_BYTES) are read.
 */
class SubtitleSampleTableTest {
    static final long TEXT_TRACK = 2;

    static byte[] fixture(String name) throws Exception {
        return Files.readAllBytes(Path.of(SubtitleSampleTableTest.class.getResource(name).toURI()));
    }

    static FragmentIndex.RangeReader reader(byte[] file, AtomicLong read) {
        return (offset, length) -> {
            int n = (int) Math.min(length, file.length - offset);
            read.addAndGet(n);
            byte[] out = new byte[n];
            System.arraycopy(file, (int) offset, out, 0, n);
            return out;
        };
    }

    @Test
    void cueTimesAndTextAsMuxed() throws Exception {
        byte[] file = fixture("movtext-64x48.mp4");
        AtomicLong read = new AtomicLong();
        List<SubtitleSampleTable.Sample> samples = SubtitleSampleTable.samples(reader(file, read), file.length, TEXT_TRACK);
        assertEquals(2, samples.stream().filter(s -> s.size() > 2).count(), "two cues, and the empty samples ffmpeg writes into the gaps and at the end: " + samples);
        List<SubtitleSampleTable.TextSample> cues = SubtitleSampleTable.readText(reader(file, read), samples, TEXT_TRACK);
        assertEquals(List.of(new SubtitleSampleTable.TextSample(480, 1731, "Hello & 3 < 4"), new SubtitleSampleTable.TextSample(2010, 2900, "Second")), cues);
        assertEquals("Hello &amp; 3 &lt; 4", SubtitleText.plain(cues.get(0).text()), "tx3g text is plain: escaped, never markup");
    }

    @Test
    void aTrackThatStartsLaterKeepsItsTimes() throws Exception {
        byte[] file = fixture("movtext-delayed-64x48.mp4");
        List<SubtitleSampleTable.TextSample> cues = SubtitleSampleTable.readText(reader(file, new AtomicLong()),
                SubtitleSampleTable.samples(reader(file, new AtomicLong()), file.length, TEXT_TRACK), TEXT_TRACK);
        assertEquals(List.of(980L, 2510L), cues.stream().map(SubtitleSampleTable.TextSample::startMillis).toList());
        assertEquals(List.of(2231L, 3400L), cues.stream().map(SubtitleSampleTable.TextSample::endMillis).toList());
    }

    @Test
    void onlyTheMoovAndTheTextAreRead() throws Exception {
        byte[] file = fixture("movtext-64x48.mp4");
        AtomicLong read = new AtomicLong();
        List<SubtitleSampleTable.Sample> samples = SubtitleSampleTable.samples(reader(file, read), file.length, TEXT_TRACK);
        long moov = read.get();
        SubtitleSampleTable.readText(reader(file, read), samples, TEXT_TRACK);
        long text = samples.stream().filter(s -> s.size() > 2).mapToLong(SubtitleSampleTable.Sample::size).sum();
        // here both cues lie within MERGE_GAP_BYTES of each other: one GET, with the bytes between them
        assertTrue(read.get() - moov >= text && read.get() - moov <= text + SubtitleSampleTable.MERGE_GAP_BYTES,
                "the samples' bytes, at most one merge gap more: " + (read.get() - moov) + " for " + text);
        int moovSize = ByteBuffer.wrap(file).getInt(indexOf(file, "moov") - 4);
        // ftyp, free, mdat, moov: a 16-byte header read each, then the moov's body
        assertTrue(moov <= moovSize + 4 * Mp4Box.MAX_HEADER_BYTES, "the walk reads box headers and the moov, not the mdat: "
                + moov + " bytes for a moov of " + moovSize + " in a file of " + file.length);
    }

    @Test
    void theVideoTrackIsNotText() throws Exception {
        byte[] file = fixture("movtext-64x48.mp4");
        InvalidSubtitlesException e = assertThrows(InvalidSubtitlesException.class,
                () -> SubtitleSampleTable.samples(reader(file, new AtomicLong()), file.length, 1));
        assertEquals("InvalidSubtitles.UnsupportedTrack", e.errorName());
        assertEquals("InvalidSubtitles.MalformedTrack", assertThrows(InvalidSubtitlesException.class,
                () -> SubtitleSampleTable.samples(reader(file, new AtomicLong()), file.length, 9)).errorName());
    }

    @Test
    void crafterSamplesAndTablesAreNamedErrors() throws Exception {
        // a sample claiming more text than it holds
        ByteBuffer lying = ByteBuffer.allocate(6).putShort((short) 200).put(new byte[]{'a', 'b', 'c', 'd'}).flip();
        assertEquals("InvalidSubtitles.MalformedTrack", assertThrows(InvalidSubtitlesException.class,
                () -> SubtitleSampleTable.decodeSample(lying, TEXT_TRACK, 0)).errorName());
        // UTF-16 with its byte order mark, as 3GPP TS 26.245 allows
        ByteBuffer utf16 = ByteBuffer.allocate(8).putShort((short) 6).put(new byte[]{(byte) 0xfe, (byte) 0xff, 0, 'H', 0, 'i'}).flip();
        assertEquals("Hi", SubtitleSampleTable.decodeSample(utf16, TEXT_TRACK, 0));
        // every stsz entry count byte set: a table larger than its box
        byte[] file = fixture("movtext-64x48.mp4");
        int stsz = lastIndexOf(file, "stsz");
        byte[] crafted = file.clone();
        for (int k = 8; k < 12; k++) crafted[stsz + 4 + k] = (byte) 0xff; // version/flags 4, sample size 4, count 4
        assertEquals("InvalidSubtitles.MalformedTrack", assertThrows(InvalidSubtitlesException.class,
                () -> SubtitleSampleTable.samples(reader(crafted, new AtomicLong()), crafted.length, TEXT_TRACK)).errorName());
        // a file cut before its moov
        byte[] cut = java.util.Arrays.copyOf(file, indexOf(file, "moov") - 4);
        assertEquals("InvalidSubtitles.MalformedTrack", assertThrows(InvalidSubtitlesException.class,
                () -> SubtitleSampleTable.samples(reader(cut, new AtomicLong()), cut.length, TEXT_TRACK)).errorName());
    }

    static int indexOf(byte[] b, String fourcc) {
        for (int i = 0; i + 4 <= b.length; i++) if (new String(b, i, 4, java.nio.charset.StandardCharsets.ISO_8859_1).equals(fourcc)) return i;
        throw new AssertionError(fourcc + " not found");
    }

    static int lastIndexOf(byte[] b, String fourcc) {
        for (int i = b.length - 4; i >= 0; i--) if (new String(b, i, 4, java.nio.charset.StandardCharsets.ISO_8859_1).equals(fourcc)) return i;
        throw new AssertionError(fourcc + " not found");
    }
}
