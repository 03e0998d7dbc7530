package dev.fanout.local;

import dev.fanout.encoder.model.SourceRef;
import dev.fanout.encoder.source.SourceReads;
import dev.fanout.encoder.source.SourceServer;
import dev.fanout.encoder.storage.ObjectStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loopback source server over the real S3 API of the embedded store (addressed by host name). */
class SourceServerTest {
    @TempDir
    static Path dir;
    static LocalS3 s3;
    static ObjectStore store;
    static final HttpClient http = HttpClient.newHttpClient();
    static byte[] content;

    @BeforeAll
    static void start() throws Exception {
        s3 = LocalS3.start(dir.resolve("s3"));
        s3.createBucket("input");
        store = s3.objectStore();
        content = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(content);
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    static SourceRef upload(String key, byte[] bytes) throws Exception {
        Path f = Files.write(dir.resolve(key.replace('/', '_')), bytes);
        store.upload(f, "input", key, "video/mp4");
        var head = store.head("input", key).orElseThrow();
        return new SourceRef("input", key, head.eTag().replace("\"", ""), head.contentLength());
    }

    static HttpResponse<byte[]> get(String url, String range) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (range != null) b.header("Range", range);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void servesTheWholeObjectAndEachFormOfSingleRange() throws Exception {
        SourceRef ref = upload("uploads/a.mp4", content);
        try (SourceServer server = SourceServer.start(store.client(), ref)) {
            assertTrue(server.url().startsWith("http://127.0.0.1:"), server.url());
            HttpResponse<byte[]> whole = get(server.url(), null);
            assertEquals(200, whole.statusCode());
            assertArrayEquals(content, whole.body());

            int n = content.length;
            HttpResponse<byte[]> mid = get(server.url(), "bytes=1000-1999");
            assertEquals(206, mid.statusCode());
            assertEquals("bytes 1000-1999/" + n, mid.headers().firstValue("Content-Range").orElseThrow());
            assertArrayEquals(Arrays.copyOfRange(content, 1000, 2000), mid.body());
            assertArrayEquals(Arrays.copyOfRange(content, n - 100, n), get(server.url(), "bytes=" + (n - 100) + "-").body());
            assertArrayEquals(Arrays.copyOfRange(content, n - 10, n), get(server.url(), "bytes=-10").body());

            HttpResponse<byte[]> past = get(server.url(), "bytes=" + n + "-");
            assertEquals(416, past.statusCode());
            assertEquals("bytes */" + n, past.headers().firstValue("Content-Range").orElseThrow());

            HttpResponse<Void> head = http.send(HttpRequest.newBuilder(URI.create(server.url())).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertEquals(200, head.statusCode());
            assertEquals(String.valueOf(n), head.headers().firstValue("Content-Length").orElseThrow());

            assertEquals(404, get(server.url().replace("/source", "/other"), null).statusCode(), "one object at one path");
            assertEquals(405, http.send(HttpRequest.newBuilder(URI.create(server.url())).PUT(HttpRequest.BodyPublishers.ofString("x")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());

            SourceReads reads = server.reads();
            assertNull(reads.failure());
            assertEquals((long) n + 1000 + 100 + 10, reads.bytesServed(), "counts what it served (HEAD and 416 serve nothing)");
        }
    }

    /** ffmpeg drops connections whenever it seeks; several are open at once. Nothing of that is a failure. */
    @Test
    void servesSeveralConnectionsAtOnceAndShrugsOffOnesClosedEarly() throws Exception {
        SourceRef ref = upload("uploads/b.mp4", content);
        try (SourceServer server = SourceServer.start(store.client(), ref)) {
            for (int i = 0; i < 5; i++) {
                try (InputStream in = URI.create(server.url()).toURL().openStream()) {
                    in.readNBytes(10_000); // then close with megabytes unread
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<byte[]>> parts = new java.util.ArrayList<>();
                int part = content.length / 8 + 1;
                for (int i = 0; i < 8; i++) {
                    long first = (long) i * part;
                    long last = Math.min(content.length - 1, first + part - 1);
                    parts.add(pool.submit(() -> get(server.url(), "bytes=" + first + "-" + last).body()));
                }
                java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
                for (Future<byte[]> f : parts) joined.write(f.get());
                assertArrayEquals(content, joined.toByteArray(), "eight ranges at once make up the object");
            } finally {
                pool.shutdown();
            }
            assertNull(server.reads().failure(), "early closes are not failures");
        }
    }

    /** Every read is pinned to the job's ETag: the object replaced mid-job is never served, and the record says why. */
    @Test
    void anObjectReplacedAfterTheJobStartedIsRefusedWithTheNamedError() throws Exception {
        SourceRef ref = upload("uploads/c.mp4", content);
        try (SourceServer server = SourceServer.start(store.client(), ref)) {
            assertEquals(206, get(server.url(), "bytes=0-99").statusCode());
            byte[] newer = content.clone();
            newer[0] ^= 1;
            upload("uploads/c.mp4", newer);
            HttpResponse<byte[]> after = get(server.url(), "bytes=0-99");
            assertEquals(412, after.statusCode(), "the newer upload's bytes are not served");
            SourceReads.Failure f = server.reads().failure();
            assertEquals(SourceReads.Kind.CHANGED, f.kind());
            assertEquals("InvalidInput.SourceChanged", server.reads().error(ref, "probing").errorName());
        }
    }

    @Test
    void anObjectDeletedAfterTheJobStartedIsMissing() throws Exception {
        SourceRef ref = upload("uploads/d.mp4", content);
        try (SourceServer server = SourceServer.start(store.client(), ref)) {
            store.client().deleteObject(b -> b.bucket("input").key("uploads/d.mp4"));
            assertEquals(404, get(server.url(), "bytes=0-99").statusCode());
            assertEquals("InvalidInput.Missing", server.reads().error(ref, "probing").errorName());
        }
    }
}
