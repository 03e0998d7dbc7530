package dev.fanout.local;

import dev.fanout.encoder.model.SourceRef;
import dev.fanout.encoder.source.SourceServer;
import dev.fanout.encoder.storage.ObjectStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local file read the way the stages read an upload: stored in an embedded S3 store and served
 * to ffmpeg by a {@link SourceServer} on 127.0.0.1 — for benchmarks and media tests that drive the
 * ffmpeg commands directly, without the state machine.
 */
public final class ServedFile implements AutoCloseable {
    private static final String BUCKET = "served";
    private static final AtomicInteger KEYS = new AtomicInteger();

    private final LocalS3 s3;
    private final ObjectStore store;

    private ServedFile(LocalS3 s3) {
        this.s3 = s3;
        this.store = s3.objectStore();
    }

    /** An embedded store under {@code dataDir}, ready to serve files. */
    public static ServedFile store(Path dataDir) throws Exception {
        LocalS3 s3 = LocalS3.start(dataDir);
        s3.createBucket(BUCKET);
        return new ServedFile(s3);
    }

    /** Uploads {@code file} and serves it on loopback; close the server when ffmpeg is done. */
    public SourceServer serve(Path file) throws Exception {
        String key = KEYS.incrementAndGet() + "-" + file.getFileName();
        store.upload(file, BUCKET, key, "video/mp4");
        String etag = store.head(BUCKET, key).orElseThrow().eTag().replace("\"", "");
        return SourceServer.start(store.client(), new SourceRef(BUCKET, key, etag, Files.size(file)));
    }

    @Override
    public void close() throws Exception {
        store.client().close();
        s3.close();
    }
}
