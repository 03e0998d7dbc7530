package dev.fanout.local;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The local output server over real HTTP: loopback only, media types, byte ranges, the folder boundary. */
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

    /**
     * What the kernel says the server's socket is bound to, not what the code says: every listening
     * socket on its port (IPv4 and IPv6 tables) has a loopback local address, and a connection to
     * one of this machine's own non-loopback addresses on that port is refused, while a control
     * server bound to every address answers there (so the refusal is the binding's doing).
     */
    @Test
    void theSocketIsBoundToLoopbackOnly() throws Exception {
        int port = server.url().getPort();
        List<InetAddress> bound = listeningAddresses(port);
        assertFalse(bound.isEmpty(), "the kernel lists a listening socket on port " + port);
        for (InetAddress a : bound) assertTrue(a.isLoopbackAddress(), "port " + port + " is bound to " + a.getHostAddress() + ", not loopback: " + bound);

        InetAddress external = nonLoopbackAddress();
        try (ServerSocket control = new ServerSocket()) {
            control.bind(new InetSocketAddress((InetAddress) null, 0));
            assertTrue(listeningAddresses(control.getLocalPort()).stream().anyMatch(InetAddress::isAnyLocalAddress),
                    "the control reading of the kernel's table sees a wildcard binding: " + listeningAddresses(control.getLocalPort()));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(external, control.getLocalPort()), 2000);
            }
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(external, port), 2000);
            fail("the output server accepted a connection on " + external.getHostAddress() + ":" + port);
        } catch (ConnectException refused) {
            // expected: nothing listens on that address
        }
    }

    /** One of this machine's own addresses that is not loopback; none means the test cannot run, and says so. */
    static InetAddress nonLoopbackAddress() throws SocketException {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp() || ni.isLoopback()) continue;
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) return a;
            }
        }
        throw new AssertionError("this machine has no up, non-loopback IPv4 address (" + Collections.list(NetworkInterface.getNetworkInterfaces())
                + "): the loopback-only binding cannot be shown; run the test on a machine with a network interface");
    }

    /** Local addresses of the sockets in state LISTEN on {@code port}, read from Linux's /proc/net/tcp and tcp6. */
    static List<InetAddress> listeningAddresses(int port) throws IOException {
        List<InetAddress> out = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.exists(file)) continue;
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(1, lines.size())) { // the first line names the columns
                String[] f = line.strip().split("\\s+");
                String[] local = f[1].split(":");
                if (!f[3].equals("0A") || Integer.parseInt(local[1], 16) != port) continue; // 0A = TCP_LISTEN
                out.add(procAddress(local[0]));
            }
        }
        return out;
    }

    /** /proc/net/tcp prints each 32-bit word of the address in host (little-endian) byte order. */
    static InetAddress procAddress(String hex) throws IOException {
        byte[] b = new byte[hex.length() / 2];
        for (int word = 0; word < b.length / 4; word++) {
            for (int i = 0; i < 4; i++) b[word * 4 + i] = (byte) Integer.parseInt(hex.substring(word * 8 + (3 - i) * 2, word * 8 + (3 - i) * 2 + 2), 16);
        }
        return InetAddress.getByAddress(b); // an IPv4-mapped IPv6 address comes back as the Inet4Address
    }

    @Test
    void readsTheKernelsAddressFormat() throws Exception {
        assertEquals(InetAddress.getByName("127.0.0.1"), procAddress("0100007F"));
        assertEquals(InetAddress.getByName("192.0.2.2"), procAddress("020200C0"));
        assertEquals(InetAddress.getByName("127.0.0.1"), procAddress("0000000000000000FFFF00000100007F"));
        assertEquals(InetAddress.getByName("::1"), procAddress("00000000000000000000000001000000"));
        assertTrue(procAddress("00000000000000000000000000000000").isAnyLocalAddress());
    }

    @Test
    void servesThePlayerPageAtTheRoot() throws Exception {
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
