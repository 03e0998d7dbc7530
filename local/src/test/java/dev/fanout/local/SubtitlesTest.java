package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.storage.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Subtitles end to end on real media: a source with an English mov_text track (ffmpeg muxes an
 * .srt into the MP4) and a German sidecar .srt beside it, through the deployed state machine with
 * template.yaml's IAM enforced. Both manifests must name both tracks with their languages, every
 * WebVTT file must parse (by ffmpeg's own WebVTT demuxer, not ours) with each cue within 1 ms of
 * the source's (ffprobe's packet times of the mov_text track; the sidecar's own times), hostile
 * cue text must arrive as text, a malformed cue must be dropped with a warning in job.json, and a
 * sidecar that is not subtitles must fail its job with InvalidSubtitles.NotSubtitles naming it.
 */
class SubtitlesTest {
    @TempDir
    static Path dir;
    static PipelineFixture fx;
    static PipelineFixture.Job job;
    static Path source;
    static String germanSrt;

    static final Map<String, String> SMALL = Map.of("LADDER", "180@300", "SEGMENT_SECONDS", "2", "CHUNK_SECONDS", "4");
    static final double SECONDS = 8;

    /** The English track, muxed into the source as mov_text: times off any frame or millisecond grid ffmpeg might round to. */
    static final String ENGLISH_SRT = """
            1
            00:00:00,480 --> 00:00:01,731
            Hello from the source

            2
            00:00:02,010 --> 00:00:04,333
            Fish & chips, 3 < 4

            3
            00:00:06,500 --> 00:00:07,250
            The last English line
            """;

    @BeforeAll
    static void encode() throws Exception {
        fx = new PipelineFixture(dir);
        Path plain = fx.generate("plain.mp4", SampleClip.of(320, 180, "30", SECONDS));
        Path srt = Files.writeString(dir.resolve("en.srt"), ENGLISH_SRT);
        source = dir.resolve("film.mp4");
        ffmpeg("-i", plain.toString(), "-i", srt.toString(), "-map", "0", "-map", "1", "-c", "copy", "-c:s", "mov_text",
                "-metadata:s:s:0", "language=eng", source.toString());
        // the sidecar: a byte order mark, CRLF, cue numbers, a malformed timing line, markup to
        // keep (<i>), markup to refuse (<script>, <font>), "-->" in the text, and a cue past the video's end
        germanSrt = "\uFEFF1\r\n00:00:01,000 --> 00:00:02,500\r\nHallo <i>Welt</i>\r\n\r\n"
                + "2\r\n00:00:03,000 -> 00:00:04,000\r\nkaputte Zeitangabe\r\n\r\n"
                + "3\r\n00:00:04,250 --> 00:00:05,125\r\n<script>alert(1)</script><font color=\"red\">rot</font> --> weiter\r\n\r\n"
                + "4\r\n00:00:07,500 --> 00:00:09,000\r\nbis nach dem Ende\r\n";
        // the sidecar goes up first: it is read when the video's job is probed
        fx.store.client().putObject(b -> b.bucket(PipelineFixture.INPUT).key("uploads/film.de.srt").contentType("application/x-subrip"),
                RequestBody.fromString(germanSrt, StandardCharsets.UTF_8));
        fx.upload(source, "uploads/film.mp4");
        job = fx.run("uploads/film.mp4", SMALL);
        assertTrue(job.outcome().succeeded(), () -> "job failed: " + job.outcome().result());
    }

    @AfterAll
    static void stop() throws Exception {
        if (fx != null) fx.close();
    }

    @Test
    void theMpdHasATextAdaptationSetPerTrackWithItsLanguage() throws Exception {
        String mpd = Files.readString(job.dir().resolve("manifest.mpd"));
        List<String> sets = new ArrayList<>();
        Matcher m = Pattern.compile("<AdaptationSet [^>]*contentType=\"text\"[^>]*>(.*?)</AdaptationSet>", Pattern.DOTALL).matcher(mpd);
        while (m.find()) sets.add(m.group());
        assertEquals(2, sets.size(), mpd);
        for (String[] expect : new String[][]{{"en", "subtitles/en.vtt"}, {"de", "subtitles/de.vtt"}}) {
            String set = sets.stream().filter(s -> s.contains("lang=\"" + expect[0] + "\"")).findFirst()
                    .orElseThrow(() -> new AssertionError("no text AdaptationSet with lang " + expect[0] + ":\n" + mpd));
            assertTrue(set.contains("mimeType=\"text/vtt\""), set);
            assertTrue(set.contains("<BaseURL>" + expect[1] + "</BaseURL>"), set);
            assertTrue(set.matches("(?s).*<Representation [^>]*bandwidth=\"[1-9]\\d*\".*"), set);
            assertTrue(Files.isRegularFile(job.dir().resolve(expect[1])), expect[1] + " is published");
        }
    }

    @Test
    void theMasterPlaylistHasASubtitlesGroupWithBothLanguages() throws Exception {
        String master = Files.readString(job.dir().resolve("master.m3u8"));
        List<String> media = master.lines().filter(l -> l.startsWith("#EXT-X-MEDIA:TYPE=SUBTITLES")).toList();
        assertEquals(2, media.size(), master);
        for (String lang : List.of("en", "de")) {
            String line = media.stream().filter(l -> l.contains("LANGUAGE=\"" + lang + "\"")).findFirst()
                    .orElseThrow(() -> new AssertionError("no SUBTITLES rendition with LANGUAGE " + lang + ":\n" + master));
            Matcher group = Pattern.compile("GROUP-ID=\"([^\"]+)\"").matcher(line);
            assertTrue(group.find(), line);
            master.lines().filter(l -> l.startsWith("#EXT-X-STREAM-INF")).forEach(v ->
                    assertTrue(v.contains("SUBTITLES=\"" + group.group(1) + "\""), "every variant names the subtitles group: " + v));
            Matcher uri = Pattern.compile("URI=\"([^\"]+)\"").matcher(line);
            assertTrue(uri.find(), line);
            Path playlist = job.dir().resolve(uri.group(1));
            String text = Files.readString(playlist);
            // RFC 8216 4.3.3.1: EXTINF rounded to the nearest integer must not exceed the target duration
            int target = Integer.parseInt(text.replaceAll("(?s).*#EXT-X-TARGETDURATION:(\\d+).*", "$1"));
            double extinf = Double.parseDouble(text.replaceAll("(?s).*#EXTINF:([0-9.]+),.*", "$1"));
            assertTrue(Math.round(extinf) <= target, text);
            assertEquals(job.record().path("durationSeconds").asDouble(), extinf, 0.001, "one segment for the whole video: " + text);
            String segment = text.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).findFirst().orElseThrow();
            assertTrue(Files.isRegularFile(playlist.resolveSibling(segment)), segment + " beside " + playlist);
        }
    }

    /** The English WebVTT file, read by ffmpeg's WebVTT demuxer, has the source track's cues, each within 1 ms. */
    @Test
    void theSourceTracksCuesKeepTheirTimes() throws Exception {
        List<double[]> inSource = packets(List.of("-select_streams", "s:0", "-i", source.toString()));
        inSource.removeIf(p -> p[2] <= 2); // mov_text's empty samples (2 bytes): the gaps between cues
        List<double[]> published = vttPackets(job.dir().resolve("subtitles/en.vtt"));
        assertEquals(3, inSource.size(), "the source has the three cues");
        assertEquals(inSource.size(), published.size());
        for (int i = 0; i < published.size(); i++) {
            assertEquals(inSource.get(i)[0], published.get(i)[0], 0.001, "cue " + i + " start");
            assertEquals(inSource.get(i)[0] + inSource.get(i)[1], published.get(i)[0] + published.get(i)[1], 0.001, "cue " + i + " end");
        }
        String vtt = Files.readString(job.dir().resolve("subtitles/en.vtt"));
        assertTrue(vtt.contains("\nFish &amp; chips, 3 &lt; 4\n"), "a tx3g sample is plain text: escaped\n" + vtt);
    }

    /** The sidecar's cues within 1 ms of its own times; the malformed one dropped; the one past the end cut there. */
    @Test
    void theSidecarsCuesKeepTheirTimesAndHostileTextStaysText() throws Exception {
        Path de = job.dir().resolve("subtitles/de.vtt");
        List<double[]> published = vttPackets(de);
        double end = job.record().path("durationSeconds").asDouble();
        double[][] expected = {{1.0, 2.5}, {4.25, 5.125}, {7.5, end}};
        assertEquals(expected.length, published.size());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i][0], published.get(i)[0], 0.001, "cue " + i + " start");
            assertEquals(expected[i][1], published.get(i)[0] + published.get(i)[1], 0.001, "cue " + i + " end");
        }
        String vtt = Files.readString(de);
        assertTrue(vtt.startsWith("WEBVTT\n"), vtt);
        assertTrue(vtt.contains("\nHallo <i>Welt</i>\n"), "an allowed tag is kept\n" + vtt);
        assertTrue(vtt.contains("\nalert(1)rot --&gt; weiter\n"), "other tags go, their text stays, '-->' is escaped\n" + vtt);
        assertFalse(vtt.contains("<script") || vtt.contains("<font"), vtt);
        assertFalse(vtt.contains("kaputte"), "the malformed cue is dropped\n" + vtt);

        JsonNode record = job.record();
        List<String> warnings = new ArrayList<>();
        for (JsonNode w : record.path("warnings")) warnings.add(w.path("warning").asText() + " " + w.path("detail").asText());
        assertTrue(warnings.stream().anyMatch(w -> w.startsWith("Subtitles.MalformedCue uploads/film.de.srt line 5:")),
                "job.json says which cue was dropped: " + warnings);
        List<String> listed = new ArrayList<>();
        for (JsonNode t : record.path("outputs").path("subtitles")) listed.add(t.path("language").asText() + " " + t.path("key").asText());
        String prefix = "jobs/" + job.outcome().jobId() + "/";
        assertEquals(List.of("en " + prefix + "subtitles/en.vtt", "de " + prefix + "subtitles/de.vtt"), listed);
        assertEquals("mov_text", record.path("source").path("subtitles").path(0).path("codec").asText(), record.path("source").toString());
    }

    @Test
    void aSidecarThatIsNotSubtitlesFailsTheJobNamingIt() throws Exception {
        Path src = fx.generate("other.mp4", SampleClip.of(320, 180, "30", 2));
        fx.store.client().putObject(b -> b.bucket(PipelineFixture.INPUT).key("uploads/other.en.srt"),
                RequestBody.fromString("This is a shopping list.\nMilk\nEggs\n", StandardCharsets.UTF_8));
        fx.upload(src, "uploads/other.mp4");
        PipelineFixture.Job failed = fx.run("uploads/other.mp4", SMALL);
        assertFalse(failed.outcome().succeeded());
        JsonNode record = failed.record();
        assertEquals("FAILED", record.path("status").asText());
        assertEquals("InvalidSubtitles.NotSubtitles", record.path("error").path("error").asText(), record::toPrettyString);
        assertTrue(record.path("error").path("reason").asText().contains("uploads/other.en.srt"), record::toPrettyString);
        assertFalse(Files.exists(failed.dir().resolve("manifest.mpd")), "nothing is published");
    }

    /** Packets as {pts seconds, duration seconds, size} from ffprobe. */
    static List<double[]> packets(List<String> input) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of(fx.bin.ffprobe().toString(), "-v", "error"));
        c.addAll(input);
        c.addAll(List.of("-show_entries", "packet=pts_time,duration_time,size", "-of", "csv=p=0"));
        Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "ffprobe " + c + ": " + out);
        List<double[]> packets = new ArrayList<>();
        for (String line : out.strip().split("\n")) {
            String[] f = line.split(",");
            packets.add(new double[]{Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])});
        }
        return packets;
    }

    /** A published WebVTT file's cues as ffmpeg's WebVTT demuxer reads them (it fails on a file that does not parse). */
    static List<double[]> vttPackets(Path vtt) throws IOException, InterruptedException {
        return packets(List.of("-f", "webvtt", "-i", vtt.toString()));
    }

    static void ffmpeg(String... args) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of(fx.bin.ffmpeg().toString(), "-nostdin", "-v", "error", "-y"));
        c.addAll(List.of(args));
        Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "ffmpeg " + c + ": " + out);
    }

    static JsonNode json(Path file) throws IOException {
        return Json.MAPPER.readTree(Files.readString(file));
    }
}
