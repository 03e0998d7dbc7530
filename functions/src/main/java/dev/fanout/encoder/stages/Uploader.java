package dev.fanout.encoder.stages;

import dev.fanout.encoder.media.TrackSegmenter;
import dev.fanout.encoder.model.SegmentOutput;
import dev.fanout.encoder.model.TrackOutput;
import dev.fanout.encoder.storage.ObjectStore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

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

    /**
     * Submits a cut track's segments (and its init when {@code withInit}: every chunk writes the
     * same init bytes, so chunk 0's upload serves all; the others record its hash for the
     * reducer to compare), adds their keys to {@code written}, and returns the track's record.
     *
     * @param mediaType "video" or "audio": the init is {@code <type>/mp4}, a segment {@code <type>/iso.segment}
     */
    TrackOutput submitTrack(TrackSegmenter.Cut cut, boolean withInit, String initKey, IntFunction<String> segmentKey, String mediaType,
                            List<String> written) {
        if (withInit) {
            submit(cut.init(), initKey, mediaType + "/mp4");
            written.add(initKey);
        }
        List<SegmentOutput> segments = cut.track().segments();
        for (int i = 0; i < segments.size(); i++) {
            String key = segmentKey.apply(segments.get(i).number());
            submit(cut.segmentFiles().get(i), key, mediaType + "/iso.segment");
            written.add(key);
        }
        return cut.track();
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
