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
 * errors (500 InternalError, 503 SlowDown) instead of forwarding them, stalls them, or cuts their
 * response body short — what a fan-out meets on AWS. Everything else is forwarded byte for byte
 * (signatures stay valid: the Host header is kept), one request per connection so every request
 * passes the rules.
 */
final class FaultInjectingProxy implements AutoCloseable {

    /**
     * Fail the first {@code times} requests whose method matches, whose path matches {@code path}
     * and whose head (request line and headers, CRLF-separated) matches {@code head}.
     *
     * @param cutAfter for {@link #CUT}: the response body bytes forwarded before the connection is closed
     */
    record Rule(String name, String method, Pattern path, Pattern head, int times, int status, String errorCode, long cutAfter) {
        private static final Pattern ANY = Pattern.compile("");
        /** The source server's reads: ranged GETs pinned to the job's ETag (no other S3 call sends If-Match). */
        private static final Pattern SOURCE_SERVER = Pattern.compile("(?i)\r\nif-match: ");

        static Rule of(String name, String method, String pathRegex, int times, int status, String errorCode) {
            return new Rule(name, method, Pattern.compile(pathRegex), ANY, times, status, errorCode, 0);
        }

        /** An S3 error answered to the source server's reads of the source (ffmpeg's reads, through it). */
        static Rule sourceRead(String name, String pathRegex, int times, int status, String errorCode) {
            return new Rule(name, "GET", Pattern.compile(pathRegex), SOURCE_SERVER, times, status, errorCode, 0);
        }

        /** Accepts a source server's read whose head also matches {@code headRegex}, and never answers: a connection that stalls. */
        static Rule sourceReadStalls(String name, String pathRegex, String headRegex, int times) {
            return new Rule(name, "GET", Pattern.compile(pathRegex), sourceServerAnd(headRegex), times, STALL, "", 0);
        }

        /** Forwards a source server's read (head also matching {@code headRegex}) but closes the connection after {@code bytes} of the body: S3 breaking off mid-body. */
        static Rule sourceReadCut(String name, String pathRegex, String headRegex, int times, long bytes) {
            return new Rule(name, "GET", Pattern.compile(pathRegex), sourceServerAnd(headRegex), times, CUT, "", bytes);
        }

        private static Pattern sourceServerAnd(String headRegex) {
            return Pattern.compile("(?s)^(?=.*" + SOURCE_SERVER.pattern() + ")(?=.*" + headRegex + ")");
        }
    }

    /** The status of a rule that answers nothing. */
    static final int STALL = 0;
    /** The status of a rule that forwards the answer but cuts its body short. */
    static final int CUT = -1;

    private final ServerSocket server;
    private final int upstreamPort;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final Map<Rule, AtomicInteger> fired = new ConcurrentHashMap<>();
    private final List<String> injected = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> forwarded = new ConcurrentHashMap<>();
    private final List<Passed> passed = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    FaultInjectingProxy(String upstreamEndpoint) throws IOException {
        this.upstreamPort = URI.create(upstreamEndpoint).getPort();
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofVirtual().start(() -> HttpForwarding.acceptEach(server, this::handle));
    }

    /** By host name, like the store behind it (see {@link LocalS3#HOST_NAME}). */
    String endpoint() { return "http://" + LocalS3.HOST_NAME + ":" + server.getLocalPort(); }

    void add(Rule rule) {
        rules.add(rule);
        fired.put(rule, new AtomicInteger());
    }

    /** How many requests a rule has failed so far. */
    int fired(Rule rule) { return fired.get(rule).get(); }

    /** "METHOD path -> status" of every injected failure, in order. */
    List<String> injected() { return List.copyOf(injected); }

    /** A request that went through unharmed, and when its head reached this proxy ({@link System#nanoTime()}). */
    record Passed(String method, String path, long arrivedNanos) {}

    /** Every request that went through unharmed, each with when its head arrived. */
    List<Passed> passed() { return List.copyOf(passed); }

    /** How many requests "METHOD path" went through to the store unharmed. */
    int forwarded(String method, String path) {
        AtomicInteger n = forwarded.get(method + " " + path);
        return n == null ? 0 : n.get();
    }

    /** One request, its head read. */
    private void handle(Socket client, InputStream in, String headText) throws IOException {
        long arrived = System.nanoTime();
        String[] requestLine = HttpForwarding.requestLine(headText);
        String method = requestLine[0];
        String target = requestLine[1];
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        Rule rule = match(method, path, headText);
        if (rule != null && rule.status() == CUT) {
            boolean cut = forward(client, in, HttpForwarding.withConnectionClose(headText), rule.cutAfter());
            injected.add(method + " " + path + " -> " + (cut ? "cut after " + rule.cutAfter() + " body bytes" : "shorter than the cut, complete"));
            return;
        }
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
        forwarded.computeIfAbsent(method + " " + path, k -> new AtomicInteger()).incrementAndGet();
        passed.add(new Passed(method, path, arrived));
        forward(client, in, HttpForwarding.withConnectionClose(headText), Long.MAX_VALUE);
    }

    private Rule match(String method, String path, String head) {
        for (Rule r : rules) {
            if (!r.method().equals(method) || !r.path().matcher(path).matches() || !r.head().matcher(head).find()) continue;
            AtomicInteger n = fired.get(r);
            if (n.incrementAndGet() <= r.times()) return r;
            n.decrementAndGet();
        }
        return null;
    }

    /**
     * Forwards one exchange; of the answer, the head and at most {@code bodyLimit} bytes of its
     * body. Returns true when the body was longer, so the client got it cut short.
     */
    private boolean forward(Socket client, InputStream clientIn, String head, long bodyLimit) throws IOException {
        if (bodyLimit == Long.MAX_VALUE) {
            HttpForwarding.forward(client, clientIn, head, InetAddress.getLoopbackAddress(), upstreamPort, HttpForwarding.AS_IS);
            return false;
        }
        return HttpForwarding.forward(client, clientIn, head, InetAddress.getLoopbackAddress(), upstreamPort, (answer, toClient) -> {
            byte[] answerHead = HttpHead.read(answer);
            if (answerHead == null) return false;
            toClient.write(answerHead);
            toClient.write(answer.readNBytes((int) Math.min(bodyLimit, Integer.MAX_VALUE)));
            return answer.read() >= 0;
        });
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

    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) return Long.parseLong(line.substring(15).trim());
        }
        return 0;
    }

    private static void discard(InputStream in, long n) throws IOException {
        if (n > 0) in.skipNBytes(n);
    }


    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
    }
}
