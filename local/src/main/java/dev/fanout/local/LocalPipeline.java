package dev.fanout.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.encoder.handlers.EncodeAudioHandler;
import dev.fanout.encoder.handlers.EncodeChunkHandler;
import dev.fanout.encoder.handlers.PackageHandler;
import dev.fanout.encoder.handlers.ProbeHandler;
import dev.fanout.encoder.handlers.RecordFailureHandler;
import dev.fanout.encoder.handlers.StageHandler;
import dev.fanout.encoder.stages.Messages;
import dev.fanout.encoder.storage.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one job through the real handlers in this JVM, with the flow the state machine has:
 * probe → {chunks in parallel, audio} → package, and on any error → record the failure. Each
 * handler is called through its Lambda JSON interface. Chunks run {@code parallelism} at a time.
 */
public final class LocalPipeline {
    /** Progress callbacks; called from worker threads. */
    public interface Progress {
        default void planned(Messages.ProbeResult probe) {}
        default void chunkDone(int done, int total) {}
    }

    /** How the job ended: {@code packaged} on success, {@code failure} otherwise. */
    public record Outcome(Messages.ProbeResult probe, Messages.PackageResult packaged,
                          Messages.RecordFailureResult failure, Duration wall) {
        public boolean succeeded() { return packaged != null; }

        public String jobId() { return packaged != null ? packaged.jobId() : failure.jobId(); }
    }

    private static final ObjectMapper JSON = Json.MAPPER;

    private final ProbeHandler probe;
    private final EncodeChunkHandler encodeChunk;
    private final EncodeAudioHandler encodeAudio;
    private final PackageHandler packager;
    private final RecordFailureHandler recordFailure;
    private final int parallelism;

    public LocalPipeline(Map<String, String> env, int parallelism) {
        this.probe = new ProbeHandler(env);
        this.encodeChunk = new EncodeChunkHandler(env);
        this.encodeAudio = new EncodeAudioHandler(env);
        this.packager = new PackageHandler(env);
        this.recordFailure = new RecordFailureHandler(env);
        this.parallelism = Math.max(1, parallelism);
    }

    public Outcome run(String bucket, String key, Progress progress) {
        long t0 = System.nanoTime();
        Messages.ProbeResult planned = null;
        try {
            planned = call(probe, new Messages.ProbeRequest(bucket, key, null), Messages.ProbeResult.class);
            progress.planned(planned);
            Messages.ProbeResult p = planned;
            ExecutorService pool = Executors.newFixedThreadPool(parallelism);
            try {
                Future<Messages.EncodeAudioResult> audio = CompletableFuture.supplyAsync(() ->
                        call(encodeAudio, new Messages.EncodeAudioRequest(p.outputBucket(), p.planKey()), Messages.EncodeAudioResult.class));
                AtomicInteger done = new AtomicInteger();
                List<Future<?>> chunks = new ArrayList<>();
                for (int i = 0; i < p.chunkCount(); i++) {
                    int index = i;
                    chunks.add(pool.submit(() -> {
                        call(encodeChunk, new Messages.EncodeChunkRequest(p.outputBucket(), p.planKey(), index), Messages.EncodeChunkResult.class);
                        progress.chunkDone(done.incrementAndGet(), p.chunkCount());
                    }));
                }
                for (Future<?> f : chunks) f.get();
                audio.get();
            } finally {
                pool.shutdownNow();
            }
            Messages.PackageResult packaged = call(packager, new Messages.PackageRequest(p.outputBucket(), p.planKey()), Messages.PackageResult.class);
            return new Outcome(planned, packaged, null, Duration.ofNanos(System.nanoTime() - t0));
        } catch (Exception e) {
            Throwable cause = unwrap(e);
            Messages.RecordFailureResult failed = call(recordFailure, new Messages.RecordFailureRequest(bucket, key, null,
                    cause.getClass().getName(), String.valueOf(cause.getMessage())), Messages.RecordFailureResult.class);
            return new Outcome(planned, null, failed, Duration.ofNanos(System.nanoTime() - t0));
        }
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof ExecutionException || e instanceof java.util.concurrent.CompletionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static <O> O call(StageHandler<?, ?> handler, Object request, Class<O> resultType) {
        try {
            return JSON.readValue(handler.invoke(JSON.writeValueAsString(request)), resultType);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
