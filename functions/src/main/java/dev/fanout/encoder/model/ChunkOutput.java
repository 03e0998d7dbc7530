package dev.fanout.encoder.model;

import java.util.List;

/** The record a chunk worker writes after all its segments are uploaded. */
public record ChunkOutput(int chunkIndex, long startFrame, int frameCount, double encodeSeconds,
                          double uploadSeconds, List<TrackOutput> renditions) {}
