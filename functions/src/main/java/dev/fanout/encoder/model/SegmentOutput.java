package dev.fanout.encoder.model;

/**
 * One uploaded media segment.
 *
 * @param number    global 1-based segment number
 * @param startTime earliest presentation time, in the track's timescale
 * @param duration  duration in the track's timescale
 * @param frames    samples (video frames or audio frames) in the segment
 * @param bytes     size of the uploaded object
 */
public record SegmentOutput(int number, long startTime, long duration, int frames, long bytes) {}
