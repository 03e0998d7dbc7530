package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.local.asl.StatesError;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
class StateMachineRunTest extends PipelineTestBase {
    Path source;
    /**
     * Caps well above what CRF 23 needs here: x264 is byte-for-byte repeatable only while its rate
     * cap does not bind, and these tests compare a retried run's bytes with a clean run's.
     */
    static final Map<String, String> SETTINGS = Map.of("LADDER", "240@3000,144@1500", "CHUNK_SECONDS", "2");

    @BeforeAll
    void start() throws Exception {
        source = fx.generate("clip.mp4", SampleClip.of(426, 240, "30", 5));
    }

    @Test
    void aChunkThatFailsOnceIsRetriedAndTheOutputIsUnchanged() throws Exception {
        fx.upload(source, "uploads/clean.mp4");
        PipelineFixture.Job clean = fx.run("uploads/clean.mp4", SETTINGS);
        assertTrue(clean.outcome().succeeded(), clean.outcome().result()::toString);
        java.util.Set<String> inBranches = java.util.Set.of("Encode chunk");
        assertEquals(List.of("Probe and plan", "Already encoded?", "Encode chunks", "Package DASH", "Announce success", "Done"),
                clean.statesEntered().stream().filter(s -> !inBranches.contains(s)).toList());
                assertFalse(clean.statesEntered().contains("Encode audio") || clean.statesEntered().contains("Make thumbnails"),
                "the audio and the thumbnails are made in the chunks: " + clean.statesEntered());
        assertEquals(3, clean.statesEntered().stream().filter(s -> s.equals("Encode chunk")).count(), "5 s in 2 s chunks: 3 map items");
        assertEquals(List.of(), fx.store.list(PipelineFixture.OUTPUT, "work/" + clean.outcome().jobId() + "/"),
                "a published job's work files are deleted");
        assertEquals(1, clean.events().size(), clean.events()::toString);
        LocalEventBus.Event done = clean.events().get(0);
        assertEquals("fanout.encoder", done.source());
        assertEquals("Encoding Job Succeeded", done.detailType());
        assertEquals("SUCCEEDED", done.detail().path("status").asText());
        assertEquals(clean.outcome().jobId(), done.detail().path("jobId").asText());
        assertEquals("uploads/clean.mp4", done.detail().path("input").path("key").asText());
        assertEquals("jobs/" + clean.outcome().jobId() + "/manifest.mpd", done.detail().path("output").path("manifest").asText());
        assertEquals("jobs/" + clean.outcome().jobId() + "/job.json", done.detail().path("output").path("jobRecord").asText());
        assertEquals(5.0, done.detail().path("durationSeconds").asDouble(), 0.05);
        assertEquals("jobs/" + clean.outcome().jobId() + "/master.m3u8", done.detail().path("output").path("masterPlaylist").asText());
        assertEquals("jobs/" + clean.outcome().jobId() + "/index.html", done.detail().path("output").path("playerPage").asText());
        assertTrue(done.detail().path("output").path("playerUrl").isNull(), "no public base URL configured");

        fx.upload(source, "uploads/flaky.mp4");
        AtomicInteger chunk1Calls = new AtomicInteger();
        PipelineFixture.Job flaky = fx.run("uploads/flaky.mp4", SETTINGS, (function, payload) -> {
            if (function.equals("EncodeChunkFunction") && payload.path("chunkIndex").asInt() == 1 && chunk1Calls.incrementAndGet() == 1) {
                throw new StatesError("Lambda.ServiceException", "injected: Lambda is unavailable");
            }
        });
        assertTrue(flaky.outcome().succeeded(), flaky.outcome().result()::toString);
        assertEquals(2, chunk1Calls.get(), "chunk 1 was invoked again after the service error");
        assertEquals(PipelineFixture.publishedDigests(clean.dir()), PipelineFixture.publishedDigests(flaky.dir()),
                "same files, same bytes as the fault-free run");
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
        assertEquals(1, job.events().size(), job.events()::toString);
        assertEquals("Encoding Job Failed", job.events().get(0).detailType());
        assertEquals("EncodeFailed.Timeout", job.events().get(0).detail().path("error").asText());
        assertEquals(record.path("error").path("reason").asText(), job.events().get(0).detail().path("reason").asText());
        assertEquals("jobs/" + job.outcome().jobId() + "/job.json", job.events().get(0).detail().path("output").path("jobRecord").asText());
        assertEquals(1, job.statesEntered().stream().filter(s -> s.equals("Probe and plan")).count(), "a permanent error is not retried");
    }

