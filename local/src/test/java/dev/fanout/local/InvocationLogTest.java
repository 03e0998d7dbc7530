package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.runtime.Invocation;
import dev.fanout.encoder.storage.Json;
import dev.fanout.local.asl.SamTemplate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an operator sees on Lambda, for real stage runs through the deployed state machine: each
 * invocation writes exactly one JSON line to stdout with the job, the stage, the chunk, the time,
 * the outcome and, on failure, the error's name and reason; and ffmpeg's time limit follows from
 * the function's own Timeout in template.yaml (the local invoker's Context counts it down, as
 * Lambda's does), less the reserve kept for uploads and records.
 */
class InvocationLogTest extends PipelineTestBase {
    static final Map<String, String> SETTINGS = Map.of("LADDER", "180@300", "CHUNK_SECONDS", "2");

    @BeforeAll
    void start() throws Exception {
        fx.upload(fx.generate("clip.mp4", SampleClip.of(320, 180, "25", 4)), "uploads/logged.mp4");
        fx.upload(fx.generate("clip2.mp4", SampleClip.of(320, 180, "25", 3)), "uploads/stopped.mp4");
    }

    /** Runs {@code job} and returns it with the JSON objects it wrote to stdout, one per line. */
    static <T> Logged<T> capturing(Callable<T> job) throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        T result;
        try {
            result = job.call();
        } finally {
            System.setOut(saved);
        }
        List<JsonNode> lines = new ArrayList<>();
        for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.startsWith("{")) continue;
            JsonNode node = Json.MAPPER.readTree(line); // must be valid JSON, one object per line
            if (node.has("stage")) lines.add(node);
        }
        return new Logged<>(result, lines);
    }

    record Logged<T>(T result, List<JsonNode> lines) {
        List<JsonNode> of(String stage) { return lines.stream().filter(l -> stage.equals(l.path("stage").asText())).toList(); }
    }

    @Test
    void eachInvocationLogsOneJsonLineAndFfmpegGetsTheFunctionsTimeLessTheReserve() throws Exception {
        Logged<PipelineFixture.Job> run = capturing(() -> fx.run("uploads/logged.mp4", SETTINGS));
        PipelineFixture.Job job = run.result();
        assertTrue(job.outcome().succeeded(), job.outcome().result()::toString);
        String jobId = job.outcome().jobId();

        assertEquals(1, run.of("Probe").size(), run.lines()::toString);
        assertEquals(List.of(), run.of("EncodeAudio"), "the audio is encoded in the chunk workers");
        assertEquals(List.of(), run.of("Thumbnail"), "no thumbnail stage: the chunks make the tiles");
        assertEquals(1, run.of("Package").size());
        List<JsonNode> chunks = run.of("EncodeChunk");
        assertEquals(List.of(0, 1), chunks.stream().map(l -> l.path("chunkIndex").asInt()).sorted().toList(), "one line per chunk, with its index");
        assertEquals(2 + chunks.size(), run.lines().size(), "one line per invocation (probe, chunks, package): " + run.lines());
        for (JsonNode line : run.lines()) {
            assertEquals(jobId, line.path("jobId").asText(), line::toString);
            assertEquals("SUCCEEDED", line.path("outcome").asText(), line::toString);
            assertTrue(line.path("seconds").isNumber() && line.path("seconds").asDouble() >= 0, line::toString);
            assertFalse(line.has("error"), line::toString);
        }

        SamTemplate template = SamTemplate.read(LocalStateMachine.findTemplate());
        double timeout = template.properties("EncodeChunkFunction").path("Timeout").asDouble();
        double reserve = Invocation.RESERVE.toSeconds();
        for (JsonNode chunk : chunks) {
            double limit = chunk.path("processLimitSeconds").asDouble(-1);
            // the Context's remaining time when ffmpeg started, less the reserve: at most the
            // Timeout less the reserve, and less only by the time spent before ffmpeg started
            assertTrue(limit <= timeout - reserve && limit >= timeout - reserve - chunk.path("seconds").asDouble() - 0.2,
                    "ffmpeg limit " + limit + " for a " + timeout + " s function: " + chunk);
        }
        double probeTimeout = template.properties("ProbeFunction").path("Timeout").asDouble();
        assertTrue(run.of("Probe").get(0).path("processLimitSeconds").asDouble() <= probeTimeout - reserve);
    }

    @Test
    void aFailedInvocationLogsTheErrorNameAndReason() throws Exception {
        Map<String, String> settings = new java.util.HashMap<>(SETTINGS);
        settings.put("FFMPEG_TIMEOUT_SECONDS", "0.001");
        Logged<PipelineFixture.Job> run = capturing(() -> fx.run("uploads/stopped.mp4", settings));
        assertFalse(run.result().outcome().succeeded());
        List<JsonNode> chunks = run.of("EncodeChunk");
        assertFalse(chunks.isEmpty(), run.lines()::toString);
        for (JsonNode chunk : chunks) {
            assertEquals("FAILED", chunk.path("outcome").asText(), chunk::toString);
            assertEquals("EncodeFailed.Timeout", chunk.path("error").asText(), chunk::toString);
            assertTrue(chunk.path("reason").asText().contains("FFMPEG_TIMEOUT_SECONDS"), chunk::toString);
            assertEquals(run.result().outcome().jobId(), chunk.path("jobId").asText());
        }
        JsonNode recorded = run.of("RecordFailure").get(0);
        assertEquals("SUCCEEDED", recorded.path("outcome").asText(), "recording the failure succeeded: " + recorded);
        assertEquals(run.result().outcome().jobId(), recorded.path("jobId").asText());
    }
}
