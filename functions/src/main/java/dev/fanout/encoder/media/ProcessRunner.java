package dev.fanout.encoder.media;

import dev.fanout.encoder.runtime.Invocation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program with an argument list (never a shell), an empty environment (ffmpeg needs no
 * credentials: it reads the source from a loopback server), a hard time limit, bounded stdout and
 * the tail of stderr.
 */
public final class ProcessRunner {
    private ProcessRunner() {}

    public static final int STDERR_TAIL_BYTES = 16 * 1024;

    /**
     * @param stdout     captured standard output (at most the requested bytes)
     * @param stderrTail the last {@value #STDERR_TAIL_BYTES} bytes of standard error
     * @param timedOut   true when the process was killed for exceeding its time limit
     */
    public record Result(int exitCode, String stdout, boolean stdoutTruncated, String stderrTail,
                         boolean timedOut, Duration elapsed) {
        public boolean ok() { return exitCode == 0 && !timedOut; }

        /**
         * True when a signal ended the process rather than the program itself: Java reports a
         * process killed by signal n as exit 128 + n (SIGSEGV: 139), and ffmpeg exits 255 after
         * catching SIGINT or SIGTERM. Our own kill at the time limit is {@link #timedOut} instead.
         */
        public boolean killedBySignal() { return !timedOut && exitCode >= 128; }

        /** The signal's number when {@link #killedBySignal} and the exit code says which, else 0. */
        public int signal() { return killedBySignal() && exitCode <= 128 + 64 ? exitCode - 128 : 0; }

        /** The last few non-empty lines of stderr, for error messages. */
        public String stderrSummary(int maxLines) {
            List<String> lines = stderrTail.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - maxLines), lines.size()));
        }
    }

    /**
     * Runs {@code command} for at most {@code timeout}, or less when the current Lambda invocation
     * ends sooner ({@link Invocation#limitFor}: its remaining time less a reserve for uploads).
     */
    public static Result run(List<String> command, Duration requestedTimeout, int maxStdoutBytes) {
        Duration timeout = Invocation.current().limitFor(requestedTimeout);
        long start = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
        BoundedCapture out = new BoundedCapture(process.getInputStream(), maxStdoutBytes, false);
        BoundedCapture err = new BoundedCapture(process.getErrorStream(), STDERR_TAIL_BYTES, true);
        Thread tOut = Thread.ofVirtual().start(out);
        Thread tErr = Thread.ofVirtual().start(err);
        boolean finished;
        try {
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            tOut.join(5000);
            tErr.join(5000);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        }
        int code = finished ? process.exitValue() : -1;
        return new Result(code, out.text(), out.truncated, err.text(), !finished, Duration.ofNanos(System.nanoTime() - start));
    }

    /** Drains a stream, keeping the first (or last) {@code limit} bytes. */
    private static final class BoundedCapture implements Runnable {
        private final InputStream in;
        private final int limit;
        private final boolean keepTail;
        private byte[] data = new byte[0];
        private volatile boolean truncated;

        BoundedCapture(InputStream in, int limit, boolean keepTail) {
            this.in = in;
            this.limit = limit;
            this.keepTail = keepTail;
        }

        @Override
        public void run() {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(chunk)) > 0) {
                    buf.write(chunk, 0, n);
                    if (buf.size() > 2 * limit) {
                        byte[] all = buf.toByteArray();
                        buf.reset();
                        truncated = true;
                        if (keepTail) buf.write(all, all.length - limit, limit);
                        else buf.write(all, 0, limit);
                        if (!keepTail) { drain(); break; }
                    }
                }
            } catch (IOException ignored) {
                // the process died; keep what we have
            }
            byte[] all = buf.toByteArray();
            if (all.length > limit) {
                truncated = true;
                all = keepTail ? java.util.Arrays.copyOfRange(all, all.length - limit, all.length) : java.util.Arrays.copyOf(all, limit);
            }
            synchronized (this) { data = all; }
        }

        private void drain() throws IOException {
            byte[] sink = new byte[8192];
            while (in.read(sink) > 0) { /* discard */ }
        }

        synchronized String text() { return new String(data, StandardCharsets.UTF_8); }
    }
}
