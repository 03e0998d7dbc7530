package dev.fanout.local;

import dev.fanout.encoder.storage.ObjectStore;
import dev.fanout.local.asl.LocalLambdaInvoker;
import dev.fanout.local.asl.StateMachineExecutor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
        env.putAll(overrides);
        return env;
    }

    Path generate(String name, SampleClip clip) {
        return clip.writeTo(bin.ffmpeg(), dir.resolve(name));
    }

    void upload(Path file, String key) {
        store.upload(file, INPUT, key, "video/mp4");
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
        LocalStateMachine machine = new LocalStateMachine(LocalStateMachine.findTemplate(), env(settings), 2, 0.001,
                new StateMachineExecutor.Listener() {
                    @Override
                    public void stateEntered(String state) { states.add(state); }
                });
        machine.invoker().intercept(faults);
        LocalStateMachine.Outcome outcome = machine.run(INPUT, key, whenEnded);
        Path jobDir = dir.resolve("out").resolve(outcome.jobId());
        LocalRun.downloadJob(store, outcome.jobId(), jobDir);
        return new Job(outcome, jobDir, states, machine.events().events());
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
