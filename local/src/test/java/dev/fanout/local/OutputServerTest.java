package dev.fanout.local;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local output server over real HTTP: media types, byte ranges, the folder boundary. */
class OutputServerTest {
    @TempDir
    static Path dir;
    static Path job;
    static OutputServer server;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final byte[] SEGMENT = new byte[100_000];

    @BeforeAll
    static void start() throws Exception {
        job = Files.createDirectories(dir.resolve("job"));
        Files.writeString(dir.resolve("secret.txt"), "outside the served folder");
        for (int i = 0; i < SEGMENT.length; i++) SEGMENT[i] = (byte) (i * 31);
        Files.createDirectories(job.resolve("video/360p"));
        Files.write(job.resolve("video/360p/seg-00001.m4s"), SEGMENT);
        Map<String, String> files = Map.of("index.html", "<!DOCTYPE html>", "manifest.mpd", "<MPD/>", "master.m3u8", "#EXTM3U",
                "video/360p/init.mp4", "ftyp", "thumbnails/thumbnails.vtt", "WEBVTT", "poster.jpg", "jpg", "job.json", "{}");
        for (var f : files.entrySet()) {
            Files.createDirectories(job.resolve(f.getKey()).getParent());
            Files.writeString(job.resolve(f.getKey()), f.getValue());
        }
        server = OutputServer.start(job, 0);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.url().resolve(path));
        if (headers.length > 0) b.headers(headers);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void listensOnLoopbackAndServesThePlayerPageAtTheRoot() throws Exception {
        assertEquals("127.0.0.1", server.url().getHost());
        HttpResponse<byte[]> r = get("/");
        assertEquals(200, r.statusCode());
        assertEquals("<!DOCTYPE html>", new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("text/html; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
    }

    @Test
    void mediaTypesPlayersExpect() throws Exception {
        Map<String, String> expected = Map.of("/manifest.mpd", "application/dash+xml", "/master.m3u8", "application/vnd.apple.mpegurl",
                "/video/360p/seg-00001.m4s", "video/iso.segment", "/video/360p/init.mp4", "video/mp4",
                "/thumbnails/thumbnails.vtt", "text/vtt; charset=utf-8", "/poster.jpg", "image/jpeg", "/job.json", "application/json");
        for (var e : expected.entrySet()) {
            HttpResponse<byte[]> r = get(e.getKey());
            assertEquals(200, r.statusCode(), e.getKey());
            assertEquals(e.getValue(), r.headers().firstValue("Content-Type").orElseThrow(), e.getKey());
        }
    }

    @Test
    void byteRanges() throws Exception {
        HttpResponse<byte[]> r = get("/video/360p/seg-00001.m4s", "Range", "bytes=1000-1999");
        assertEquals(206, r.statusCode());
        assertEquals("bytes 1000-1999/100000", r.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(SEGMENT, 1000, 2000), r.body());

        r = get("/video/360p/seg-00001.m4s", "Range", "bytes=99990-");
        assertEquals(206, r.statusCode());
        assertArrayEquals(Arrays.copyOfRange(SEGMENT, 99_990, 100_000), r.body());

        r = get("/video/360p/seg-00001.m4s", "Range", "bytes=-16");
        assertEquals("bytes 99984-99999/100000", r.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(SEGMENT, 99_984, 100_000), r.body());

        r = get("/video/360p/seg-00001.m4s", "Range", "bytes=100000-");
        assertEquals(416, r.statusCode());
        assertEquals("bytes */100000", r.headers().firstValue("Content-Range").orElseThrow());

        r = get("/video/360p/seg-00001.m4s");
        assertEquals(200, r.statusCode());
        assertEquals("bytes", r.headers().firstValue("Accept-Ranges").orElseThrow());
        assertArrayEquals(SEGMENT, r.body());
    }

    @Test
    void rangeHeaderParsing() {
        assertEquals(new OutputServer.ByteRange(0, 9), OutputServer.ByteRange.parse("bytes=0-9", 100));
        assertEquals(new OutputServer.ByteRange(90, 99), OutputServer.ByteRange.parse("bytes=90-500", 100));
        assertEquals(new OutputServer.ByteRange(0, 99), OutputServer.ByteRange.parse("bytes=-500", 100));
        assertEquals(OutputServer.ByteRange.UNSATISFIABLE, OutputServer.ByteRange.parse("bytes=-0", 100));
        assertNull(OutputServer.ByteRange.parse("bytes=0-1,5-9", 100), "several ranges: the whole file");
        assertNull(OutputServer.ByteRange.parse("bytes=9-0", 100), "invalid: the whole file");
        assertNull(OutputServer.ByteRange.parse("items=0-9", 100));
    }

    @Test
    void nothingOutsideTheFolderAndOnlyReads() throws Exception {
        assertEquals(404, get("/missing.m4s").statusCode());
        // a raw request line, since HTTP clients normalise "..": the folder boundary must hold on its own
        try (Socket s = new Socket("127.0.0.1", server.url().getPort())) {
            s.getOutputStream().write("GET /../secret.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(response.startsWith("HTTP/1.1 404"), response);
            assertTrue(!response.contains("outside the served folder"), response);
        }
        HttpResponse<byte[]> put = HTTP.send(HttpRequest.newBuilder(server.url().resolve("/job.json"))
                .PUT(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(405, put.statusCode());
        assertEquals("{}", Files.readString(job.resolve("job.json")));
    }

    @Test
    void aFolderWithoutTrailingSlashRedirectsSoRelativeLinksResolve() throws Exception {
        HttpResponse<byte[]> r = get("/video");
        assertEquals(301, r.statusCode());
        assertEquals("/video/", r.headers().firstValue("Location").orElseThrow());
    }
}
