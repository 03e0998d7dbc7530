package dev.fanout.encoder.manifest;

import dev.fanout.encoder.model.Rational;

import java.util.List;

/** What the manifest describes, already checked for consistency. */
public record Presentation(double durationSeconds, double segmentSeconds, VideoSet video, AudioSet audio) {

    /** A run of segments: the first starts at {@code t}, each lasts {@code d}, {@code r} repeats follow. */
    public record TimelineRun(long t, long d, int r) {}

    public record Representation(String id, String codecs, int width, int height, long bandwidth, long bytes, int maxrateKbps) {}

    public record VideoSet(long timescale, Rational frameRate, List<Representation> representations, List<TimelineRun> timeline) {}

    /** {@code null} in a presentation without audio. */
    public record AudioSet(long timescale, String codecs, int sampleRate, int channels, long bandwidth, long bytes, List<TimelineRun> timeline) {}
}
