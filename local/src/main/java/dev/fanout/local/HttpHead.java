package dev.fanout.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** The head of one HTTP/1.1 request or response, for the local proxies in front of the embedded store. */
public final class HttpHead {
    private HttpHead() {}

    /** Reads up to and including the blank line that ends the head; null if the stream ends first. */
    public static byte[] read(InputStream in) throws IOException {
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
}
