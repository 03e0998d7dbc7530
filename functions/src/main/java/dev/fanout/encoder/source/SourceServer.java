package dev.fanout.encoder.source;

import dev.fanout.encoder.media.FfmpegCommands;
import dev.fanout.encoder.model.SourceRef;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Serves one job's source object to ffmpeg/ffprobe on {@code http://127.0.0.1:<ephemeral port>/…},
 * reading S3 through the SDK, for as long as a stage runs them. A minimal HTTP/1.1 server on a
 * plain socket (one request per connection), so that it can keep its send buffer small.
 *
 * <p>Why: the layer's static ffmpeg crashes (SIGSEGV) on any host-name lookup, and S3's endpoints
 * are host names; ffmpeg's own TLS does not verify certificates; and a presigned URL is a
 * credential in ffmpeg's reach. Here ffmpeg connects to an IP literal over plain loopback HTTP,
 * and the SDK does the rest: DNS, verified TLS, signing, its retries.
 *
 * <p>One path, GET and HEAD, single Range requests (206 with Content-Range, 416 past the end).
 * A request is served from the job's {@link SourceView}: each of its visible pieces is one ranged
 * GetObject streamed straight through (never buffered), a hidden run of fragments is made up as
 * one {@code free} box and never read. Every GetObject carries {@code If-Match} on the job's ETag: "Return the object only if its entity tag (ETag) is the
 * same as the one specified in this header; otherwise, return a 412 Precondition Failed error"
 * (Amazon S3 API Reference, GetObject, If-Match;
 * https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/s3/aws.sdk.kotlin.services.s3.model/-get-object-request/if-match.html),
 * so a job never reads a mix of two uploads.
 *
 * <p>A body S3 breaks off is resumed here, with a ranged GET from the byte the server reached
 * (up to {@link #MAX_RESUMES_WITHOUT_PROGRESS} in a row without a byte getting through), so
 * ffmpeg never sees the break. That is what S3 does to a slow reader: it closes a connection that
 * is "not read from or written to within the timeout period" (S3 API Reference, Error responses,
 * RequestTimeout: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html), after
 * about 20 s idle as others report it (vector PR 9703, https://github.com/vectordotdev/vector/pull/9703;
 * aws-sdk-java-v2 issue 5541: a GetObject read slowly ends in "Premature end of Content-Length
 * delimited message body"); an encoder can leave its input unread that long. The SDK reports a
 * cleanly closed connection short of its Content-Length as that exception, not as the end of the
 * stream (measured against the embedded store's 30 s idle timeout: 4,022,272 of 41,943,040 bytes,
 * then the exception). Leaving it to ffmpeg 4.4.1 works for one break (it logs "Stream ends
 * prematurely" and reconnects with a Range), but it rides out only four failed reconnects in a
 * row, 11 s of back-off in all, and then takes the read error for the end of its input.
 *
 * <p>It records what went wrong ({@link #reads()}). ffmpeg sees an S3 failure only as this
 * server answers it: 412/403/404 are passed on (ffmpeg stops), a transient failure becomes 503
 * before the body, or a cut connection within it when resuming failed — and ffmpeg reconnects
 * with a Range from where it was ({@code -reconnect*} in {@link FfmpegCommands}). A transient
 * failure is made good when a later request delivers the byte where it stopped; one that is not
 * decides the run.
 */
public final class SourceServer implements AutoCloseable {
    /**
     * An S3 wait this long means ffmpeg has dropped the connection ({@code -rw_timeout}); a second
     * less than its limit, so a read ffmpeg gave up on is never taken for one it kept.
     */
    static final long FFMPEG_GAVE_UP_NANOS = TimeUnit.SECONDS.toNanos(FfmpegCommands.SOURCE_STALL_SECONDS - 1);

    /**
     * The socket's send buffer. Small on purpose: bytes the kernel holds for ffmpeg are bytes read
     * from S3, and ffmpeg drops a connection at every seek. Left to the kernel's autotuning (up to
     * 4 MiB here) each abandoned response had read megabytes ffmpeg never saw.
     */
    static final int SEND_BUFFER_BYTES = 16 * 1024;
    private static final int BUFFER_BYTES = 16 * 1024;
    /**
     * Ranged GETs in a row that may resume a body S3 broke off before the server gives up and cuts
     * ffmpeg's response instead (ffmpeg then reconnects). Reset by every byte that gets through:
     * a slow reader whose body S3 breaks off again and again, each time after progress, is
     * resumed as often as that takes; S3 failing five times in a row is not a slow reader.
     */
    static final int MAX_RESUMES_WITHOUT_PROGRESS = 5;
    private static final int MAX_REQUEST_HEAD_BYTES = 16 * 1024;
    /** How long a connection may take to send its request. */
    private static final int REQUEST_HEAD_TIMEOUT_MILLIS = 30_000;

    private final S3Client s3;
    private final SourceRef source;
    private final SourceView view;
    /** A random path: nothing else on the machine can guess it, and crafted media cannot name another. */
    private final String path = "/" + HexFormat.of().formatHex(randomBytes()) + "/source";
    private final ServerSocket listener;
    private final ExecutorService connections = Executors.newVirtualThreadPerTaskExecutor();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong sequence = new AtomicLong();
    /** Requests for any path but the source's: only media naming another resource makes them. */
    private final AtomicLong otherPaths = new AtomicLong();
    /** Every request that read the source, in arrival order (tens to thousands per run). */
    private final List<Read> reads = new ArrayList<>();
    /** The first permanent failure (412, 403, 404, other 4xx). */
    private final AtomicReference<SourceReads.Failure> permanent = new AtomicReference<>();
    private volatile boolean closed;

    private SourceServer(S3Client s3, SourceRef source, SourceView view) throws IOException {
        if (source.etag() == null || source.etag().isBlank()) throw new IllegalArgumentException("the source's ETag is needed to pin its reads");
        if (!view.whole() && view.holeEnd() > source.sizeBytes()) throw new IllegalArgumentException("the view hides bytes past the object's end");
        this.s3 = s3;
        this.source = source;
        this.view = view;
        this.listener = new ServerSocket(0, 64, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
        connections.submit(this::acceptLoop);
    }

    /** Starts serving {@code source}; close it when the stage's ffmpeg runs are over. */
    public static SourceServer start(S3Client s3, SourceRef source) {
        return start(s3, source, SourceView.WHOLE);
    }

    /** Starts serving {@code view} of {@code source} (all of it but a run shown as a free box). */
    public static SourceServer start(S3Client s3, SourceRef source, SourceView view) {
        try {
            return new SourceServer(s3, source, view);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the loopback source server: " + e.getMessage(), e);
        }
    }

    /** The only URL this server answers: an IP literal, so ffmpeg never resolves a name. */
    public String url() { return "http://127.0.0.1:" + listener.getLocalPort() + path; }

    public SourceRef source() { return source; }

    /** Throws the named error of the reads so far ({@link SourceReads#throwIfFailed}). */
    public void failIfReadsFailed(String what) { reads().throwIfFailed(source, what); }

    /**
     * How many requests named a path other than the source's (answered 404): ffmpeg never does
     * that for the media it was given, so each is a reference in the media that it followed.
     */
    public long otherPathRequests() { return otherPaths.get(); }

    /** A snapshot of what was served and what failed so far. */
    public SourceReads reads() {
        long now = System.nanoTime();
        List<Read> all;
        synchronized (reads) {
            all = List.copyOf(reads);
        }
        long bytes = all.stream().mapToLong(r -> r.delivered - r.madeUp).sum();
        SourceReads.Failure decisive = permanent.get();
        for (int i = 0; decisive == null && i < all.size(); i++) {
            Read r = all.get(i);
            SourceReads.Failure f = r.brokenAt(now);
            if (f != null && all.stream().noneMatch(later -> later.seq > r.seq && later.covers(f.offset()))) decisive = f;
        }
        int resumed = all.stream().mapToInt(r -> r.resumed).sum();
        return new SourceReads(bytes, all.size(), decisive, resumed);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = listener.accept();
                socket.setSendBufferSize(SEND_BUFFER_BYTES);
                socket.setSoTimeout(REQUEST_HEAD_TIMEOUT_MILLIS);
                open.add(socket);
                connections.submit(() -> serve(socket)); // several at once: ffmpeg may hold more than one
            } catch (IOException e) {
                // closed (the loop ends), or one failed accept (the listener is still good)
            }
        }
    }

    /** One request per connection (ffmpeg sends {@code Connection: close}; so do we). */
    private void serve(Socket socket) {
        try (socket) {
            Request request = Request.read(socket.getInputStream(), MAX_REQUEST_HEAD_BYTES);
            if (request == null) return;
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), BUFFER_BYTES);
            if (!request.path().equals(path)) {
                otherPaths.incrementAndGet();
                answer(out, 404, "Not Found", 0, "");
                return;
            }
            if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
                answer(out, 405, "Method Not Allowed", 0, "Allow: GET, HEAD\r\n");
                return;
            }
            long size = source.sizeBytes();
            ByteRange range;
            try {
                range = ByteRange.parse(request.range(), size);
            } catch (ByteRange.UnsatisfiableException e) {
                answer(out, 416, "Range Not Satisfiable", 0, "Content-Range: bytes */" + size + "\r\n");
                return;
            }
            String contentRange = range.partial() ? "Content-Range: " + range.contentRange(size) + "\r\n" : "";
            if (request.method().equals("HEAD") || range.length() == 0) {
                answer(out, range.partial() ? 206 : 200, range.partial() ? "Partial Content" : "OK", range.length(), contentRange);
                return;
            }
            stream(out, range, contentRange);
        } catch (IOException e) {
            // ffmpeg closed the connection (it does whenever it seeks): nothing was lost
        } finally {
            open.remove(socket);
        }
    }

    /** The status line and headers; the body, if any, follows. */
    private static void answer(OutputStream out, int status, String reason, long contentLength, String headers) throws IOException {
        String head = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Length: " + contentLength + "\r\nAccept-Ranges: bytes\r\n"
                + headers + "Connection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private void stream(OutputStream out, ByteRange range, String contentRange) throws IOException {
        Read read = new Read(sequence.incrementAndGet(), range.first());
        synchronized (reads) {
            reads.add(read);
        }
        List<SourceView.Piece> pieces = view.pieces(range.first(), range.last());
        // the first read from S3 is opened before the status line, so that its failure can be the answer
        ResponseInputStream<GetObjectResponse> body = null;
        if (!pieces.get(0).hidden()) {
            try {
                body = get(read, pieces.get(0).first(), pieces.get(0).last());
            } catch (SdkException e) {
                if (closed) return;
                SourceReads.Failure f = failure(e, range.first());
                if (f.kind() == SourceReads.Kind.TRANSIENT) {
                    read.failure = f;
                    answer(out, 503, "Service Unavailable", 0, ""); // ffmpeg reconnects (-reconnect_on_http_error 5xx)
                } else {
                    permanent.compareAndSet(null, f);
                    answer(out, f.status(), f.errorCode().isEmpty() ? "Error" : f.errorCode(), 0, ""); // a 4xx stops ffmpeg at once
                }
                return;
            }
        }
        answer(out, range.partial() ? 206 : 200, range.partial() ? "Partial Content" : "OK", range.length(), contentRange);
        for (SourceView.Piece piece : pieces) {
            if (piece.hidden()) {
                writeHidden(out, piece, read);
                continue;
            }
            if (body == null) {
                try {
                    body = get(read, piece.first(), piece.last());
                } catch (SdkException e) {
                    // past the status line: cut the body short, ffmpeg reconnects from where it was
                    if (closed) return;
                    SourceReads.Failure f = failure(e, piece.first());
                    if (f.kind() == SourceReads.Kind.TRANSIENT) read.failure = f;
                    else permanent.compareAndSet(null, f);
                    return;
                }
            }
            boolean whole = copy(body, out, piece, read);
            body = null;
            if (!whole) return;
        }
    }

    /**
     * Streams {@code piece} from {@code body} to ffmpeg, resuming a body S3 breaks off; false when
     * S3 (past the resumes) or ffmpeg broke off.
     */
    private boolean copy(ResponseInputStream<GetObjectResponse> body, OutputStream out, SourceView.Piece piece, Read read) throws IOException {
        long remaining = piece.length();
        int resumesWithoutProgress = 0;
        try {
            byte[] buffer = new byte[BUFFER_BYTES];
            while (remaining > 0) {
                int n;
                String broken = null;
                read.waitStarted = System.nanoTime();
                try {
                    n = body.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                    if (n < 0) broken = "S3 ended the body " + remaining + " bytes early";
                } catch (IOException e) {
                    n = -1;
                    broken = "S3 broke off the body: " + e.getMessage();
                }
                read.waitEnded();
                if (broken != null) {
                    if (closed) return false;
                    body.abort();
                    body = null;
                    // S3 breaks off the body of a reader that stops reading (ffmpeg busy encoding):
                    // resume here, from the byte reached, so that ffmpeg never sees the break
                    if (resumesWithoutProgress < MAX_RESUMES_WITHOUT_PROGRESS) {
                        resumesWithoutProgress++;
                        try {
                            body = get(read, read.offset(), piece.last());
                            read.resumed++;
                            continue;
                        } catch (SdkException e) {
                            if (closed) return false;
                            SourceReads.Failure f = failure(e, read.offset());
                            if (f.kind() != SourceReads.Kind.TRANSIENT) permanent.compareAndSet(null, f);
                            broken = broken + "; resuming from byte " + read.offset() + ": " + f.detail();
                        }
                    }
                    // closing the connection short of Content-Length: ffmpeg reconnects from where it was
                    read.failure = transientFailure(read.offset(), broken);
                    return false;
                }
                out.write(buffer, 0, n);
                out.flush();
                read.delivered += n;
                remaining -= n;
                resumesWithoutProgress = 0;
            }
            return true;
        } finally {
            // the rest of a range nobody reads is never downloaded: abort drops the S3 connection
            if (body != null) {
                if (remaining > 0) body.abort();
                else body.close();
            }
        }
    }

    /** One ranged GetObject pinned to the job's ETag; the wait for its answer counts as a wait for S3. */
    private ResponseInputStream<GetObjectResponse> get(Read read, long first, long last) {
        read.waitStarted = System.nanoTime();
        try {
            return s3.getObject(b -> b.bucket(source.bucket()).key(source.key()).ifMatch('"' + source.etag() + '"')
                    .range("bytes=" + first + "-" + last));
        } finally {
            read.waitEnded();
        }
    }

    /** The view's made-up free box, as far as the range asks for it: no S3 read. */
    private void writeHidden(OutputStream out, SourceView.Piece piece, Read read) throws IOException {
        for (long at = piece.first(); at <= piece.last(); ) {
            int n = (int) Math.min(BUFFER_BYTES, piece.last() - at + 1);
            out.write(view.hiddenBytes(at, n));
            out.flush();
            read.delivered += n;
            read.madeUp += n;
            at += n;
        }
    }

    private static SourceReads.Failure failure(SdkException e, long offset) {
        if (e instanceof AwsServiceException s) {
            String code = s.awsErrorDetails() == null || s.awsErrorDetails().errorCode() == null ? "" : s.awsErrorDetails().errorCode();
            return new SourceReads.Failure(SourceReads.kindOf(s.statusCode()), s.statusCode(), code, offset, s.getMessage());
        }
        return transientFailure(offset, "no answer from S3: " + e.getMessage());
    }

    private static SourceReads.Failure transientFailure(long offset, String detail) {
        return new SourceReads.Failure(SourceReads.Kind.TRANSIENT, 0, "", offset, detail);
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /** Stops listening and abandons reads in progress (their connections, and so their S3 reads, are closed). */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        connections.shutdownNow();
    }

    /** What the server needs of a request: method, path and Range header. */
    record Request(String method, String path, String range) {
        /** Reads the request line and headers; null when the connection closed before a whole head. */
        static Request read(InputStream in, int maxBytes) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                head.write(b);
                if (head.size() > maxBytes) throw new IOException("request head over " + maxBytes + " bytes");
                if (b == '\n' && head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) break;
            }
            if (b < 0) return null;
            String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            String[] requestLine = lines[0].split(" ");
            if (requestLine.length != 3) throw new IOException("not an HTTP request line: " + lines[0]);
            String target = requestLine[1];
            int query = target.indexOf('?');
            String range = null;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0 && lines[i].substring(0, colon).strip().equalsIgnoreCase("Range")) range = lines[i].substring(colon + 1).strip();
            }
            return new Request(requestLine[0], query < 0 ? target : target.substring(0, query), range);
        }
    }

    /** One request's read of the source. */
    private static final class Read {
        final long seq;
        final long first;
        /** bytes written to ffmpeg */
        volatile long delivered;
        /** of those, bytes of the view's free box (never read from S3) */
        volatile long madeUp;
        /** System.nanoTime() when the current wait for S3 began, 0 while not waiting */
        volatile long waitStarted;
        /** where a wait for S3 outlasted ffmpeg's patience, or -1 */
        volatile long stalledAt = -1;
        /** the transient S3 failure that ended this read, or null */
        volatile SourceReads.Failure failure;
        /** how often this read resumed a body S3 broke off */
        volatile int resumed;

        Read(long seq, long first) {
            this.seq = seq;
            this.first = first;
        }

        long offset() { return first + delivered; }

        boolean covers(long offset) { return first <= offset && offset < first + delivered; }

        void waitEnded() {
            long started = waitStarted;
            waitStarted = 0;
            if (stalledAt < 0 && started != 0 && System.nanoTime() - started >= FFMPEG_GAVE_UP_NANOS) stalledAt = offset();
        }

        /** How this read failed ffmpeg, or null: an S3 failure, or a wait ffmpeg gave up on (over or still going). */
        SourceReads.Failure brokenAt(long now) {
            if (failure != null) return failure;
            long started = waitStarted;
            long at = stalledAt >= 0 ? stalledAt : started != 0 && now - started >= FFMPEG_GAVE_UP_NANOS ? offset() : -1;
            return at < 0 ? null : transientFailure(at, "S3 sent no byte for " + FfmpegCommands.SOURCE_STALL_SECONDS
                    + " s, so ffmpeg dropped the connection");
        }
    }
}
