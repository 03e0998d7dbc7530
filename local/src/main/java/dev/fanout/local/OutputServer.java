package dev.fanout.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves one output folder (a job's {@code index.html}, manifests and segments) on 127.0.0.1
 * only, read-only, with the media types players expect and single byte-range requests. Used by
 * {@code run-local.sh --serve DIR} / {@code --play} and by the browser tests.
 */
public final class OutputServer implements AutoCloseable {

    /** Media types by file extension; anything else is application/octet-stream. */
    static final Map<String, String> MEDIA_TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("mpd", "application/dash+xml"),
            Map.entry("m3u8", "application/vnd.apple.mpegurl"),
            Map.entry("m4s", "video/iso.segment"),
            Map.entry("mp4", "video/mp4"),
            Map.entry("m4a", "audio/mp4"),
            Map.entry("vtt", "text/vtt; charset=utf-8"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("png", "image/png"));

    private final Path root;
    private final HttpServer server;
    private final ExecutorService executor;

    private OutputServer(Path root, HttpServer server, ExecutorService executor) {
        this.root = root;
        this.server = server;
        this.executor = executor;
    }

    /** Starts serving {@code folder} on 127.0.0.1:{@code port} (0: any free port). */
    public static OutputServer start(Path folder, int port) throws IOException {
        Path root = folder.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) throw new IOException("not a folder: " + root);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        OutputServer s = new OutputServer(root, server, executor);
        server.createContext("/", s::handle);
        server.setExecutor(executor);
        server.start();
        return s;
    }

    /** The folder's URL, e.g. http://127.0.0.1:8080/ (its index.html is the player page). */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    public Path root() { return root; }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            boolean head = method.equals("HEAD");
            if (!head && !method.equals("GET")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                sendText(ex, 405, "only GET and HEAD");
                return;
            }
            String path = ex.getRequestURI().getPath();
            Path file = resolve(path);
            if (file == null || !Files.exists(file)) {
                sendText(ex, 404, "not found: " + path);
                return;
            }
            if (Files.isDirectory(file)) {
                if (!path.endsWith("/")) { // so the page's relative links resolve inside the folder
                    ex.getResponseHeaders().set("Location", path + "/");
                    sendText(ex, 301, "moved to " + path + "/");
                    return;
                }
                file = file.resolve("index.html");
                if (!Files.isRegularFile(file)) {
                    sendText(ex, 404, "no index.html in " + path);
                    return;
                }
            }
            sendFile(ex, file, head);
        }
    }

    /** The file a URL path names inside the folder, or null for a path outside it or not a file name. */
    private Path resolve(String urlPath) {
        try {
            Path file = root.resolve(urlPath.substring(1)).normalize();
            return file.startsWith(root) ? file : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static void sendFile(HttpExchange ex, Path file, boolean head) throws IOException {
        long size = Files.size(file);
        var h = ex.getResponseHeaders();
        h.set("Content-Type", mediaType(file));
        h.set("Accept-Ranges", "bytes");
        h.set("Cache-Control", "no-cache");
        String rangeHeader = ex.getRequestHeaders().getFirst("Range");
        ByteRange range = rangeHeader == null ? null : ByteRange.parse(rangeHeader, size);
        if (range == ByteRange.UNSATISFIABLE) {
            h.set("Content-Range", "bytes */" + size);
            sendText(ex, 416, "range not satisfiable: " + rangeHeader);
            return;
        }
        long first = range == null ? 0 : range.first();
        long length = range == null ? size : range.length();
        if (range != null) h.set("Content-Range", "bytes " + range.first() + "-" + range.last() + "/" + size);
        int status = range == null ? 200 : 206;
        if (head) {
            h.set("Content-Length", Long.toString(length));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, length == 0 ? -1 : length);
        try (InputStream in = Files.newInputStream(file); OutputStream out = ex.getResponseBody()) {
            in.skipNBytes(first);
            byte[] buf = new byte[64 * 1024];
            long left = length;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) throw new IOException(file + " shrank while being served");
                out.write(buf, 0, n);
                left -= n;
            }
        }
    }

    static String mediaType(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return MEDIA_TYPES.getOrDefault(ext, "application/octet-stream");
    }

    private static void sendText(HttpExchange ex, int status, String text) throws IOException {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    /**
     * One range of a {@code Range: bytes=...} header, resolved against the file size (RFC 9110
     * 14.1.2): {@code a-b}, {@code a-} or the suffix {@code -n}. A header this server does not
     * serve as a range (several ranges, another unit, malformed) gives null: the whole file.
     */
    record ByteRange(long first, long last) {
        static final ByteRange UNSATISFIABLE = new ByteRange(-1, -1);
        private static final Pattern SINGLE = Pattern.compile("bytes=(\\d*)-(\\d*)");

        long length() { return last - first + 1; }

        static ByteRange parse(String header, long size) {
            Matcher m = SINGLE.matcher(header.trim());
            if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) return null;
            try {
                if (m.group(1).isEmpty()) { // suffix: the last n bytes
                    long n = Long.parseLong(m.group(2));
                    if (n == 0 || size == 0) return UNSATISFIABLE;
                    return new ByteRange(Math.max(0, size - n), size - 1);
                }
                long first = Long.parseLong(m.group(1));
                if (first >= size) return UNSATISFIABLE;
                long last = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
                return last < first ? null : new ByteRange(first, last);
            } catch (NumberFormatException e) { // more digits than a long: not a range we serve
                return null;
            }
        }
    }
}