    @Test
    void withAPublicBaseUrlTheRecordAndTheEventCarryViewerUrls() throws Exception {
        fx.upload(source, "uploads/public.mp4");
        Map<String, String> settings = new java.util.HashMap<>(SETTINGS);
        settings.put("PUBLIC_BASE_URL", "https://d1234.cloudfront.example");
        PipelineFixture.Job job = fx.run("uploads/public.mp4", settings);
        assertTrue(job.outcome().succeeded(), job.outcome().result()::toString);
        String base = "https://d1234.cloudfront.example/jobs/" + job.outcome().jobId() + "/";
        JsonNode urls = job.record().path("outputs").path("urls");
        assertEquals(base + "index.html", urls.path("playerPage").asText());
        assertEquals(base + "manifest.mpd", urls.path("manifest").asText());
        assertEquals(base + "master.m3u8", urls.path("masterPlaylist").asText());
        assertEquals(base + "index.html", job.events().get(0).detail().path("output").path("playerUrl").asText());
    }

    @Test
    void aStartByHandWithABlankEtagNamesOneJobEverywhere() throws Exception {
        // the README's manual start-execution, for a job that fails after the probe: the plan, the
        // segments, job.json, the cleanup and the event must all name the same job
        fx.upload(source, "uploads/by-hand.mp4");
        String etag = fx.store.head(PipelineFixture.INPUT, "uploads/by-hand.mp4").orElseThrow().eTag().replace("\"", "");
        Map<String, String> settings = new java.util.HashMap<>(SETTINGS);
        settings.put("FFMPEG_TIMEOUT_SECONDS", "0.001");
        LocalStateMachine machine = new LocalStateMachine(LocalStateMachine.findTemplate(), fx.env(settings), 2, 0.001,
                new dev.fanout.local.asl.StateMachineExecutor.Listener() {});
        JsonNode input = dev.fanout.encoder.storage.Json.MAPPER.createObjectNode()
                .put("bucket", PipelineFixture.INPUT).put("key", "uploads/by-hand.mp4").put("etag", "");
        LocalStateMachine.Outcome outcome = machine.execute(input, "by-hand");
        assertFalse(outcome.succeeded());
        String jobId = dev.fanout.encoder.plan.JobIds.of(PipelineFixture.INPUT, "uploads/by-hand.mp4", etag);
        assertEquals(jobId, outcome.jobId());
        assertEquals(List.of("jobs/" + jobId + "/job.json"),
                fx.store.list(PipelineFixture.OUTPUT, "jobs/by-hand-").stream().map(o -> o.key()).toList(),
                "one job folder, holding only the failed job's record");
        assertTrue(fx.store.list(PipelineFixture.OUTPUT, "work/by-hand-").stream().allMatch(o -> o.key().startsWith("work/" + jobId + "/")));
        JsonNode record = fx.store.getJson(PipelineFixture.OUTPUT, "jobs/" + jobId + "/job.json", JsonNode.class);
        assertEquals("EncodeFailed.Timeout", record.path("error").path("error").asText(), record::toPrettyString);
        assertEquals(jobId, machine.events().events().get(0).detail().path("jobId").asText());
    }

    @Test
    void aReRunOfAFinishedJobLeavesItsOutputAsItIs() throws Exception {
        fx.upload(source, "uploads/twice.mp4");
        PipelineFixture.Job first = fx.run("uploads/twice.mp4", SETTINGS);
        assertTrue(first.outcome().succeeded(), first.outcome().result()::toString);
        Map<String, String> published = PipelineFixture.publishedDigests(first.dir());
        byte[] record = Files.readAllBytes(first.dir().resolve("job.json"));

        PipelineFixture.Job again = fx.run("uploads/twice.mp4", SETTINGS);
        assertTrue(again.outcome().succeeded(), again.outcome().result()::toString);
        assertEquals(first.outcome().jobId(), again.outcome().jobId());
        assertTrue(again.statesEntered().contains("Kept the earlier output"), again.statesEntered()::toString);
        assertFalse(again.statesEntered().contains("Encode chunk"), "nothing was encoded again");
        assertEquals(List.of(), again.events(), "no second completion event for an unchanged job");
        assertEquals(published, PipelineFixture.publishedDigests(again.dir()), "every published file untouched");
        assertArrayEquals(record, Files.readAllBytes(again.dir().resolve("job.json")), "job.json untouched");
    }

