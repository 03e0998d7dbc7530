package dev.fanout.encoder.model;

import java.util.List;

/**
 * Everything a worker needs to encode its chunk, stored once as JSON in the work prefix. Chunk
 * boundaries are not listed: they follow from {@code totalFrames} and {@code chunkFrames}
 * (see {@link dev.fanout.encoder.plan.ChunkPlanner}), so the plan stays small for any length.
 * {@code sourceBytesRead} is what the probe's ffprobe/ffmpeg runs read of the source. {@code settings}: the
 * job's settings as resolved from the upload's metadata and the stack (workers use the plan's
 * renditions, segment grid and encode settings, which follow from them, never their own environment).
 */
public record JobPlan(
        String jobId,
        SourceRef source,
        SourceInfo sourceInfo,
        Rational frameRate,
        long totalFrames,
        int segmentFrames,
        int chunkFrames,
        int chunkCount,
        int segmentCount,
        List<Rendition> renditions,
        EncodeSettings encode,
        JobLayout layout,
        long createdAtEpochMillis,
        double probeSeconds,
        long sourceBytesRead,
        JobSettings settings) {

    /** A plan without a settings record (made by hand in tests and benchmarks). */
    public JobPlan(String jobId, SourceRef source, SourceInfo sourceInfo, Rational frameRate, long totalFrames, int segmentFrames,
                   int chunkFrames, int chunkCount, int segmentCount, List<Rendition> renditions, EncodeSettings encode, JobLayout layout,
                   long createdAtEpochMillis, double probeSeconds, long sourceBytesRead) {
        this(jobId, source, sourceInfo, frameRate, totalFrames, segmentFrames, chunkFrames, chunkCount, segmentCount, renditions, encode,
                layout, createdAtEpochMillis, probeSeconds, sourceBytesRead, null);
    }

    public Rational durationSeconds() { return frameRate.secondsFor(totalFrames); }
}
