package dev.fanout.local;

import dev.fanout.encoder.media.FfmpegCommands;
import dev.fanout.encoder.media.ProcessRunner;
import dev.fanout.encoder.model.SourceRef;
import dev.fanout.encoder.source.SourceServer;
import dev.fanout.encoder.storage.ObjectStore;
import dev.fanout.encoder.storage.S3Clients;
import dev.fanout.local.FaultInjectingProxy.Rule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * S3 answering 500 InternalError and 503 SlowDown — on the handlers' reads and writes, on the
 * source server's reads for ffmpeg, and long enough to exhaust the SDK's own retries — costs
 * retries, never the job or its bytes: the output is identical to a fault-free run's, and the
 * input object is untouched. S3 failing the source server past the SDK's retries or stalling is
 * cured by ffmpeg reconnecting to the server, within the step; a body S3 breaks off, by the server
 * resuming it.
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
        // The failed attempt had already uploaded the chunk's other segment (the uploader waits for
        // the 240p upload before it reports the 144p failure): the retry encoded the chunk again and
        // overwrote output, so the byte identity below is a claim about a re-encode, not automatic.
        String otherSegment = "/output/jobs/" + stormy.outcome().jobId() + "/video/240p/seg-00003.m4s";
        assertEquals(2, proxy.forwarded("PUT", otherSegment), otherSegment + " written by both attempts of chunk 2");
        assertEquals(2, packageCalls.get(),
                "the package step ran again after exhausting the SDK's retries on the manifest");
        assertEquals(PipelineFixture.publishedDigests(calm.dir()), PipelineFixture.publishedDigests(stormy.dir()),
                "same files, same bytes as the fault-free run");
        assertEquals(inputBefore, fx.inputSha256("uploads/stormy.mp4"), "the input object is unchanged");
    }

    /**
     * The source server's first S3 read for ffprobe gets no answer. ffprobe drops the connection
     * after its read timeout (10 s) and reconnects; the new read is served. Without that, ffprobe
     * waits for the server, and the server for the SDK's socket timeout (30 s) and retry.
     */
    @Test
    void aSourceReadThatStallsIsDroppedAndReopenedNotMistakenForABadFile() throws Exception {
        fx.upload(source, "uploads/unstalled.mp4");
        PipelineFixture.Job calm = fx.run("uploads/unstalled.mp4", SETTINGS);
        assertTrue(calm.outcome().succeeded(), calm.outcome().result()::toString);

        fx.upload(source, "uploads/stalled.mp4");
        Rule stall = Rule.sourceReadStalls("ffprobe's first read of the source stalls", "/input/uploads/stalled\\.mp4", "(?i)\\r\\nrange: bytes=0-", 1);
        proxy.add(stall);
        java.util.concurrent.atomic.AtomicInteger probeCalls = new java.util.concurrent.atomic.AtomicInteger();
        PipelineFixture.Job job = fx.run("uploads/stalled.mp4", SETTINGS, (function, payload) -> {
            if (function.equals("ProbeFunction")) probeCalls.incrementAndGet();
        });
        assertTrue(job.outcome().succeeded(), () -> job.outcome().result() + "\ninjected: " + proxy.injected());
        assertEquals(1, proxy.fired(stall));
        assertEquals(1, probeCalls.get(), "cured within the probe, not by the state machine's retry");
        double extra = job.record().path("timings").path("probeSeconds").asDouble() - calm.record().path("timings").path("probeSeconds").asDouble();
        assertTrue(extra < 22, "the stall cost ffmpeg's 10 s read timeout, not the SDK's 30 s socket timeout: " + extra + " s");
    }

    /**
     * S3 fails the source server's read more often than the SDK retries (6 attempts): the server
     * answers 503, ffprobe reconnects (-reconnect_on_http_error 5xx), and the next read is served.
     * Without ffmpeg's reconnect the probe fails as Transient.SourceRead and the state machine
     * has to run it again.
     */
    @Test
    void aSourceReadFailingPastTheSdkRetriesIsCuredByFfmpegReconnecting() throws Exception {
        fx.upload(source, "uploads/throttled.mp4");
        Rule throttled = Rule.sourceRead("source read throttled past the SDK's retries", "/input/uploads/throttled\\.mp4", 7, 503, "SlowDown");
        proxy.add(throttled);
        java.util.concurrent.atomic.AtomicInteger probeCalls = new java.util.concurrent.atomic.AtomicInteger();
        PipelineFixture.Job job = fx.run("uploads/throttled.mp4", SETTINGS, (function, payload) -> {
            if (function.equals("ProbeFunction")) probeCalls.incrementAndGet();
        });
        assertTrue(job.outcome().succeeded(), () -> job.outcome().result() + "\ninjected: " + proxy.injected());
        assertEquals(7, proxy.fired(throttled));
        assertEquals(1, probeCalls.get(), "cured within the probe, not by the state machine's retry");
    }

    /**
     * S3 breaks off the body of a source read: the server resumes it with a Range from where it
     * was (SourceResumeTest has the details), and ffprobe lists exactly the packets a clean read lists.
     */
    @Test
    void aSourceBodyBrokenOffIsResumedFromWhereItWas() throws Exception {
        fx.upload(source, "uploads/broken.mp4");
        var head = fx.store.head(PipelineFixture.INPUT, "uploads/broken.mp4").orElseThrow();
        SourceRef ref = new SourceRef(PipelineFixture.INPUT, "uploads/broken.mp4", head.eTag().replace("\"", ""), head.contentLength());
        ObjectStore throughProxy = S3Clients.objectStore(fx.env(Map.of()));
        String clean;
        try (SourceServer server = SourceServer.start(throughProxy.client(), ref)) {
            clean = packets(server);
        }
        // the read of the media data from its start (the moov is at the end of this file)
        Rule cut = Rule.sourceReadCut("source body broken off", "/input/uploads/broken\\.mp4", "(?i)\\r\\nrange: bytes=48-", 1, 64 * 1024);
        proxy.add(cut);
        try (SourceServer server = SourceServer.start(throughProxy.client(), ref)) {
            String resumed = packets(server);
            assertEquals(1, proxy.fired(cut));
            assertTrue(proxy.injected().contains("GET /input/uploads/broken.mp4 -> cut after 65536 body bytes"), proxy.injected()::toString);
            assertEquals(clean, resumed, "every packet, as from a clean read");
            assertNull(server.reads().failure(), "the break was made good");
        }
    }

    private static String packets(SourceServer server) {
        ProcessRunner.Result r = ProcessRunner.run(FfmpegCommands.packetTimes(fx.bin.ffprobe(), server.url()), Duration.ofSeconds(60), 1 << 20);
        server.failIfReadsFailed("listing packets");
        assertTrue(r.ok(), r.stderrTail());
        assertTrue(r.stdout().lines().count() > 100, r.stdout());
        return r.stdout();
    }
}
