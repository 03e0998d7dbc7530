package dev.fanout.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP listener on 127.0.0.1 that counts connections: crafted media points ffmpeg at it, and a
 * count of zero proves ffmpeg never followed the reference (the classic ffmpeg SSRF / local file
 * read through HLS playlists, concat scripts and data references).
 */
final class ConnectionRecorder implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();

    ConnectionRecorder() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    connections.incrementAndGet();
                    s.getOutputStream().write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes());
                } catch (IOException e) {
                    // closed, or the client went away
                }
            }
        });
    }

    /** An http URL on this listener. */
    String url(String path) { return "http://127.0.0.1:" + server.getLocalPort() + "/" + path; }

    int connections() { return connections.get(); }

    @Override
    public void close() throws IOException { server.close(); }
}
