package dev.fanout.encoder.media;

import dev.fanout.encoder.errors.EncodeFailedException;
import dev.fanout.encoder.runtime.Invocation;
import dev.fanout.encoder.source.SourceServer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs ffmpeg/ffprobe commands with a time limit and turns failures into named errors. What
 * happened to the source comes first and from the source server's record, never from ffmpeg's
 * stderr; then a crash; only then is ffmpeg's own verdict (its exit code and last lines) used.
 */
public final class Ffmpeg {
    private Ffmpeg() {}

    private static final Map<Integer, String> SIGNALS = Map.ofEntries(Map.entry(1, "SIGHUP"), Map.entry(2, "SIGINT"),
            Map.entry(3, "SIGQUIT"), Map.entry(4, "SIGILL"), Map.entry(5, "SIGTRAP"), Map.entry(6, "SIGABRT"), Map.entry(7, "SIGBUS"),
            Map.entry(8, "SIGFPE"), Map.entry(9, "SIGKILL"), Map.entry(11, "SIGSEGV"), Map.entry(13, "SIGPIPE"), Map.entry(15, "SIGTERM"),
            Map.entry(24, "SIGXCPU"), Map.entry(25, "SIGXFSZ"), Map.entry(31, "SIGSYS"));

    /**
     * Throws the error that is not about the media, if any: the source server's record of S3
     * ({@code InvalidInput.SourceChanged}, {@code Transient.SourceRead}, …; even when ffmpeg exited
     * 0, since it takes a failed read for the end of the file), then {@code EncodeFailed.Crashed}.
     *
     * @param what what the command was doing, for a person
     */
    public static void failIfNotAboutTheMedia(String what, List<String> command, ProcessRunner.Result r, SourceServer source) {
        source.failIfReadsFailed(what);
        failIfCrashed(what, command, r);
    }

    /**
     * A process killed by a signal (exit 128 + n) crashed: that is ours to fix, never a verdict
     * on the upload, so it is {@code EncodeFailed.Crashed} in every stage, the probe included.
     */
    public static void failIfCrashed(String what, List<String> command, ProcessRunner.Result r) {
        if (!r.killedBySignal()) return;
        String tool = Path.of(command.get(0)).getFileName().toString();
        String how = r.signal() > 0
                ? "was killed by signal " + r.signal() + " (" + SIGNALS.getOrDefault(r.signal(), "signal " + r.signal()) + ", exit " + r.exitCode() + ")"
                : "ended with exit " + r.exitCode() + (r.exitCode() == 255 ? " (it caught SIGINT or SIGTERM)" : "");
        String last = r.stderrSummary(3);
        throw new EncodeFailedException("Crashed", tool + " " + how + " while " + what
                + ": the program crashed, which says nothing about the file; last output: " + (last.isEmpty() ? "none" : last));
    }

    /**
     * Runs an encode that reads the source from {@code source}; on failure throws the source's or
     * the crash's error ({@link #failIfNotAboutTheMedia}), else {@code EncodeFailed.Timeout} or
     * {@code EncodeFailed.Ffmpeg}.
     */
    public static ProcessRunner.Result runEncode(String what, List<String> command, Duration timeout, SourceServer source) {
        String limit = Invocation.current().describeLimit(timeout, "FFMPEG_TIMEOUT_SECONDS");
        ProcessRunner.Result r = ProcessRunner.run(command, timeout, 64 * 1024);
        failIfNotAboutTheMedia(what, command, r, source);
        return verdict(what, r, limit);
    }

    /**
     * Runs a command whose inputs are files this invocation wrote itself (e.g. re-muxing an encoded
     * audio piece) or lavfi: no source server is involved, so only a crash, the time limit and
     * ffmpeg's exit decide.
     */
    public static ProcessRunner.Result runOnOwnFiles(String what, List<String> command, Duration timeout) {
        String limit = Invocation.current().describeLimit(timeout, "FFMPEG_TIMEOUT_SECONDS");
        ProcessRunner.Result r = ProcessRunner.run(command, timeout, 64 * 1024);
        failIfCrashed(what, command, r);
        return verdict(what, r, limit);
    }

    private static ProcessRunner.Result verdict(String what, ProcessRunner.Result r, String limit) {
        if (r.timedOut()) {
            throw new EncodeFailedException("Timeout", what + " did not finish within " + limit
                    + " and was stopped; last output: " + r.stderrSummary(3));
        }
        if (r.exitCode() != 0) {
            throw new EncodeFailedException("Ffmpeg", what + " failed (ffmpeg exit " + r.exitCode() + "): " + r.stderrSummary(4));
        }
        return r;
    }
}
