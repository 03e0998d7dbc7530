package dev.fanout.local;

import dev.fanout.encoder.storage.ObjectStore;
import dev.fanout.local.asl.LocalLambdaInvoker;
import dev.fanout.local.asl.StateMachineExecutor;
import software.amazon.awssdk.core.sync.RequestBody;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * An embedded S3 store with input/output buckets and the shipped ffmpeg, for end-to-end tests.
 * Each job runs through {@link LocalStateMachine} — the deployed ASL definition over the real
 * handlers — and its output prefix is copied to a folder for inspection.
 */
final class PipelineFixture implements AutoCloseable {
    static final String INPUT = "input";
    static final String OUTPUT = LocalRun.OUTPUT_BUCKET;

    final LayerBinaries bin = LayerBinaries.locate();
    final Path dir;
    final LocalS3 s3;
    final ObjectStore store;
    /** Where the handlers reach S3: the store itself, or a fault-injecting proxy in front of it. */
    private String handlerEndpoint;

    PipelineFixture(Path dir) throws Exception {
        this.dir = dir;
        this.s3 = LocalS3.start(dir.resolve("s3"));
        s3.createBucket(INPUT);
        s3.createBucket(OUTPUT);
        this.store = s3.objectStore();
        this.handlerEndpoint = s3.endpoint();
    }

    /** Routes the handlers' (and ffmpeg's) S3 traffic through {@code endpoint}; the fixture's own stays direct. */
    void routeHandlersThrough(String endpoint) {
        this.handlerEndpoint = endpoint;
    }

    /** Settings as a deployment would set them, pointed at the local store and binaries. */
    Map<String, String> env(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(s3.clientEnv());
        env.put("S3_ENDPOINT_URL", handlerEndpoint);
        env.put("OUTPUT_BUCKET", OUTPUT);
        env.put("FFMPEG_PATH", bin.ffmpeg().toString());
        env.put("FFPROBE_PATH", bin.ffprobe().toString());
        env.put("WORK_DIR", dir.resolve("work").toString());
        env.put("X264_PRESET", "veryfast");
        // the fixture's own metadata key (UPLOAD_METADATA) is another tool's to the encoder
        env.put("IGNORED_METADATA_KEYS", String.join(",", UPLOAD_METADATA.keySet()));
        env.putAll(overrides);
        return env;
    }

    Path generate(String name, SampleClip clip) {
        return clip.writeTo(bin.ffmpeg(), dir.resolve(name));
    }

    /** Metadata every fixture upload carries: a rewrite that does not keep it shows in {@link #inputState}. */
    static final Map<String, String> UPLOAD_METADATA = Map.of("uploaded-by", "pipeline-fixture");

    /**
     * Uploads as a user would, with a content type and metadata, then dates the stored object an
     * hour back, so that any later write of the key, even within the same second and with the same
     * bytes, gets a newer LastModified.
     */
    void upload(Path file, String key) {
        upload(file, key, Map.of());
    }

    /** As {@link #upload(Path, String)}, with job settings as user metadata beside the fixture's own. */
    void upload(Path file, String key, Map<String, String> settings) {
        Map<String, String> metadata = new java.util.HashMap<>(UPLOAD_METADATA);
        metadata.putAll(settings);
        store.client().putObject(b -> b.bucket(INPUT).key(key).contentType("video/mp4").metadata(metadata), RequestBody.fromFile(file));
        Path blob = dir.resolve("s3").resolve(INPUT).resolve(key);
        try {
            Instant anHourAgo = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
            Files.setLastModifiedTime(blob, FileTime.from(anHourAgo));
            Instant seen = store.head(INPUT, key).orElseThrow().lastModified();
            if (!seen.equals(anHourAgo)) throw new AssertionError("the store did not take the upload's date: " + seen + " for " + anHourAgo);
        } catch (IOException e) {
            throw new UncheckedIOException("dating the upload " + blob, e);
        }
    }

