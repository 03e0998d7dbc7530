package dev.fanout.local;

import dev.fanout.local.FaultInjectingProxy.Rule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * S3 answering 500 InternalError and 503 SlowDown — on the handlers' reads and writes, on
 * ffmpeg's reads of the source, and long enough to exhaust the SDK's own retries — costs retries,
 * never the job or its bytes: the output is identical to a fault-free run's, and the input object
 * is untouched.
 */
class StorageFaultTest {
    @TempDir
    static Path dir;
    static PipelineFixture fx;
    static FaultInjectingProxy proxy;
    static Path source;
    /**
     * Caps well above what CRF 23 needs here: x264 is byte-for-byte repeatable only while its rate
     * cap does not bind, and these tests compare a retried run's bytes with a clean run's.
     */
    static final Map<String, String> SETTINGS = Map.of("LADDER", "240@3000,144@1500", "CHUNK_SECONDS", "2");

    @BeforeAll
    static void start() throws Exception {
        fx = new PipelineFixture(dir);
        proxy = new FaultInjectingProxy(fx.s3.endpoint());
        fx.routeHandlersThrough(proxy.endpoint());
        source = fx.generate("clip.mp4", SampleClip.of(426, 240, "30", 5));
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        fx.close();
    }

    @Test
    void storageErrorsAreRetriedAndTheOutputIsIdenticalToAFaultFreeRun() throws Exception {
        fx.upload(source, "uploads/calm.mp4");
        PipelineFixture.Job calm = fx.run("uploads/calm.mp4", SETTINGS);
        assertTrue(calm.outcome().succeeded(), calm.outcome().result()::toString);

        fx.upload(source, "uploads/stormy.mp4");
        String inputBefore = fx.inputSha256("uploads/stormy.mp4");
        String job = "/output/(jobs|work)/stormy-[0-9a-f]{12}/";
        List<Rule> rules = List.of(
                // within the SDK's retries (6 attempts)
                Rule.of("plan read fails", "GET", job + "plan\\.json", 1, 500, "InternalError"),
                Rule.of("segment write throttled", "PUT", job + "video/240p/seg-00002\\.m4s", 2, 503, "SlowDown"),
                Rule.of("chunk record write throttled", "PUT", job + "chunks/00001\\.json", 1, 503, "SlowDown"),
                Rule.of("audio segment write fails", "PUT", job + "audio/seg-00001\\.m4s", 1, 500, "InternalError"),
                // the source server's reads for ffmpeg, within the SDK's retries
                Rule.sourceRead("source read throttled", "/input/uploads/stormy\\.mp4", 3, 503, "SlowDown"),
                // more than the SDK retries: the step fails with Transient.Storage and the state machine retries it
                Rule.of("manifest write throttled past the SDK's retries", "PUT", job + "manifest\\.mpd", 7, 503, "SlowDown"),
                // a chunk worker that fails halfway through its uploads: the step is retried, the
                // chunk encoded again, and its segments rewritten with the same bytes
                Rule.of("chunk upload fails past the SDK's retries", "PUT", job + "video/144p/seg-00003\\.m4s", 7, 500, "InternalError"));
        rules.forEach(proxy::add);

        java.util.concurrent.atomic.AtomicInteger packageCalls = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger chunk2Calls = new java.util.concurrent.atomic.AtomicInteger();
        PipelineFixture.Job stormy = fx.run("uploads/stormy.mp4", SETTINGS, (function, payload) -> {
            if (function.equals("PackageFunction")) packageCalls.incrementAndGet();
            if (function.equals("EncodeChunkFunction") && payload.path("chunkIndex").asInt() == 2) chunk2Calls.incrementAndGet();
        });

        assertTrue(stormy.outcome().succeeded(), () -> stormy.outcome().result() + "\ninjected: " + proxy.injected());
        for (Rule r : rules) assertEquals(r.times(), proxy.fired(r), r.name() + " fired; injected: " + proxy.injected());
        assertEquals(2, chunk2Calls.get(), "chunk 2 ran again after its upload failed");
        assertEquals(2, packageCalls.get(),
                "the package step ran again after exhausting the SDK's retries on the manifest");
        assertEquals(PipelineFixture.publishedDigests(calm.dir()), PipelineFixture.publishedDigests(stormy.dir()),
                "same files, same bytes as the fault-free run");
        assertEquals(inputBefore, fx.inputSha256("uploads/stormy.mp4"), "the input object is unchanged");
    }

    @Test
    void aSourceConnectionThatStallsIsDroppedAndReopenedNotMistakenForABadFile() throws Exception {
        fx.upload(source, "uploads/stalled.mp4");
        Rule stall = Rule.sourceReadStalls("ffprobe's first read of the source stalls", "/input/uploads/stalled\\.mp4", "(?i)\\r\\nrange: bytes=0-", 1);
        proxy.add(stall);
        long t0 = System.nanoTime();
        PipelineFixture.Job job = fx.run("uploads/stalled.mp4", SETTINGS);
        double seconds = (System.nanoTime() - t0) / 1e9;
        // without ffmpeg's read timeout this ended as InvalidInput.ProbeTimeout when the probe's time limit struck
        assertTrue(job.outcome().succeeded(), () -> job.outcome().result() + "\ninjected: " + proxy.injected());
        assertEquals(1, proxy.fired(stall));
        assertTrue(seconds < 60, "the stalled read was abandoned after ffmpeg's read timeout, not the probe's time limit: " + seconds + " s");
    }
}
