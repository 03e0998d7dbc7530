package dev.fanout.encoder.stages;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** The small JSON messages passed between stages (S3 keys and numbers, never media). */
public final class Messages {
    private Messages() {}

    /**
     * Start of a run of a job: the uploaded object. {@code etag} is optional (looked up when
     * absent); {@code runId} is the execution's name, which the state machine passes and the
     * trigger's input does not carry.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ProbeRequest(String bucket, String key, String etag, String runId) {
        public ProbeRequest(String bucket, String key, String etag) { this(bucket, key, etag, null); }
    }

    /**
     * What the probe tells the state machine: where the plan is and how much work there is; or,
     * with {@code alreadyEncoded}, that this upload's job already succeeded and is left as it is
     * (no plan, nothing to encode).
     */
    public record ProbeResult(String jobId, String outputBucket, String planKey, String chunkListKey,
                              int chunkCount, int segmentCount, boolean hasAudio, List<String> renditions,
                              double durationSeconds, boolean alreadyEncoded) {}

    /** One item of the chunk list the Map state iterates over (also written to chunks.json). */
    public record ChunkItem(int chunkIndex, long startFrame, int frameCount) {}

    /** Work for one chunk worker. */
    public record EncodeChunkRequest(String outputBucket, String planKey, int chunkIndex) {}

    public record EncodeChunkResult(int chunkIndex, int frames, int segments, double encodeSeconds) {}


    /** An error as a Catch delivers it: {@code Error} is a name, {@code Cause} often Lambda's JSON error document. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CaughtError(@JsonProperty("Error") String error, @JsonProperty("Cause") String cause) {}

    public record PackageRequest(String jobId, String outputBucket, String planKey) {}

    /** What the completion event announces: keys in the output bucket, and the page's URL when there is a public one. */
    public record PackageResult(String jobId, String outputBucket, String outputPrefix, String manifestKey, String masterPlaylistKey,
                                String playerPageKey, String playerUrl, String jobRecordKey, int renditions, int segmentCount,
                                double durationSeconds) {}

    /**
     * Records a failed job. {@code error} is the whole error output of the state machine's Catch:
     * its {@code Cause} is usually there but not always, and a JSONPath to a missing field would fail
     * the state (States.Runtime), so the stage reads Error and Cause itself.
     */
    public record RecordFailureRequest(String bucket, String key, String etag, CaughtError error) {}

    public record RecordFailureResult(String jobId, String jobRecordKey, String error, String reason) {}
}
