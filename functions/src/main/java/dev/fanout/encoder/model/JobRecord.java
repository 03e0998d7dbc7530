package dev.fanout.encoder.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * {@code job.json}: the durable record of a job. Probe writes it RUNNING at the start of every
 * run but never over a SUCCEEDED one; Package replaces it with SUCCEEDED, RecordFailure with
 * FAILED. Fields that do not apply (e.g. the ladder of a job rejected at probe) are omitted.
 *
 * @param runId the execution (its name) that wrote the record: tells the runs of one job apart
 * @param settings the job's settings (the upload's metadata, its preset, the values used): see
 *                 {@link dev.fanout.encoder.plan.UploadSettings}
 * @param warnings what the job left out and why, when it succeeded anyway (e.g. malformed subtitle cues dropped); null: none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobRecord(
        String status,
        String jobId,
        String runId,
        SourceRef input,
        SourceInfo source,
        List<LadderEntry> ladder,
        Double segmentSeconds,
        Double chunkSeconds,
        Integer chunkCount,
        Integer segmentCount,
        Double durationSeconds,
        Timings timings,
        Outputs outputs,
        ThumbnailsOutput thumbnails,
        Failure error,
        String finishedAt,
        JobSettings settings,
        List<Warning> warnings) {

    /** A record without warnings (omitted from job.json). */
    public JobRecord(String status, String jobId, String runId, SourceRef input, SourceInfo source, List<LadderEntry> ladder,
                     Double segmentSeconds, Double chunkSeconds, Integer chunkCount, Integer segmentCount, Double durationSeconds,
                     Timings timings, Outputs outputs, ThumbnailsOutput thumbnails, Failure error, String finishedAt,
                     JobSettings settings) {
        this(status, jobId, runId, input, source, ladder, segmentSeconds, chunkSeconds, chunkCount, segmentCount, durationSeconds,
                timings, outputs, thumbnails, error, finishedAt, settings, null);
    }

    /** A record without the settings (the shape before settings per upload). */
    public JobRecord(String status, String jobId, String runId, SourceRef input, SourceInfo source, List<LadderEntry> ladder,
                     Double segmentSeconds, Double chunkSeconds, Integer chunkCount, Integer segmentCount, Double durationSeconds,
                     Timings timings, Outputs outputs, ThumbnailsOutput thumbnails, Failure error, String finishedAt) {
        this(status, jobId, runId, input, source, ladder, segmentSeconds, chunkSeconds, chunkCount, segmentCount, durationSeconds,
                timings, outputs, thumbnails, error, finishedAt, null, null);
    }

    public static final String RUNNING = "RUNNING";
    public static final String SUCCEEDED = "SUCCEEDED";
    public static final String FAILED = "FAILED";

    /** A run has started: the stages' uploads are wanted (see {@code stages/FailedJobCleanup}). */
    public static JobRecord running(String jobId, String runId, SourceRef input) {
        return new JobRecord(RUNNING, jobId, runId, input, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    public static JobRecord failed(String jobId, String runId, SourceRef input, Failure error, String finishedAt) {
        return new JobRecord(FAILED, jobId, runId, input, null, null, null, null, null, null, null, null, null, null, error, finishedAt);
    }

    public boolean hasFailed() { return FAILED.equals(status); }

    /** A rendition as delivered: size, cap and the measured bandwidth written to the manifest. */
    public record LadderEntry(String id, int width, int height, String codecs, int maxrateKbps, long bandwidth, long bytes) {}

    /**
     * @param stages              per stage (probe, chunks, package), its invocations and their seconds,
     *                            each a whole invocation up to its record (see {@link JobTimings})
     * @param criticalPathSeconds the job's wall time with unlimited concurrency: the probe + the
     *                            slowest chunk invocation + the package
     * @param chunkEncodeSeconds  ffmpeg alone (video and audio piece), summed over chunks;
     *                            {@code chunkEncodeMaxSeconds} the slowest; {@code chunkUploadSeconds}
     *                            cutting and uploading, summed
     * @param audioSeconds        the chunks' audio pieces in all (included in chunkEncodeSeconds); null without audio
     * @param wallSeconds         from the start of the probe to the end of packaging
     * @param sourceBytesRead     what each stage's ffmpeg/ffprobe read of the source (through its source server)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Timings(Map<String, StageTiming> stages, double criticalPathSeconds, double chunkEncodeSeconds,
                          double chunkEncodeMaxSeconds, double chunkUploadSeconds, Double audioSeconds, double wallSeconds,
                          SourceBytesRead sourceBytesRead) {}

    /** One stage's invocations (one per record: a retried attempt that wrote none is not counted) and their seconds. */
    public record StageTiming(int invocations, double totalSeconds, double maxSeconds) {}

    /**
     * Bytes of the source read by the probe, all chunk workers' video encodes together, their audio
     * pieces together (null: no audio), the thumbnail runs (null: no thumbnail record), and their
     * total. A chunk reads from
     * the keyframe before its start, so {@code chunks} is at least the file and grows with the
     * source's keyframe distance.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SourceBytesRead(long probe, long chunks, Long audio, Long thumbnails, long total) {}

    /**
     * Keys in the output bucket: the DASH manifest, the HLS master playlist and the player page;
     * {@code urls} where viewers reach them, when the deployment has a public base URL (ViewerCdn);
     * {@code subtitles} the WebVTT subtitle tracks (null: none), which {@code totalBytes} counts too.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Outputs(String bucket, String prefix, String manifest, String masterPlaylist, String playerPage, long totalBytes, Urls urls,
                          List<SubtitleTrack> subtitles) {
        /** Outputs without subtitle tracks. */
        public Outputs(String bucket, String prefix, String manifest, String masterPlaylist, String playerPage, long totalBytes, Urls urls) {
            this(bucket, prefix, manifest, masterPlaylist, playerPage, totalBytes, urls, null);
        }
    }

    public record Urls(String playerPage, String manifest, String masterPlaylist) {}

    /** @param error a dotted name such as InvalidInput.Truncated; @param reason what was wrong, for a person */
    public record Failure(String error, String reason) {}

    /** @param warning a dotted name such as Subtitles.MalformedCue; @param detail what was left out and where */
    public record Warning(String warning, String detail) {}
}
