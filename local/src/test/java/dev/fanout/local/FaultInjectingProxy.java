package dev.fanout.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * An HTTP proxy on 127.0.0.1 in front of the local S3 server that answers chosen requests with S3
 * errors (500 InternalError, 503 SlowDown) instead of forwarding them — what a fan-out meets on
 * AWS. Everything else is forwarded byte for byte (signatures stay valid: the Host header is
 * kept), one request per connection so every request passes the rules.
 */
final class FaultInjectingProxy implements AutoCloseable {

    /**
     * Fail the first {@code times} requests whose method matches and whose path matches {@code path}
     * (only requests through a presigned URL — ffmpeg's — when {@code presignedOnly}).
     */
    record Rule(String name, String method, Pattern path, boolean presignedOnly, int times, int status, String errorCode) {
        static Rule of(String name, String method, String pathRegex, int times, int status, String errorCode) {
            return new Rule(name, method, Pattern.compile(pathRegex), false, times, status, errorCode);
        }

        static Rule presigned(String name, String method, String pathRegex, int times, int status, String errorCode) {
            return new Rule(name, method, Pattern.compile(pathRegex), true, times, status, errorCode);
        }

        /** Accepts the request and never answers: a connection that stalls. */
        static Rule stall(String name, String method, String pathRegex, boolean presignedOnly, int times) {
            return new Rule(name, method, Pattern.compile(pathRegex), presignedOnly, times, STALL, "");
        }
    }

    /** The status of a rule that answers nothing. */
    static final int STALL = 0;

    private final ServerSocket server;
    private final int upstreamPort;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final Map<Rule, AtomicInteger> fired = new ConcurrentHashMap<>();
    private final List<String> injected = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    FaultInjectingProxy(String upstreamEndpoint) throws IOException {
        this.upstreamPort = URI.create(upstreamEndpoint).getPort();
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofVirtual().start(this::acceptLoop);
    }

    String endpoint() { return "http://127.0.0.1:" + server.getLocalPort(); }

    void add(Rule rule) {
        rules.add(rule);
        fired.put(rule, new AtomicInteger());
    }

    /** How many requests a rule has failed so far. */
    int fired(Rule rule) { return fired.get(rule).get(); }

    /** "METHOD path -> status" of every injected failure, in order. */
    List<String> injected() { return List.copyOf(injected); }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread.ofVirtual().start(() -> handle(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void handle(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            byte[] head = readHead(in);
            if (head == null) return;
            String headText = new String(head, StandardCharsets.ISO_8859_1);
            String[] requestLine = headText.substring(0, headText.indexOf("\r\n")).split(" ");
            String method = requestLine[0];
            String target = requestLine[1];
            String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
            Rule rule = match(method, path, target.contains("X-Amz-Signature="));
            if (rule != null) {
                // A client waiting for "100 Continue" has not sent its body; any other body is read and dropped.
                if (!headText.toLowerCase(Locale.ROOT).contains("\r\nexpect: 100-continue")) discard(in, contentLength(headText));
                injected.add(method + " " + path + " -> " + (rule.status() == STALL ? "stalled" : rule.status()));
                if (rule.status() == STALL) {
                    // hold the connection until the client gives up (or a minute passes)
                    client.setSoTimeout(60_000);
                    while (in.read() >= 0) { /* discard */ }
                    return;
                }
                reply(client.getOutputStream(), rule);
                return;
            }
            forward(client, in, withConnectionClose(headText));
        } catch (IOException e) {
            // the client or the server went away; nothing to clean up
        }
    }

    private Rule match(String method, String path, boolean presigned) {
        for (Rule r : rules) {
            if (!r.method().equals(method) || !r.path().matcher(path).matches() || r.presignedOnly() && !presigned) continue;
            AtomicInteger n = fired.get(r);
            if (n.incrementAndGet() <= r.times()) return r;
            n.decrementAndGet();
        }
        return null;
    }

    private void forward(Socket client, InputStream clientIn, String head) throws IOException {
        try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
            OutputStream up = upstream.getOutputStream();
            up.write(head.getBytes(StandardCharsets.ISO_8859_1));
            up.flush();
            Thread requestBody = Thread.ofVirtual().start(() -> {
                try {
                    clientIn.transferTo(up);
                } catch (IOException ignored) {
                    // the exchange ended
                }
            });
            upstream.getInputStream().transferTo(client.getOutputStream());
            client.getOutputStream().flush();
            upstream.close();
            client.shutdownInput();
            requestBody.interrupt();
        }
    }

    private static void reply(OutputStream out, Rule rule) throws IOException {
        String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + rule.errorCode()
                + "</Code><Message>injected by the test: " + rule.name() + "</Message></Error>";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String reason = rule.status() == 503 ? "Service Unavailable" : "Internal Server Error";
        String head = "HTTP/1.1 " + rule.status() + " " + reason + "\r\nContent-Type: application/xml\r\nContent-Length: "
                + bytes.length + "\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
    }

    /** One request per connection: the server closes after answering, so each request meets the rules. */
    private static String withConnectionClose(String head) {
        StringBuilder out = new StringBuilder();
        for (String line : head.split("\r\n")) {
            if (line.isEmpty()) continue;
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("connection:") || lower.startsWith("keep-alive:")) continue;
            out.append(line).append("\r\n");
        }
        return out.append("Connection: close\r\n\r\n").toString();
    }

    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) return Long.parseLong(line.substring(15).trim());
        }
        return 0;
    }

    private static void discard(InputStream in, long n) throws IOException {
        if (n > 0) in.skipNBytes(n);
    }

    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) return null;
            head.write(b);
            if (head.size() > 64 * 1024) throw new IOException("request head too large");
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toByteArray();
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
    }
}
