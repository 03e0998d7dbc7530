package dev.fanout.encoder.media;

import dev.fanout.encoder.errors.EncodeFailedException;
import dev.fanout.encoder.errors.TransientException;
import dev.fanout.encoder.runtime.Invocation;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Runs ffmpeg/ffprobe commands with a time limit and turns failures into named errors whose text
 * carries ffmpeg's own last lines of stderr.
 */
public final class Ffmpeg {
    private Ffmpeg() {}

    /** Network trouble reading the source: worth a retry. */
    static boolean looksTransient(String stderr) {
        String s = stderr.toLowerCase(Locale.ROOT);
        return s.contains("server returned 5") || s.contains("connection refused") || s.contains("connection reset")
                || s.contains("connection timed out") || s.contains("i/o error") || s.contains("server returned 403")
                || s.contains("temporary failure in name resolution");
    }

    /**
     * Throws {@link TransientException} ({@code Transient.SourceRead}) when a failed run's stderr
     * shows network trouble reading the source (after ffmpeg's own reconnects): worth a retry, and
     * never a verdict on the file.
     */
    public static void failIfSourceUnreachable(String what, ProcessRunner.Result failed) {
        if (looksTransient(failed.stderrTail())) {
            throw new TransientException("SourceRead", what + " could not read the source: " + failed.stderrSummary(4), null);
        }
    }

    /**
     * Runs an encode; on failure throws {@link TransientException} ({@code Transient.SourceRead}) for
     * network trouble, else {@link EncodeFailedException} ({@code EncodeFailed.Timeout} or
     * {@code EncodeFailed.Ffmpeg}).
     */
    public static ProcessRunner.Result runEncode(String what, List<String> command, Duration timeout) {
        String limit = Invocation.current().describeLimit(timeout, "FFMPEG_TIMEOUT_SECONDS");
        ProcessRunner.Result r = ProcessRunner.run(command, timeout, 64 * 1024);
        if (r.timedOut()) {
            throw new EncodeFailedException("Timeout", what + " did not finish within " + limit
                    + " and was stopped; last output: " + r.stderrSummary(3));
        }
        if (r.exitCode() != 0) {
            failIfSourceUnreachable(what, r);
            throw new EncodeFailedException("Ffmpeg", what + " failed (ffmpeg exit " + r.exitCode() + "): " + r.stderrSummary(4));
        }
        return r;
    }
}
