package dev.fanout.encoder.model;

/**
 * A run of whole segments encoded by one worker.
 *
 * @param index              0-based chunk number
 * @param startFrame         first source frame (0-based) of the chunk
 * @param frameCount         frames in this chunk (the last chunk may be shorter)
 * @param firstSegmentNumber global number (1-based) of the chunk's first segment
 * @param segmentCount       segments this chunk produces
 */
public record ChunkSpec(int index, long startFrame, int frameCount, int firstSegmentNumber, int segmentCount) {}