    /**
     * The README's way to re-encode a failed job: start it again with the same input. The failed
     * run's finished chunks must not be taken as done by the second run (their segments were
     * removed with the failure), so the second run publishes every init and segment.
     */
    @Test
    void aFailedJobKeepsOnlyItsRecordAndARunAgainPublishesACompleteJob() throws Exception {
        fx.upload(source, "uploads/unlucky.mp4");
        AtomicInteger encodedChunks = new AtomicInteger();
        PipelineFixture.Job failed = fx.run("uploads/unlucky.mp4", SETTINGS, (function, payload) -> {
            if (!function.equals("EncodeChunkFunction")) return;
            if (payload.path("chunkIndex").asInt() == 2) {
                throw new StatesError("dev.fanout.encoder.errors.EncodeFailedException", "EncodeFailed.Ffmpeg: injected permanent failure");
            }
            encodedChunks.incrementAndGet();
        });
        assertFalse(failed.outcome().succeeded());
        assertTrue(encodedChunks.get() >= 1, "other chunks ran and uploaded their segments");
        assertEquals("FAILED", failed.record().path("status").asText());
        try (Stream<Path> left = Files.walk(failed.dir())) {
            assertEquals(List.of("job.json"), left.filter(Files::isRegularFile).map(p -> failed.dir().relativize(p).toString()).toList(),
                    "no segment, init or manifest of the failed run is left where a player could find it");
        }

        PipelineFixture.Job retried = fx.run("uploads/unlucky.mp4", SETTINGS);
        assertTrue(retried.outcome().succeeded(), retried.outcome().result()::toString);
        assertEquals("SUCCEEDED", retried.record().path("status").asText());
        assertEquals(failed.outcome().jobId(), retried.outcome().jobId(), "the same upload is the same job");
        // 5 s at 30 fps, 2 s segments (60 frames), with audio
        check.assertComplete(retried.dir(), source, 150, 30, 1, 60, true);
        assertEquals(List.of(), fx.store.list(PipelineFixture.OUTPUT, "work/" + retried.outcome().jobId() + "/"),
                "a published job's work files are deleted");
    }

