package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.errors.EncodeFailedException;
import dev.fanout.encoder.media.Ffmpeg;
import dev.fanout.encoder.media.ProcessRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the stages reach the source, end to end: the object replaced during a job fails it with
 * a name instead of encoding a mix of two uploads, and a crash of the shipped tools is named as a
 * crash, never blamed on the file.
 */
class SourceAccessTest {
    @TempDir
    static Path dir;
    static PipelineFixture fx;
    static Path first;
    static Path second;
    static final Map<String, String> SMALL = Map.of("LADDER", "180@400", "CHUNK_SECONDS", "2");

    @BeforeAll
    static void start() throws Exception {
        fx = new PipelineFixture(dir);
        first = fx.generate("first.mp4", SampleClip.of(320, 180, "30", 4));
        second = fx.generate("second.mp4", SampleClip.of(320, 180, "25", 5));
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    /** The layer's static ffprobe on a host name: the real SIGSEGV, named as what it is. */
    @Test
    void aToolKilledBySignalIsACrashNamingTheSignalAndTheTool() {
        List<String> command = List.of(fx.bin.ffprobe().toString(), "-v", "error", "http://localhost:9/x.mp4");
        ProcessRunner.Result r = ProcessRunner.run(command, Duration.ofSeconds(30), 1024);
        assertEquals(139, r.exitCode(), "the static build crashes on a name lookup: " + r.stderrTail());
        assertTrue(r.killedBySignal());
        EncodeFailedException e = assertThrows(EncodeFailedException.class, () -> Ffmpeg.failIfCrashed("reading the file's structure", command, r));
        assertEquals("EncodeFailed.Crashed", e.errorName());
        assertTrue(e.detail().startsWith("ffprobe was killed by signal 11 (SIGSEGV, exit 139) while reading the file's structure"), e.detail());

        ProcessRunner.Result refused = ProcessRunner.run(List.of(fx.bin.ffprobe().toString(), "-v", "error", "http://127.0.0.1:9/x.mp4"),
                Duration.ofSeconds(30), 1024);
        assertFalse(refused.killedBySignal(), "control: an IP literal is no lookup, ffprobe just cannot connect (exit " + refused.exitCode() + ")");
    }

    /** A crash in the probe is the pipeline's failure, not InvalidInput.Unreadable (what it was before). */
    @Test
    void aProbeThatCrashesFailsTheJobAsCrashedNotAsAnUnreadableFile() throws Exception {
        // the real ffprobe, made to look a name up whatever it is asked
        Path crashing = dir.resolve("ffprobe-that-resolves-a-name");
        Files.writeString(crashing, "#!/bin/sh\nexec " + fx.bin.ffprobe() + " -v error http://localhost:9/x.mp4\n");
        Files.setPosixFilePermissions(crashing, PosixFilePermissions.fromString("rwxr-xr-x"));
        fx.upload(first, "uploads/crash.mp4");
        PipelineFixture.Job job = fx.run("uploads/crash.mp4", Map.of("FFPROBE_PATH", crashing.toString()));
        assertFalse(job.outcome().succeeded());
        JsonNode error = job.record().path("error");
        assertEquals("EncodeFailed.Crashed", error.path("error").asText(), error::toString);
        assertTrue(error.path("reason").asText().contains("SIGSEGV"), error::toString);
    }

    /** The upload is replaced while its chunks encode: the job stops with a name, its segments are never a mix of two files. */
    @Test
    void anUploadReplacedDuringTheEncodeFailsItsJobAsSourceChanged() throws Exception {
        fx.upload(first, "uploads/replaced.mp4");
        String etag = fx.store.head(PipelineFixture.INPUT, "uploads/replaced.mp4").orElseThrow().eTag().replace("\"", "");
        AtomicBoolean replaced = new AtomicBoolean();
        PipelineFixture.Job job = fx.run("uploads/replaced.mp4", SMALL, (function, payload) -> {
            if (function.equals("EncodeChunkFunction") && replaced.compareAndSet(false, true)) fx.upload(second, "uploads/replaced.mp4");
        });
        assertTrue(replaced.get());
        assertFalse(job.outcome().succeeded());
        assertEquals("InvalidInput.SourceChanged", job.outcome().result().error(), job.outcome().result()::toString);
        JsonNode error = job.record().path("error");
        assertEquals("InvalidInput.SourceChanged", error.path("error").asText());
        assertTrue(error.path("reason").asText().contains("ETag " + etag), error::toString);
        assertFalse(Files.exists(job.dir().resolve("manifest.mpd")));
    }

    /** The event names one upload, the object is already another: the probe says so before reading it. */
    @Test
    void anEventWhoseEtagIsNoLongerTheObjectsFailsAsSourceChanged() throws Exception {
        fx.upload(first, "uploads/overwritten.mp4");
        PipelineFixture.Job job = fx.run("uploads/overwritten.mp4", SMALL, (function, payload) -> {
            // the event (and the job's name) were made from the first upload's ETag
            if (function.equals("ProbeFunction")) fx.upload(second, "uploads/overwritten.mp4");
        });
        assertEquals("InvalidInput.SourceChanged", job.outcome().result().error(), job.outcome().result()::toString);
        assertEquals(List.of("Probe and plan", "Record failure", "Announce failure", "Encoding failed"), job.statesEntered());
    }
}
