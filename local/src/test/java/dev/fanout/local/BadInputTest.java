package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.media.ProcessRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files that cannot be encoded end the job with a named error and a FAILED job.json saying what
 * was wrong — no manifest — and the uploaded object is left byte-for-byte as it was.
 */
class BadInputTest {
    @TempDir
    static Path dir;
    static PipelineFixture fx;

    record Case(String name, String expectedError, String reasonMentions) {
        @Override
        public String toString() { return name; }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("empty.mp4", "InvalidInput.Empty", "empty"),
                new Case("notes.mp4", "InvalidInput.NotMp4", "does not start like an MP4"),
                new Case("random.mp4", "InvalidInput.NotMp4", "does not start like an MP4"),
                new Case("cut-moov-at-end.mp4", "InvalidInput.Truncated", "moov"),
                new Case("cut-mdat.mp4", "InvalidInput.Truncated", "cut off"),
                new Case("audio-only.mp4", "InvalidInput.NoVideoStream", "no video stream"));
    }

    @BeforeAll
    static void makeCorpus() throws Exception {
        fx = new PipelineFixture(dir);
        Files.write(dir.resolve("empty.mp4"), new byte[0]);
        Files.writeString(dir.resolve("notes.mp4"), "These are my holiday notes, not a video.\n".repeat(50));
        byte[] random = new byte[200_000];
        new Random(42).nextBytes(random);
        Files.write(dir.resolve("random.mp4"), random);
        // moov at the end (ffmpeg's default): cutting the file loses the movie header
        Path whole = fx.generate("whole.mp4", SampleClip.of(320, 240, "30", 6));
        cut(whole, dir.resolve("cut-moov-at-end.mp4"), 0.6);
        // moov at the front: the header survives, the media data does not
        Path fast = fx.generate("whole-fast.mp4", SampleClip.of(320, 240, "30", 6).withFaststart(true));
        cut(fast, dir.resolve("cut-mdat.mp4"), 0.6);
        ProcessRunner.Result r = ProcessRunner.run(List.of(fx.bin.ffmpeg().toString(), "-v", "error", "-y", "-f", "lavfi",
                "-i", "sine=duration=3", "-c:a", "aac", dir.resolve("audio-only.mp4").toString()), Duration.ofMinutes(1), 1024);
        assertTrue(r.ok(), r.stderrTail());
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void failsWithANamedErrorAndLeavesTheInputAlone(Case c) throws Exception {
        String key = "uploads/" + c.name();
        fx.upload(dir.resolve(c.name()), key);
        String before = sha256(key);
        String etagBefore = fx.store.head(PipelineFixture.INPUT, key).orElseThrow().eTag();

        PipelineFixture.Job job = fx.run(key, Map.of());

        assertFalse(job.outcome().succeeded());
        JsonNode record = job.record();
        assertEquals("FAILED", record.path("status").asText());
        assertEquals(c.expectedError(), record.path("error").path("error").asText(), record.toPrettyString());
        String reason = record.path("error").path("reason").asText();
        assertTrue(reason.contains(c.reasonMentions()), "reason says what was wrong: " + reason);
        assertFalse(reason.contains("Exception") || reason.contains("\tat "), "a reason, not a stack trace: " + reason);
        assertEquals(key, record.path("input").path("key").asText());
        assertFalse(Files.exists(job.dir().resolve("manifest.mpd")), "no manifest for a failed job");
        assertEquals(before, sha256(key), "input bytes unchanged");
        assertEquals(etagBefore, fx.store.head(PipelineFixture.INPUT, key).orElseThrow().eTag(), "input object not rewritten");
    }

    private static void cut(Path from, Path to, double fraction) throws Exception {
        byte[] all = Files.readAllBytes(from); // test media of a few hundred KB
        Files.write(to, java.util.Arrays.copyOf(all, (int) (all.length * fraction)));
    }

    private static String sha256(String key) throws Exception {
        Path tmp = Files.createTempFile(dir, "check", ".bin");
        fx.store.download(PipelineFixture.INPUT, key, tmp);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(tmp)) {
            md.update(in.readAllBytes());
        }
        Files.delete(tmp);
        return HexFormat.of().formatHex(md.digest());
    }
}
