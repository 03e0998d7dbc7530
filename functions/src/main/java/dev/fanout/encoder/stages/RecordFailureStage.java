package dev.fanout.encoder.stages;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.model.JobLayout;
import dev.fanout.encoder.model.JobRecord;
import dev.fanout.encoder.model.SourceRef;
import dev.fanout.encoder.plan.JobIds;
import dev.fanout.encoder.plan.PipelineConfig;
import dev.fanout.encoder.stages.Messages.RecordFailureRequest;
import dev.fanout.encoder.stages.Messages.RecordFailureResult;
import dev.fanout.encoder.storage.Json;
import dev.fanout.encoder.storage.ObjectStore;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes job.json with status FAILED, the error's dotted name and a reason a person can act on,
 * then deletes everything else of the job: its objects under {@code jobs/<jobId>/} (so a player
 * finds nothing) and its records under {@code work/<jobId>/} (so a run started again finds no
 * chunk, audio or thumbnail record of this one). Workers still running when this happens delete
 * their own late uploads ({@link FailedJobCleanup}).
 * Accepts the error as the state machine's Catch delivers it: {@code cause} may be Lambda's JSON
 * error document ({"errorMessage": "InvalidInput.Truncated: …", "errorType": "…"}), or plain text.
 */
public final class RecordFailureStage {
    private static final Pattern NAMED = Pattern.compile("^([A-Z][A-Za-z]+\\.[A-Za-z0-9.]+): (.*)$", Pattern.DOTALL);

    private final ObjectStore store;
    private final PipelineConfig config;

    public RecordFailureStage(ObjectStore store, PipelineConfig config) {
        this.store = store;
        this.config = config;
    }

    public RecordFailureResult run(RecordFailureRequest request) {
        String etag = request.etag();
        long size = -1;
        // The HEAD also gives the upload's settings, which are part of the job id, as in the probe.
        HeadObjectResponse head = store.head(request.bucket(), request.key()).orElse(null);
        if (etag == null || etag.isBlank()) {
            etag = head == null ? "" : head.eTag();
            size = head == null ? -1 : head.contentLength();
        }
        etag = ProbeStage.normalizeEtag(etag);
        String jobId = JobIds.forUpload(request.bucket(), request.key(), etag, head == null ? null : head.metadata(),
                config.ignoredMetadataKeys());
        JobLayout layout = JobLayout.of(config.requireOutputBucket(), jobId);
        JobRecord.Failure failure = request.error() == null ? describe(null, null) : describe(request.error().error(), request.error().cause());
        if (failure.error().startsWith("States.")) {
            // e.g. States.ExceedToleratedFailureThreshold: the Map says only that chunks failed; a
            // worker that failed permanently left the reason in the work prefix
            failure = store.list(layout.bucket(), layout.failurePrefix()).stream().findFirst()
                    .map(o -> store.getJson(layout.bucket(), o.key(), JobRecord.Failure.class)).orElse(failure);
        }
        JobRecord existing = store.getJsonIfExists(layout.bucket(), layout.jobRecordKey(), JobRecord.class);
        if (existing != null && existing.hasFailed() && failure.error().startsWith("States.") && existing.error() != null
                && !existing.error().error().startsWith("States.")) {
            // A retry of this stage after it had already deleted the workers' failure records: keep the named error.
            failure = existing.error();
        }
        if (existing != null && JobRecord.SUCCEEDED.equals(existing.status())) {
            // This execution repeated a job that had already succeeded: its output and record stay.
            return new RecordFailureResult(jobId, layout.jobRecordKey(), failure.error(), failure.reason()
                    + " (this run repeated a job that had already succeeded; its output and job.json were left as they were)");
        }
        String runId = existing == null ? null : existing.runId(); // Probe wrote RUNNING with this run's id
        JobRecord record = JobRecord.failed(jobId, runId, new SourceRef(request.bucket(), request.key(), etag, size), failure,
                Instant.now().toString());
        // FAILED first, then the deletes: a worker reading job.json after its uploads either sees
        // FAILED and deletes them itself, or finished them before the LIST below (FailedJobCleanup).
        store.putJson(layout.bucket(), layout.jobRecordKey(), record);
        store.deletePrefix(layout.bucket(), layout.outputPrefix(), layout.jobRecordKey()::equals);
        store.deletePrefix(layout.bucket(), layout.workPrefix(), key -> false);
        return new RecordFailureResult(jobId, layout.jobRecordKey(), failure.error(), failure.reason());
    }

    /** Finds our "Name: reason" message wherever the caller put it; falls back to the raw error. */
    static JobRecord.Failure describe(String error, String cause) {
        String message = cause == null ? "" : cause.strip();
        if (message.startsWith("{")) {
            try {
                JsonNode node = Json.MAPPER.readTree(message);
                if (node.hasNonNull("errorMessage")) message = node.get("errorMessage").asText();
            } catch (java.io.IOException ignored) {
                // not JSON after all
            }
        }
        Matcher m = NAMED.matcher(message);
        if (m.matches()) return new JobRecord.Failure(m.group(1), m.group(2));
        String name = error == null || error.isBlank() ? "Internal.Unknown" : error;
        return new JobRecord.Failure(name, message.isEmpty() ? "no details were reported" : message);
    }
}