    /** SHA-256 (hex) of an uploaded object, streamed from the store: the input must never change. */
    String inputSha256(String key) throws IOException {
        Path copy = Files.createTempFile(dir, "input", ".bin");
        try {
            store.download(INPUT, key, copy);
            MessageDigest md = sha256();
            try (InputStream in = Files.newInputStream(copy)) {
                in.transferTo(new DigestOutputStream(OutputStream.nullOutputStream(), md));
            }
            return HexFormat.of().formatHex(md.digest());
        } finally {
            Files.delete(copy);
        }
    }

    /**
     * What an uploaded object is, bytes and all: its SHA-256 (streamed from the store) and what a
     * HEAD says about it. A rewrite with the same bytes keeps the digest and the ETag but not the
     * LastModified time (the fixture dates every upload an hour back, so a rewrite within the same
     * second still shows), and a rewrite without the upload's metadata loses it.
     */
    record InputState(String sha256, String eTag, java.time.Instant lastModified, long contentLength, String contentType,
                      Map<String, String> metadata) {}

    InputState inputState(String key) throws IOException {
        software.amazon.awssdk.services.s3.model.HeadObjectResponse h = store.head(INPUT, key).orElseThrow(
                () -> new AssertionError("the input object " + key + " is gone"));
        return new InputState(inputSha256(key), h.eTag(), h.lastModified(), h.contentLength(), h.contentType(), Map.copyOf(h.metadata()));
    }

    /**
     * SHA-256 (hex) of every published file of a job folder but job.json (which records timings), by
     * relative path; the player page with its job id (the folder name) blanked, since it names its job.
     * Two runs of the same source and settings must give equal maps.
     */
    static Map<String, String> publishedDigests(Path jobDir) {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(jobDir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String rel = jobDir.relativize(p).toString();
                if (rel.equals("job.json")) continue;
                byte[] bytes = rel.equals("index.html")
                        ? Files.readString(p).replace(jobDir.getFileName().toString(), "<jobId>").getBytes(StandardCharsets.UTF_8)
                        : Files.readAllBytes(p);
                out.put(rel, HexFormat.of().formatHex(sha256().digest(bytes)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a job for an uploaded key and copies its output prefix to a folder. */
    Job run(String key, Map<String, String> settings) throws Exception {
        return run(key, settings, (f, p) -> { });
    }

    /** As {@link #run(String, Map)}, with a hook that can inject faults before each Lambda invocation. */
    Job run(String key, Map<String, String> settings, LocalLambdaInvoker.Interceptor faults) throws Exception {
        return run(key, settings, faults, () -> { });
    }

    /**
     * As above; {@code whenEnded} runs once the execution has ended, before the Tasks it left
     * running (after a failed Map or Parallel) are waited for and the output is copied.
     */
    Job run(String key, Map<String, String> settings, LocalLambdaInvoker.Interceptor faults, Runnable whenEnded) throws Exception {
        List<String> states = new CopyOnWriteArrayList<>();
        // the machine's functions reach S3 through its IAM policy proxy (template.yaml's policies); the fixture's own calls do not
        try (LocalStateMachine machine = new LocalStateMachine(LocalStateMachine.findTemplate(), env(settings), 2, 0.001,
                new StateMachineExecutor.Listener() {
                    @Override
                    public void stateEntered(String state) { states.add(state); }
                })) {
            machine.invoker().intercept(faults);
            LocalStateMachine.Outcome outcome = machine.run(INPUT, key, whenEnded);
            Path jobDir = dir.resolve("out").resolve(outcome.jobId());
            LocalRun.downloadJob(store, outcome.jobId(), jobDir);
            return new Job(outcome, jobDir, states, machine.events().events());
        }
    }

    record Job(LocalStateMachine.Outcome outcome, Path dir, List<String> statesEntered, List<LocalEventBus.Event> events) {
        com.fasterxml.jackson.databind.JsonNode record() throws java.io.IOException {
            return dev.fanout.encoder.storage.Json.MAPPER.readTree(Files.readString(dir.resolve("job.json")));
        }
    }

    @Override
    public void close() throws Exception {
        s3.close();
    }
}
