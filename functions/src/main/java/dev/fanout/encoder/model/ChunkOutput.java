package dev.fanout.encoder.model;

import java.util.List;

/**
 * The record a chunk worker writes after all its segments are uploaded. {@code sourceBytesRead}:
 * what its ffmpeg read of the source (from the keyframe before the chunk to its end, plus the moov).
 */
public record ChunkOutput(int chunkIndex, long startFrame, int frameCount, double encodeSeconds,
                          double uploadSeconds, List<TrackOutput> renditions, long sourceBytesRead) {}
