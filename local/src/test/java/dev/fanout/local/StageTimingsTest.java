package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * job.json's {@code timings} after a real run through the state machine, checked against what
 * each invocation logged about itself (its one JSON line, written after its record): every stage
 * has one invocation per log line, each record's seconds are its whole invocation (not only
 * ffmpeg), and the critical path is probe + the slowest branch invocation + package, below the
 * run's wall time because the chunks ran side by side.
 */
class StageTimingsTest {
    @TempDir
    static Path dir;
    static PipelineFixture fx;

    /** job.json's stage → the stage name of its handler's log line. */
    static final Map<String, String> LOGGED_AS = Map.of("probe", "Probe", "chunks", "EncodeChunk", "package", "Package");
    /** Between a record's PUT and the log line: the record's own PUT and the failed-job check (one GET). */
    static final double AFTER_RECORD_SECONDS = 1.0;

    @BeforeAll
    static void start() throws Exception {
        fx = new PipelineFixture(dir);
        fx.upload(fx.generate("timed.mp4", SampleClip.of(320, 180, "30", 12)), "uploads/timed.mp4");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @Test
    void everyStageReportsItsInvocationsAndTheCriticalPathIsTheSlowestOfEachPhase() throws Exception {
        InvocationLogTest.Logged<PipelineFixture.Job> run = InvocationLogTest.capturing(() ->
                fx.run("uploads/timed.mp4", Map.of("LADDER", "180@300", "CHUNK_SECONDS", "4")));
        PipelineFixture.Job job = run.result();
        assertTrue(job.outcome().succeeded(), job.outcome().result()::toString);
        JsonNode timings = job.record().path("timings");
        JsonNode stages = timings.path("stages");
        int chunkCount = job.record().path("chunkCount").asInt();
        assertEquals(3, chunkCount, "12 s in 4 s chunks");

        TreeSet<String> reported = new TreeSet<>();
        stages.fieldNames().forEachRemaining(reported::add);
        assertEquals(new TreeSet<>(LOGGED_AS.keySet()), reported, timings::toString);
        for (String stage : reported) {
            JsonNode s = stages.path(stage);
            List<Double> logged = new ArrayList<>();
            for (JsonNode line : run.of(LOGGED_AS.get(stage))) logged.add(line.path("seconds").asDouble());
            int invocations = s.path("invocations").asInt();
            double total = s.path("totalSeconds").asDouble(), max = s.path("maxSeconds").asDouble();
            assertEquals(logged.size(), invocations, stage + ": one invocation per log line " + s);
            assertTrue(max > 0 && max <= total && total <= invocations * max + 0.001, stage + ": " + s);
            double loggedMax = logged.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            double loggedSum = logged.stream().mapToDouble(Double::doubleValue).sum();
            // the record is written just before the invocation ends: a little less than its log line's time, never more
            assertTrue(max <= loggedMax + 0.001 && max >= loggedMax - AFTER_RECORD_SECONDS, stage + ": max " + max + " vs logged " + logged);
            assertTrue(total <= loggedSum + 0.001 * invocations && total >= loggedSum - AFTER_RECORD_SECONDS * invocations,
                    stage + ": total " + total + " vs logged " + logged);
        }
        JsonNode chunks = stages.path("chunks");
        assertEquals(chunkCount, chunks.path("invocations").asInt());
        // the whole invocation: more than the encodes and uploads the records also break out
        assertTrue(chunks.path("totalSeconds").asDouble() > timings.path("chunkEncodeSeconds").asDouble() + timings.path("chunkUploadSeconds").asDouble(),
                timings::toString);
        assertTrue(chunks.path("maxSeconds").asDouble() >= timings.path("chunkEncodeMaxSeconds").asDouble(), timings::toString);

        double probe = stages.path("probe").path("maxSeconds").asDouble();
        double pkg = stages.path("package").path("maxSeconds").asDouble();
        double critical = timings.path("criticalPathSeconds").asDouble();
        assertEquals(probe + chunks.path("maxSeconds").asDouble() + pkg, critical, 0.002, timings::toString);
        assertTrue(critical < probe + chunks.path("totalSeconds").asDouble() + pkg, "the chunks run side by side, not one after another: " + timings);
        double wall = job.outcome().wall().toNanos() / 1e9;
        assertTrue(critical <= timings.path("wallSeconds").asDouble() && critical < wall,
                "critical path " + critical + " s within the job's wall time " + timings.path("wallSeconds") + " s (run: " + wall + " s)");
    }
}
