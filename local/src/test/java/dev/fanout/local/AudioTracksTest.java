package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.media.ProcessRunner;
import dev.fanout.local.bench.AudioSeamMeter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every audio track of the source through the local state machine: a source with an English
 * track (440 Hz, 48 kHz, not default: its MP4 track is disabled) and a German one (1 kHz, 44.1 kHz,
 * default, titled "Deutsch") gives two audio renditions, both in the MPD and in HLS with their
 * languages, each decoding to its own tone with the video's duration; a track without samples is
 * left out with a warning; a track that cannot be decoded fails the job, named.
 */
class AudioTracksTest {
    @TempDir
    static Path dir;
    static PipelineFixture fx;
    static MediaProbe probe;
    static DashOutputCheck check;

    /** 9 s in 4 s chunks: three pieces per track, two seams. */
    static final Map<String, String> SMALL = Map.of("LADDER", "240@400", "SEGMENT_SECONDS", "2", "CHUNK_SECONDS", "4");
    static final int SECONDS = 9;
    static final long VIDEO_SAMPLES = SECONDS * 48_000L;

    @BeforeAll
    static void start() throws Exception {
        fx = new PipelineFixture(dir);
        probe = new MediaProbe(fx.bin);
        check = new DashOutputCheck(probe);
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    /** 320x180 at 30 fps; audio track 1 English 440 Hz (not default), track 2 German 1 kHz at 44.1 kHz (default). */
    static Path twoLanguages(String name) {
        Path out = dir.resolve(name);
        run(List.of(fx.bin.ffmpeg().toString(), "-nostdin", "-v", "error", "-y",
                "-f", "lavfi", "-i", "testsrc=size=320x180:rate=30:duration=" + SECONDS,
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=" + SECONDS,
                "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=44100:duration=" + SECONDS,
                "-map", "0:v", "-map", "1:a", "-map", "2:a", "-c:v", "libx264", "-preset", "ultrafast", "-g", "30",
                "-c:a", "aac", "-b:a", "96k",
                "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=deu", "-metadata:s:a:1", "handler_name=Deutsch",
                "-disposition:a:0", "0", "-disposition:a:1", "default", out.toString()));
        return out;
    }

    @Test
    void everyAudioLanguageIsItsOwnRenditionInBothManifests() throws Exception {
        Path src = twoLanguages("two-languages.mp4");
        assertEquals(List.of(1, 0, 1), tkhdEnabled(Files.readAllBytes(src)), "the source's English track is disabled (not default), the German one enabled");
        fx.upload(src, "uploads/two-languages.mp4");
        PipelineFixture.Job job = fx.run("uploads/two-languages.mp4", SMALL);
        assertTrue(job.outcome().succeeded(), () -> "job failed: " + job.outcome().result());
        // every rendition: decodes, frames, timeline, and every audio rendition decodes, starts at 0 and
        // ends with the video; the MPD's and HLS timelines match every segment's boxes
        check.assertComplete(job.dir(), src, 270, 30, 1, 60, true);

        Document mpd = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(job.dir().resolve("manifest.mpd").toFile());
        List<Element> sets = new ArrayList<>();
        NodeList all = mpd.getElementsByTagName("AdaptationSet");
        for (int i = 0; i < all.getLength(); i++) {
            Element s = (Element) all.item(i);
            if (s.getAttribute("contentType").equals("audio")) sets.add(s);
        }
        assertEquals(List.of("en", "de"), sets.stream().map(s -> s.getAttribute("lang")).toList(), "DASH @lang is RFC 5646");
        assertEquals(List.of("English", "Deutsch"), sets.stream().map(s -> s.getElementsByTagName("Label").item(0).getTextContent()).toList());
        assertEquals(List.of("alternate", "main"), sets.stream().map(s -> ((Element) s.getElementsByTagName("Role").item(0)).getAttribute("value")).toList(),
                "the source's default track is the default");
        assertEquals(List.of("audio", "audio-de"), DashOutputCheck.audioRepresentations(job.dir().resolve("manifest.mpd")));

        String master = Files.readString(job.dir().resolve("master.m3u8"));
        List<String> media = master.lines().filter(l -> l.startsWith("#EXT-X-MEDIA:TYPE=AUDIO")).toList();
        assertEquals(2, media.size(), master);
        assertTrue(media.get(0).contains("LANGUAGE=\"en\",NAME=\"English\",DEFAULT=NO,AUTOSELECT=YES") && media.get(0).contains("URI=\"audio/playlist.m3u8\""), media.get(0));
        assertTrue(media.get(1).contains("LANGUAGE=\"de\",NAME=\"Deutsch\",DEFAULT=YES,AUTOSELECT=YES") && media.get(1).contains("URI=\"audio-de/playlist.m3u8\""), media.get(1));
        assertTrue(media.stream().allMatch(l -> l.contains("GROUP-ID=\"audio\"")), "one group");
        assertTrue(master.lines().filter(l -> l.startsWith("#EXT-X-STREAM-INF:")).allMatch(l -> l.contains("AUDIO=\"audio\"")), master);

        // each rendition is its own source track: its tone, every sample of the video's duration
        assertTone("audio", job.dir(), 440, 1000);
        assertTone("audio-de", job.dir(), 1000, 440);

        JsonNode record = job.record();
        System.out.println("two audio tracks: sourceBytesRead " + record.path("timings").path("sourceBytesRead")
                + ", audioSeconds " + record.path("timings").path("audioSeconds") + ", source " + Files.size(src) + " bytes");
        assertEquals(List.of("eng", "deu"), record.path("source").path("audio").findValuesAsText("language"));
        assertEquals(0, record.path("source").path("skippedAudio").size());
    }

    @Test
    void aTrackWithoutSamplesIsLeftOutWithAWarningInJobJson() throws Exception {
        Path src = twoLanguages("empty-track-src.mp4");
        byte[] bytes = Files.readAllBytes(src);
        emptyLastTrack(bytes);
        Path empty = dir.resolve("empty-track.mp4");
        Files.write(empty, bytes);
        fx.upload(empty, "uploads/empty-track.mp4");
        PipelineFixture.Job job = fx.run("uploads/empty-track.mp4", SMALL);
        assertTrue(job.outcome().succeeded(), () -> "job failed: " + job.outcome().result());
        check.assertComplete(job.dir(), empty, 270, 30, 1, 60, true);
        assertEquals(List.of("audio"), DashOutputCheck.audioRepresentations(job.dir().resolve("manifest.mpd")), "only the track with samples");
        assertFalse(Files.exists(job.dir().resolve("audio-de")));
        JsonNode skipped = job.record().path("source").path("skippedAudio");
        assertEquals(1, skipped.size(), job.record()::toPrettyString);
        assertEquals("Audio.NoSamples", skipped.get(0).path("warning").asText());
        assertEquals("deu", skipped.get(0).path("language").asText());
        assertTone("audio", job.dir(), 440, 1000);
    }

    @Test
    void aTrackThatCannotBeDecodedFailsTheJobNamingIt() throws Exception {
        Path src = twoLanguages("undecodable-src.mp4");
        byte[] bytes = Files.readAllBytes(src);
        unknownCodecInLastTrack(bytes);
        Path bad = dir.resolve("undecodable.mp4");
        Files.write(bad, bytes);
        fx.upload(bad, "uploads/undecodable.mp4");
        PipelineFixture.Job job = fx.run("uploads/undecodable.mp4", SMALL);
        assertFalse(job.outcome().succeeded());
        JsonNode record = job.record();
        assertEquals("FAILED", record.path("status").asText());
        assertEquals("InvalidInput.AudioUndecodable", record.path("error").path("error").asText(), record::toPrettyString);
        String reason = record.path("error").path("reason").asText();
        assertTrue(reason.contains("audio track 2 (deu") && reason.contains("stream #0:2"), reason);
        assertFalse(Files.exists(job.dir().resolve("manifest.mpd")), "nothing published");
    }

    /** The rendition's samples decoded: the video's duration within one AAC frame, and its source's tone, not the other track's. */
    static void assertTone(String id, Path jobDir, double tone, double otherTone) throws Exception {
        List<Path> segments;
        try (Stream<Path> files = Files.list(jobDir.resolve(id))) {
            segments = files.filter(f -> f.getFileName().toString().startsWith("seg-")).sorted().toList();
        }
        Path joined = AudioSeamMeter.concatenate(jobDir.resolve(id).resolve("init.mp4"), segments, dir.resolve(jobDir.getFileName() + "-" + id + ".mp4"));
        float[] pcm = AudioSeamMeter.decodeFragmented(fx.bin.ffmpeg(), joined, dir);
        assertTrue(Math.abs(pcm.length - VIDEO_SAMPLES) <= 1024, id + " decodes to " + pcm.length + " samples; the video lasts " + VIDEO_SAMPLES);
        double own = power(pcm, tone), other = power(pcm, otherTone);
        assertTrue(own > 100 * other, id + ": " + tone + " Hz power " + own + " vs " + otherTone + " Hz " + other);
    }

    /** Goertzel power at {@code hz} over the middle second at 48 kHz. */
    static double power(float[] x, double hz) {
        int from = x.length / 2 - 24_000, n = 48_000;
        double w = 2 * Math.PI * hz / 48_000, c = 2 * Math.cos(w), s1 = 0, s2 = 0;
        for (int i = from; i < from + n; i++) {
            double s = x[i] + c * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        return s1 * s1 + s2 * s2 - c * s1 * s2;
    }

    /** The enabled flag (ISO/IEC 14496-12 tkhd flags & 1) of each track, in file order. */
    static List<Integer> tkhdEnabled(byte[] mp4) {
        List<Integer> flags = new ArrayList<>();
        for (int i = indexOf(mp4, "tkhd", 0); i >= 0; i = indexOf(mp4, "tkhd", i + 4)) flags.add(mp4[i + 7] & 1);
        return flags;
    }

    /** The last track's sample tables emptied in place (entry counts 0; the boxes keep their size). */
    static void emptyLastTrack(byte[] mp4) {
        int trak = lastIndexOf(mp4, "trak");
        for (String box : List.of("stts", "stsc", "stco")) zero(mp4, indexOf(mp4, box, trak) + 8);
        zero(mp4, indexOf(mp4, "stsz", trak) + 12); // version/flags, sample_size, then sample_count
    }

    /** The last track's sample entry made an unknown codec: its four-character code and its esds object type (0xC0, user private). */
    static void unknownCodecInLastTrack(byte[] mp4) {
        int entry = lastIndexOf(mp4, "mp4a");
        System.arraycopy("zzzz".getBytes(StandardCharsets.ISO_8859_1), 0, mp4, entry, 4);
        int esds = indexOf(mp4, "esds", entry);
        for (int i = esds; i < esds + 64; i++) {
            if (mp4[i] == 0x40 && mp4[i + 1] == 0x15) { mp4[i] = (byte) 0xC0; return; } // objectTypeIndication AAC, streamType audio
        }
        throw new AssertionError("no AAC DecoderConfigDescriptor in the last track");
    }

    private static void zero(byte[] b, int at) {
        assertTrue(at >= 8, "box found");
        for (int i = 0; i < 4; i++) b[at + i] = 0;
    }

    private static int indexOf(byte[] b, String s, int from) {
        byte[] p = s.getBytes(StandardCharsets.ISO_8859_1);
        outer:
        for (int i = Math.max(0, from); i <= b.length - p.length; i++) {
            for (int j = 0; j < p.length; j++) if (b[i + j] != p[j]) continue outer;
            return i;
        }
        return -1;
    }

    private static int lastIndexOf(byte[] b, String s) {
        int last = -1;
        for (int i = indexOf(b, s, 0); i >= 0; i = indexOf(b, s, i + 1)) last = i;
        return last;
    }

    static void run(List<String> command) {
        ProcessRunner.Result r = ProcessRunner.run(command, Duration.ofMinutes(5), 4096);
        if (!r.ok()) throw new IllegalStateException(String.join(" ", command) + " failed: " + r.stderrSummary(4));
    }
}
