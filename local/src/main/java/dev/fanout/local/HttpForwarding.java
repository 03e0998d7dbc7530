package dev.fanout.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 exchange passed on by the local proxies in front of the embedded store (the IAM
 * policy proxy, the tests' fault-injecting proxy): the request goes upstream byte for byte, Host
 * header included, so its signature stays valid; the answer comes back as the proxy relays it.
 * One request per connection, so that every request meets the proxy's rules.
 */
public final class HttpForwarding {
    private HttpForwarding() {}

    /** What a proxy does with one request: its connection, the stream past the head, and the head (ISO-8859-1). */
    @FunctionalInterface
    public interface RequestHandler {
        void handle(Socket client, InputStream in, String head) throws IOException;
    }

    /**
     * Accepts connections until {@code server} is closed; each on a virtual thread of its own
     * reads one request head, hands it to {@code handler} and closes the connection.
     */
    public static void acceptEach(ServerSocket server, RequestHandler handler) {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread.ofVirtual().start(() -> serveOne(client, handler));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void serveOne(Socket client, RequestHandler handler) {
        try (client) {
            InputStream in = client.getInputStream();
            byte[] head = HttpHead.read(in);
            if (head == null) return;
            handler.handle(client, in, new String(head, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            // the client or the store went away; nothing to clean up
        }
    }

    /** The request line's words: method, target, version. */
    public static String[] requestLine(String head) {
        return head.substring(0, head.indexOf("\r\n")).split(" ");
    }

    /** How a proxy passes the upstream answer (status line, headers, body) on to its client. */
    @FunctionalInterface
    public interface AnswerRelay<T> {
        T relay(InputStream answer, OutputStream toClient) throws IOException;
    }

    /** The answer as it came. */
    public static final AnswerRelay<Void> AS_IS = (answer, toClient) -> {
        answer.transferTo(toClient);
        return null;
    };

    /**
     * Sends {@code head} (made with {@link #withConnectionClose}) and the rest of the client's
     * request upstream, and hands the answer to {@code relay}; returns what the relay returns.
     */
    public static <T> T forward(Socket client, InputStream clientIn, String head, InetAddress upstreamAddress, int upstreamPort,
                                AnswerRelay<T> relay) throws IOException {
        try (Socket upstream = new Socket(upstreamAddress, upstreamPort)) {
            OutputStream up = upstream.getOutputStream();
            up.write(head.getBytes(StandardCharsets.ISO_8859_1));
            up.flush();
            // a request body (a PUT's) flows on its own thread while the answer is relayed
            Thread requestBody = Thread.ofVirtual().start(() -> {
                try {
                    clientIn.transferTo(up);
                } catch (IOException ignored) {
                    // the exchange ended
                }
            });
            OutputStream toClient = client.getOutputStream();
            T result = relay.relay(upstream.getInputStream(), toClient);
            toClient.flush();
            upstream.close();
            client.shutdownInput();
            requestBody.interrupt();
            return result;
        }
    }

    /** The request head with {@code Connection: close} instead of any keep-alive: both sides close after the answer. */
    public static String withConnectionClose(String head) {
        StringBuilder out = new StringBuilder();
        for (String line : head.split("\r\n")) {
            if (line.isEmpty()) continue;
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("connection:") || lower.startsWith("keep-alive:")) continue;
            out.append(line).append("\r\n");
        }
        return out.append("Connection: close\r\n\r\n").toString();
    }
}
