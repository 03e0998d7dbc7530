package dev.fanout.local;

import dev.fanout.encoder.media.FfmpegCommands;
import dev.fanout.encoder.media.ProcessRunner;
import dev.fanout.encoder.model.SourceRef;
import dev.fanout.encoder.source.SourceReads;
import dev.fanout.encoder.source.SourceServer;
import dev.fanout.encoder.storage.ObjectStore;
import dev.fanout.encoder.storage.S3Clients;
import dev.fanout.local.FaultInjectingProxy.Rule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * S3 breaking off the body of a source read — what S3 does to a reader that stops reading (an
 * encoder busy for tens of seconds), and what the embedded store's idle timeout did under load —
 * is resumed by the source server itself, with a ranged GET from the byte it reached: real ffmpeg
 * decodes every frame, exactly as from a clean read, and never sees the cut (it reports a body
 * short of its Content-Length as "Stream ends prematurely"), so nothing depends on ffmpeg's few
 * reconnects or on its taking a failed read for the end of the file.
 */
class SourceResumeTest {
    @TempDir
    static Path dir;
    static PipelineFixture fx;
    static FaultInjectingProxy proxy;
    static Path clip;
    /** The read of the media data from its start (the moov is at the end of the clip, the mdat's payload begins at byte 48). */
    static final String MEDIA_READ = "(?i)\\r\\nrange: bytes=48-";
    static final int CUT_AFTER = 64 * 1024;
    /**
     * A read on after the first cut (which stops at byte 65,584): one starting at byte 49 to
     * 259,999, whoever makes it — the server resuming, or ffmpeg reconnecting from what reached
     * it, or seeking on. Not the first media read (byte 48) nor the moov's (the end of the clip).
     */
    static final String READ_ON_AFTER_THE_CUT = "(?i)\\r\\nrange: bytes=(49|[5-9]\\d|[1-9]\\d{2,4}|1\\d{5}|2[0-5]\\d{4})-";

    @BeforeAll
    static void start() throws Exception {
        fx = new PipelineFixture(dir);
        proxy = new FaultInjectingProxy(fx.s3.endpoint());
        fx.routeHandlersThrough(proxy.endpoint());
        clip = fx.generate("clip.mp4", SampleClip.of(320, 180, "30", 6));
        assertTrue(Files.size(clip) > 300_000, "the moov read lies past READ_ON_AFTER_THE_CUT's window");
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        fx.close();
    }

    record Decoded(String frames, SourceReads reads, ProcessRunner.Result run) {
        long frameCount() { return frames.lines().filter(l -> l.startsWith("0,")).count(); }
    }

    /** Real ffmpeg decodes every video frame of the source through a source server reading S3 through the proxy. */
    static Decoded decode(String key) {
        var head = fx.store.head(PipelineFixture.INPUT, key).orElseThrow();
        SourceRef ref = new SourceRef(PipelineFixture.INPUT, key, head.eTag().replace("\"", ""), head.contentLength());
        ObjectStore throughProxy = S3Clients.objectStore(fx.env(Map.of()));
        try (SourceServer server = SourceServer.start(throughProxy.client(), ref)) {
            ProcessRunner.Result r = ProcessRunner.run(FfmpegCommands.tailCheck(fx.bin.ffmpeg(), server.url(), 0), Duration.ofMinutes(2), 1 << 20);
            return new Decoded(r.stdout(), server.reads(), r);
        }
    }

    @Test
    void aBodyBrokenOffTwiceIsResumedByTheServerAndFfmpegDecodesEveryFrameWithoutReconnecting() {
        fx.upload(clip, "uploads/cut.mp4");
        Decoded clean = decode("uploads/cut.mp4");
        assertTrue(clean.run().ok(), clean.run().stderrTail());
        assertEquals(180, clean.frameCount(), "6 s at 30 fps");

        Rule first = Rule.sourceReadCut("media read broken off", "/input/uploads/cut\\.mp4", MEDIA_READ, 1, CUT_AFTER);
        Rule again = Rule.sourceReadCut("the read on broken off too", "/input/uploads/cut\\.mp4", READ_ON_AFTER_THE_CUT, 1, CUT_AFTER);
        proxy.add(first);
        proxy.add(again);
        Decoded cut = decode("uploads/cut.mp4");
        assertEquals(1, proxy.fired(first), proxy.injected()::toString);
        assertTrue(proxy.injected().contains("GET /input/uploads/cut.mp4 -> cut after 65536 body bytes"), proxy.injected()::toString);

        assertTrue(cut.run().ok(), cut.run().stderrTail());
        assertEquals(clean.frames(), cut.frames(), "every frame, each as from a clean read");
        assertNull(cut.reads().failure(), "nothing failed that was not made good");
        // the second break is met only if ffmpeg reads on that far on the resumed body before it seeks elsewhere
        assertTrue(cut.reads().resumed() >= 1 && cut.reads().resumed() <= 2, "the server resumed the broken-off body: " + cut.reads());
        assertFalse(cut.run().stderrTail().contains("Stream ends prematurely"), "ffmpeg never saw a cut: " + cut.run().stderrTail());
    }

    /**
     * S3 breaking off a body, then four times in a row before a single byte: more than ffmpeg 4.4.1
     * rides out on its own (it reconnects four times, after 0, 1, 3 and 7 s, then gives up and
     * takes the read error for the end of its input), not more than the server's resumes.
     */
    @Test
    void fourBreaksInARowBeforeAnyByteStillGiveEveryFrame() {
        fx.upload(clip, "uploads/flaky.mp4");
        Decoded clean = decode("uploads/flaky.mp4");
        assertTrue(clean.run().ok(), clean.run().stderrTail());

        Rule first = Rule.sourceReadCut("media read broken off", "/input/uploads/flaky\\.mp4", MEDIA_READ, 1, CUT_AFTER);
        Rule again = Rule.sourceReadCut("every read on broken off at once", "/input/uploads/flaky\\.mp4", READ_ON_AFTER_THE_CUT, 4, 0);
        proxy.add(first);
        proxy.add(again);
        Decoded cut = decode("uploads/flaky.mp4");
        assertEquals(1, proxy.fired(first), proxy.injected()::toString);
        assertEquals(4, proxy.fired(again), proxy.injected()::toString);

        assertTrue(cut.run().ok(), cut.run().stderrTail());
        assertEquals(clean.frames(), cut.frames(), "every frame, each as from a clean read");
        assertNull(cut.reads().failure(), "nothing failed that was not made good");
        // a break before the body's first byte can also be taken up by the SDK's own retry of the GET
        assertTrue(cut.reads().resumed() >= 1 && cut.reads().resumed() <= 5, cut.reads()::toString);
        assertFalse(cut.run().stderrTail().contains("Stream ends prematurely"), "ffmpeg never saw a break: " + cut.run().stderrTail());
    }
}
