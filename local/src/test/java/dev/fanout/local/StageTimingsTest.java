package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * job.json's {@code timings} after a real run through the state machine, checked against what
 * each invocation logged about itself (its one JSON line, written after its record) and against
 * the order in which its S3 requests reached a proxy in front of the store: every stage has one
 * invocation per log line, each record's seconds are its whole invocation up to the record (not
 * only ffmpeg), and the critical path is probe + the slowest branch invocation + package, below
 * the run's wall time because the chunks ran side by side. No bound depends on the machine's
 * speed: each compares two clocks read in an order the code fixes.
 */
class StageTimingsTest {
    @TempDir
    static Path dir;
    static PipelineFixture fx;
    static FaultInjectingProxy proxy;

    /** job.json's stage → the stage name of its handler's log line. */
    static final Map<String, String> LOGGED_AS = Map.of("probe", "Probe", "chunks", "EncodeChunk", "package", "Package");

    @BeforeAll
    static void start() throws Exception {
        fx = new PipelineFixture(dir);
        // no rules: it only notes when each of the functions' requests arrives
        proxy = new FaultInjectingProxy(fx.s3.endpoint());
        fx.routeHandlersThrough(proxy.endpoint());
        fx.upload(fx.generate("timed.mp4", SampleClip.of(320, 180, "30", 12)), "uploads/timed.mp4");
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
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
            // the record is made before the invocation logs its line: never more than the line's time
            assertTrue(max <= loggedMax + 0.001, stage + ": max " + max + " vs logged " + logged);
            assertTrue(total <= loggedSum + 0.001 * invocations, stage + ": total " + total + " vs logged " + logged);
        }
        // ... and after every request the invocation made before it: at least the time from its
        // first request's arrival to the arrival of its last one before the record
        String work = "/" + PipelineFixture.OUTPUT + "/work/" + job.record().path("jobId").asText() + "/";
        List<FaultInjectingProxy.Passed> passed = proxy.passed().stream()
                .sorted(Comparator.comparingLong(FaultInjectingProxy.Passed::arrivedNanos)).toList();
        long subtitlesWritten = first(passed, "PUT", work + "subtitles.json"); // the probe's last call before its record (the plan's PUTs follow)
        // its first: its HEAD of the upload (the execution's start HEADs it too, before)
        long uploadHeaded = lastBefore(passed, "HEAD", "/" + PipelineFixture.INPUT + "/uploads/timed.mp4", subtitlesWritten);
        double probeSpan = span(uploadHeaded, subtitlesWritten);
        assertTrue(stages.path("probe").path("maxSeconds").asDouble() >= probeSpan - 0.001, "probe " + stages.path("probe") + " < " + probeSpan);
        // the package's last call before its record: the player page (job.json's PUT follows);
        // its first: its read of the plan (each chunk read it before)
        long pageWritten = first(passed, "PUT", "/" + PipelineFixture.OUTPUT + "/" + job.record().path("outputs").path("playerPage").asText());
        double packageSpan = span(lastBefore(passed, "GET", work + "plan.json", pageWritten), pageWritten);
        assertTrue(stages.path("package").path("maxSeconds").asDouble() >= packageSpan - 0.001,
                "package " + stages.path("package") + " < " + packageSpan);
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

    /** When the first request "method path" reached the proxy. */
    static long first(List<FaultInjectingProxy.Passed> passed, String method, String path) {
        return passed.stream().filter(p -> p.method().equals(method) && p.path().equals(path))
                .mapToLong(FaultInjectingProxy.Passed::arrivedNanos).findFirst()
                .orElseThrow(() -> new AssertionError("no " + method + " " + path + " reached the store: " + passed));
    }

    /** When the last request "method path" before {@code beforeNanos} reached the proxy. */
    static long lastBefore(List<FaultInjectingProxy.Passed> passed, String method, String path, long beforeNanos) {
        return passed.stream().filter(p -> p.method().equals(method) && p.path().equals(path) && p.arrivedNanos() < beforeNanos)
                .mapToLong(FaultInjectingProxy.Passed::arrivedNanos).max()
                .orElseThrow(() -> new AssertionError("no " + method + " " + path + " reached the store before: " + passed));
    }

    static double span(long fromNanos, long toNanos) {
        assertTrue(toNanos > fromNanos, "in the order the stage makes them");
        return (toNanos - fromNanos) / 1e9;
    }
}