    /**
     * Step Functions cannot stop a Lambda that is running when its Map or Parallel fails. Here
     * chunk 0 (which also takes tiles and the poster) and the audio have read their plan and started ffmpeg, which is held
     * (a wrapper script waits for a file) until the execution has ended — job.json FAILED,
     * RecordFailure's cleanup done; then they encode and upload. Afterwards the job still holds
     * only job.json, and its work prefix nothing.
     */
    @Test
    void workersThatFinishAfterTheFailureWasRecordedLeaveNothingBehind() throws Exception {
        fx.upload(source, "uploads/late.mp4");
        Path gate = Files.createDirectories(dir.resolve("ffmpeg-gate"));
        Path hold = gate.resolve("hold");
        Path release = gate.resolve("release");
        Path wrapper = gate.resolve("ffmpeg");
        // ffmpeg runs with an empty environment: only shell builtins and absolute paths here
        Files.writeString(wrapper, "#!/bin/sh\n"
                + "if [ -e '" + hold + "' ] && [ ! -e '" + release + "' ]; then\n"
                + "  : > '" + gate + "/started.'$$\n"
                + "  while [ ! -e '" + release + "' ]; do /bin/sleep 0.05; done\n"
                + "fi\n"
                + "exec '" + fx.bin.ffmpeg() + "' \"$@\"\n");
        wrapper.toFile().setExecutable(true);
        Map<String, String> settings = new java.util.HashMap<>(SETTINGS);
        settings.put("FFMPEG_PATH", wrapper.toString());
        PipelineFixture.Job failed = fx.run("uploads/late.mp4", settings, (function, payload) -> {
            if (function.equals("EncodeChunkFunction")) {
                try {
                    if (!Files.exists(hold)) Files.createFile(hold); // the probe is done: hold the encoders' ffmpeg
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // another branch made it
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            if (function.equals("EncodeChunkFunction") && payload.path("chunkIndex").asInt() == 1) {
                // fail the Map only once chunk 0 (its video with its tiles and the poster; its audio piece follows) is inside ffmpeg
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (startedCount(gate) < 1 && System.nanoTime() < deadline) sleepQuietly(50);
                throw new StatesError("dev.fanout.encoder.errors.EncodeFailedException", "EncodeFailed.Ffmpeg: injected permanent failure");
            }
        }, () -> {
            List<String> left = fx.store.list(PipelineFixture.OUTPUT, "jobs/late-").stream().map(o -> o.key()).toList();
            assertEquals(1, left.size(), "only job.json when the execution ends: " + left);
            JsonNode record = fx.store.getJson(PipelineFixture.OUTPUT, left.get(0), JsonNode.class);
            assertEquals("FAILED", record.path("status").asText(), "RecordFailure ran before the held workers go on");
            try {
                Files.createFile(release);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertFalse(failed.outcome().succeeded());
        assertEquals(1, startedCount(gate), "chunk 0 was held inside ffmpeg (chunk 1 failed; with two at a time, chunk 2 never started)");
        String jobId = failed.outcome().jobId();
        assertEquals(List.of("jobs/" + jobId + "/job.json"),
                fx.store.list(PipelineFixture.OUTPUT, "jobs/" + jobId + "/").stream().map(o -> o.key()).toList(),
                "no init, segment (video or audio), poster or sprite uploaded late is left");
        assertEquals(List.of(), fx.store.list(PipelineFixture.OUTPUT, "work/" + jobId + "/").stream().map(o -> o.key()).toList(),
                "no record of the failed run is left for a new run to find");
        assertEquals("FAILED", failed.record().path("status").asText(), "the late workers did not overwrite the failure record");
    }

    private static long startedCount(Path gate) {
        try (Stream<Path> files = Files.list(gate)) {
            return files.filter(p -> p.getFileName().toString().startsWith("started.")).count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Package publishes a complete job or nothing: a segment gone before packaging is a named error. */
    @Test
    void aSegmentMissingAtPackagingFailsTheJobAndPublishesNothing() throws Exception {
        assertMissingAtPackagingFails("lost", "video/144p/seg-00002.m4s");
    }

    /** The audio pieces' segments are checked like the video's (the source has audio; segment 2 is a later chunk's piece). */
    @Test
    void anAudioSegmentMissingAtPackagingFailsTheJobToo() throws Exception {
        assertMissingAtPackagingFails("lost-audio", "audio/seg-00002.m4s");
    }

    private void assertMissingAtPackagingFails(String name, String lost) throws Exception {
        fx.upload(source, "uploads/" + name + ".mp4");
        PipelineFixture.Job job = fx.run("uploads/" + name + ".mp4", SETTINGS, (function, payload) -> {
            if (function.equals("PackageFunction")) {
                String key = "jobs/" + payload.path("jobId").asText() + "/" + lost;
                assertTrue(fx.store.head(PipelineFixture.OUTPUT, key).isPresent(), key + " was uploaded");
                fx.store.deletePrefix(PipelineFixture.OUTPUT, key, k -> false);
            }
        });
        assertFalse(job.outcome().succeeded());
        assertEquals("EncodeFailed.MissingSegment", job.outcome().result().error());
        JsonNode record = job.record();
        assertEquals("FAILED", record.path("status").asText());
        assertTrue(record.path("error").path("reason").asText().contains(lost + " is missing"), record::toPrettyString);
        try (Stream<Path> left = Files.walk(job.dir())) {
            assertEquals(List.of("job.json"), left.filter(Files::isRegularFile).map(p -> job.dir().relativize(p).toString()).toList(),
                    "no manifest, playlist or player page names the incomplete job");
        }
    }
}
