package dev.fanout.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fanout.encoder.storage.ObjectStore;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves one bucket read-only over plain HTTP on 127.0.0.1, as a CDN in front of the output
 * bucket would: {@code GET /<key>} streams the object straight from the store, a missing key is a
 * 404. Players and ffmpeg's HLS/DASH demuxers then resolve relative URIs the way they would in
 * production. Every request is logged, so a test can prove nothing was missing.
 */
final class BucketHttpServer implements AutoCloseable {
    record Request(String key, int status) {}

    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    BucketHttpServer(ObjectStore store, String bucket) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", exchange -> serve(store, bucket, exchange));
        server.setExecutor(pool);
        server.start();
    }

    /** http://127.0.0.1:port/ + key */
    String url(String key) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + key;
    }

    List<Request> requests() { return List.copyOf(requests); }

    private void serve(ObjectStore store, String bucket, HttpExchange exchange) throws IOException {
        try (exchange) {
            String key = URI.create(exchange.getRequestURI().getRawPath()).getPath().substring(1);
            if (!exchange.getRequestMethod().equals("GET")) {
                reply(exchange, key, 405);
                return;
            }
            try (ResponseInputStream<GetObjectResponse> in = store.client().getObject(b -> b.bucket(bucket).key(key))) {
                GetObjectResponse head = in.response();
                exchange.getResponseHeaders().set("Content-Type", head.contentType());
                exchange.sendResponseHeaders(200, head.contentLength() == 0 ? -1 : head.contentLength());
                requests.add(new Request(key, 200));
                copy(in, exchange.getResponseBody());
            } catch (NoSuchKeyException e) {
                reply(exchange, key, 404);
            }
        }
    }

    private void reply(HttpExchange exchange, String key, int status) throws IOException {
        requests.add(new Request(key, status));
        exchange.sendResponseHeaders(status, -1);
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        try (out) {
            in.transferTo(out);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
