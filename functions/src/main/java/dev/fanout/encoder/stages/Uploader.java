package dev.fanout.encoder.stages;

import dev.fanout.encoder.storage.ObjectStore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Uploads files concurrently (a few at a time); {@link #close()} waits for all and rethrows the first failure. */
final class Uploader implements AutoCloseable {
    private static final int PARALLEL_UPLOADS = 8;

    private final ObjectStore store;
    private final String bucket;
    private final ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_UPLOADS);
    private final List<Future<?>> pending = new ArrayList<>();

    Uploader(ObjectStore store, String bucket) {
        this.store = store;
        this.bucket = bucket;
    }

    void submit(Path file, String key, String contentType) {
        pending.add(pool.submit(() -> store.upload(file, bucket, key, contentType)));
    }

    @Override
    public void close() {
        try {
            for (Future<?> f : pending) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) throw re;
                    throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while uploading", e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
