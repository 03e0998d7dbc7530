package dev.fanout.encoder.runtime;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.encoder.errors.PipelineException;
import dev.fanout.encoder.storage.Json;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one Lambda invocation knows about itself, for the code it runs: when it must end, and the
 * fields of the one JSON line it logs. {@link dev.fanout.encoder.handlers.StageHandler} opens one
 * per invocation on the handler's thread; stages add fields with {@code Invocation.current().put(…)}
 * (code on other threads captures {@code current()} first), and {@link
 * dev.fanout.encoder.media.ProcessRunner} clamps every child process to {@link #limitFor}.
 *
 * <p>The deadline comes from Lambda's {@code Context.getRemainingTimeInMillis()}, so each function's
 * ffmpeg limit follows from its own {@code Timeout} in template.yaml, less {@link #RESERVE}.
 */
public final class Invocation {
    /**
     * Kept back from a child process for what follows it: uploading the segments (a 10 s chunk of
     * four renditions is ~12 MB, seconds at Lambda's S3 throughput, but one PUT the SDK retries six
     * times with backoff can take most of a minute), writing the record or the failure record, and
     * reporting the error. Without it a slow ffmpeg ends as Lambda's own timeout (Sandbox.Timedout,
     * no record, no reason) instead of EncodeFailed.Timeout with ffmpeg's last lines.
     */
    public static final Duration RESERVE = Duration.ofSeconds(60);

    private static final ThreadLocal<Invocation> CURRENT = new ThreadLocal<>();
    /** Outside any invocation (tests, tools calling stages directly): no deadline, fields dropped. */
    private static final Invocation NONE = new Invocation("none", null);

    private final String stage;
    private final Long deadlineNanos;
    private final Map<String, Object> fields = new LinkedHashMap<>();
    private final long startNanos = System.nanoTime();

    private Invocation(String stage, Long deadlineNanos) {
        this.stage = stage;
        this.deadlineNanos = deadlineNanos;
    }

    /** A new invocation of {@code stage}; its deadline is the context's remaining time (none without a context). */
    public static Invocation start(String stage, Context context) {
        Long deadline = context == null ? null : System.nanoTime() + context.getRemainingTimeInMillis() * 1_000_000L;
        Invocation i = new Invocation(stage, deadline);
        if (context != null && context.getAwsRequestId() != null) i.put("requestId", context.getAwsRequestId());
        return i;
    }

    /** What a handler does with its request, as the current invocation. */
    public interface Body {
        void run(Invocation invocation) throws IOException;
    }

    /**
     * Runs a handler's {@code body} as a new invocation of {@code stage} (the current one on this
     * thread while it runs), then writes the invocation's one log line to stdout, with the failure
     * if the body threw; the failure is thrown on, for Lambda to report. Every handler runs its
     * requests through here, so each invocation logs exactly one line.
     */
    public static void run(String stage, Context context, Body body) throws IOException {
        Invocation invocation = start(stage, context);
        Throwable failure = null;
        try (Scope ignored = invocation.enter()) {
            body.run(invocation);
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            System.out.println(invocation.logLine(failure));
        }
    }

    /** The invocation running on this thread, or one without deadline whose fields go nowhere. */
    public static Invocation current() {
        Invocation i = CURRENT.get();
        return i == null ? NONE : i;
    }

    /** Makes this the current invocation of this thread until the returned scope is closed. */
    public Scope enter() {
        Invocation previous = CURRENT.get();
        CURRENT.set(this);
        return () -> { if (previous == null) CURRENT.remove(); else CURRENT.set(previous); };
    }

    /** Closes a {@link #enter()} without checked exceptions. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** Adds (or replaces) a field of this invocation's log line; null values are left out. */
    public Invocation put(String field, Object value) {
        if (this == NONE || value == null) return this;
        synchronized (fields) { fields.put(field, value); }
        return this;
    }

    /** Adds {@code delta} to a numeric field (e.g. bytes read from the source by several readers). */
    public Invocation add(String field, long delta) {
        if (this == NONE) return this;
        synchronized (fields) { fields.merge(field, delta, (a, b) -> ((Number) a).longValue() + ((Number) b).longValue()); }
        return this;
    }

    /**
     * Seconds since this invocation started (before its request was parsed), for the record a
     * stage writes last: job.json's per-stage timings count whole invocations, not only ffmpeg.
     * Outside an invocation (a stage called directly) there is no start, so {@code stageStartNanos}
     * (the stage's own {@link System#nanoTime()} at entry) stands in.
     */
    public double elapsedSeconds(long stageStartNanos) {
        long start = this == NONE ? stageStartNanos : startNanos;
        return (System.nanoTime() - start) / 1e9;
    }

    /** What is left of the invocation's time, or null without a deadline. */
    public Duration remaining() {
        return deadlineNanos == null ? null : Duration.ofNanos(deadlineNanos - System.nanoTime());
    }

    /**
     * The time a child process may run: {@code requested}, or less when the invocation ends sooner:
     * its remaining time less {@link #RESERVE} (at least half the remaining time, so a short
     * function still gets a share). The first limit granted is logged as {@code processLimitSeconds}.
     */
    public Duration limitFor(Duration requested) {
        Duration limit = clamp(requested);
        if (this != NONE) {
            double seconds = Math.round(limit.toMillis() / 100.0) / 10.0;
            synchronized (fields) { fields.putIfAbsent("processLimitSeconds", seconds); }
        }
        return limit;
    }

    private Duration clamp(Duration requested) {
        Duration left = remaining();
        if (left == null) return requested;
        Duration share = left.minus(RESERVE);
        if (share.compareTo(left.dividedBy(2)) < 0) share = left.dividedBy(2);
        if (share.isNegative()) share = Duration.ZERO;
        return share.compareTo(requested) < 0 ? share : requested;
    }

    /** The limit {@link #limitFor} grants now, and why: the setting that asked for it, or this invocation's time. */
    public String describeLimit(Duration requested, String setting) {
        Duration limit = clamp(requested);
        String seconds = limit.toMillis() % 1000 == 0 ? Long.toString(limit.toSeconds()) : Double.toString(limit.toMillis() / 1000.0);
        return seconds + " s (" + (limit.compareTo(requested) < 0
                ? "the function's remaining time less " + RESERVE.toSeconds() + " s kept for uploads and records" : setting) + ")";
    }

    /** Records the job, chunk and source named in a stage's request or result (whichever it has). */
    public void describe(JsonNode message) {
        if (message == null || !message.isObject()) return;
        if (message.hasNonNull("jobId")) put("jobId", message.get("jobId").asText());
        else if (message.hasNonNull("planKey")) put("jobId", jobIdOfWorkKey(message.get("planKey").asText()));
        if (message.has("chunkIndex") && message.get("chunkIndex").canConvertToInt()) put("chunkIndex", message.get("chunkIndex").asInt());
        if (message.hasNonNull("bucket") && message.hasNonNull("key")) {
            put("source", "s3://" + message.get("bucket").asText() + "/" + message.get("key").asText());
        }
    }

    /** {@code work/<jobId>/plan.json} → {@code <jobId>} (see {@link dev.fanout.encoder.model.JobLayout}). */
    static String jobIdOfWorkKey(String key) {
        String[] parts = key.split("/");
        return parts.length >= 3 && parts[0].equals("work") ? parts[1] : null;
    }

    /**
     * The one log line: stage, outcome, the fields gathered, the seconds it took, and for a
     * failure the error's dotted name and its reason.
     */
    public String logLine(Throwable failure) {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("level", failure == null ? "INFO" : "ERROR");
        line.put("stage", stage);
        line.put("outcome", failure == null ? "SUCCEEDED" : "FAILED");
        synchronized (fields) {
            fields.forEach((k, v) -> line.set(k, Json.MAPPER.valueToTree(v)));
        }
        line.put("seconds", Math.round((System.nanoTime() - startNanos) / 1e6) / 1000.0);
        if (failure != null) {
            if (failure instanceof PipelineException p) {
                line.put("error", p.errorName());
                line.put("reason", p.detail());
            } else {
                line.put("error", failure.getClass().getName());
                line.put("reason", String.valueOf(failure.getMessage()));
            }
        }
        return line.toString();
    }
}
