package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.local.asl.StatesError;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deployed definition (statemachine/ via template.yaml) run end to end on real media, with
 * faults injected: a chunk whose invocation fails once is retried and the output is identical to
 * a fault-free run; a permanent failure ends in a FAILED job.json naming the real error.
 */
class StateMachineRunTest {
    @TempDir
    static Path dir;
    static PipelineFixture fx;
    static Path source;
    static final Map<String, String> SETTINGS = Map.of("LADDER", "240@400,144@200", "CHUNK_SECONDS", "2");

    @BeforeAll
    static void start() throws Exception {
        fx = new PipelineFixture(dir);
        source = fx.generate("clip.mp4", SampleClip.of(426, 240, "30", 5));
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @Test
    void aChunkThatFailsOnceIsRetriedAndTheOutputIsUnchanged() throws Exception {
        fx.upload(source, "uploads/clean.mp4");
        PipelineFixture.Job clean = fx.run("uploads/clean.mp4", SETTINGS);
        assertTrue(clean.outcome().succeeded(), clean.outcome().result()::toString);
        java.util.Set<String> inBranches = java.util.Set.of("Encode video chunks", "Encode chunk", "Encode audio", "Make thumbnails");
        assertEquals(List.of("Probe and plan", "Encode video, audio and thumbnails", "Package DASH", "Done"),
                clean.statesEntered().stream().filter(s -> !inBranches.contains(s)).toList());
        assertTrue(clean.statesEntered().containsAll(inBranches), "every branch ran: " + clean.statesEntered());
        assertEquals(3, clean.statesEntered().stream().filter(s -> s.equals("Encode chunk")).count(), "5 s in 2 s chunks: 3 map items");

        fx.upload(source, "uploads/flaky.mp4");
        AtomicInteger chunk1Calls = new AtomicInteger();
        PipelineFixture.Job flaky = fx.run("uploads/flaky.mp4", SETTINGS, (function, payload) -> {
            if (function.equals("EncodeChunkFunction") && payload.path("chunkIndex").asInt() == 1 && chunk1Calls.incrementAndGet() == 1) {
                throw new StatesError("Lambda.ServiceException", "injected: Lambda is unavailable");
            }
        });
        assertTrue(flaky.outcome().succeeded(), flaky.outcome().result()::toString);
        assertEquals(2, chunk1Calls.get(), "chunk 1 was invoked again after the service error");
        assertEquals(files(clean.dir()).keySet(), files(flaky.dir()).keySet());
        files(clean.dir()).forEach((rel, bytes) -> {
            if (rel.endsWith(".m4s") || rel.endsWith(".mp4") && !rel.startsWith("joined") || rel.equals("manifest.mpd")) {
                assertArrayEquals(bytes, files(flaky.dir()).get(rel), rel + " identical to the fault-free run");
            }
        });
    }

    @Test
    void aPermanentChunkFailureEndsInAFailedJobRecordWithTheRealError() throws Exception {
        fx.upload(source, "uploads/doomed.mp4");
        // every encode is stopped at once by its time limit: a real, permanent EncodeFailed.Timeout
        Map<String, String> settings = new java.util.HashMap<>(SETTINGS);
        settings.put("FFMPEG_TIMEOUT_SECONDS", "0.001");
        PipelineFixture.Job job = fx.run("uploads/doomed.mp4", settings);
        assertFalse(job.outcome().succeeded());
        assertEquals("EncodeFailed.Timeout", job.outcome().result().error(), "the Fail state reports the named error");
        JsonNode record = job.record();
        assertEquals("FAILED", record.path("status").asText());
        assertEquals("EncodeFailed.Timeout", record.path("error").path("error").asText(), record.toPrettyString());
        assertTrue(record.path("error").path("reason").asText().contains("FFMPEG_TIMEOUT_SECONDS"));
        assertFalse(Files.exists(job.dir().resolve("manifest.mpd")));
        assertTrue(job.statesEntered().contains("Record failure"));
        assertEquals(1, job.statesEntered().stream().filter(s -> s.equals("Probe and plan")).count(), "a permanent error is not retried");
    }

    private static Map<String, byte[]> files(Path root) {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String rel = root.relativize(p).toString();
                if (!rel.equals("job.json")) out.put(rel, Files.readAllBytes(p));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }
}
