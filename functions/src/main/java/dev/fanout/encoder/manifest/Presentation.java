package dev.fanout.encoder.manifest;

import dev.fanout.encoder.model.Rational;

import java.util.List;

/** What the manifest describes, already checked for consistency. {@code text}: the subtitle tracks, in menu order. */
public record Presentation(double durationSeconds, double segmentSeconds, VideoSet video, AudioSet audio, List<TextTrack> text) {

    public Presentation {
        text = text == null ? List.of() : List.copyOf(text);
    }

    /** A presentation without subtitles. */
    public Presentation(double durationSeconds, double segmentSeconds, VideoSet video, AudioSet audio) {
        this(durationSeconds, segmentSeconds, video, audio, List.of());
    }

    /**
     * A subtitle track: one WebVTT file for the whole presentation.
     *
     * @param path      the file relative to the manifests (both sit at the job's root)
     * @param bandwidth the file's bits over the presentation's duration, rounded up (DASH requires a {@code @bandwidth})
     */
    public record TextTrack(String id, String language, String label, String path, long bandwidth) {}

    /** A run of segments: the first starts at {@code t}, each lasts {@code d}, {@code r} repeats follow. */
    public record TimelineRun(long t, long d, int r) {}

    public record Representation(String id, String codecs, int width, int height, long bandwidth, long bytes, int maxrateKbps) {}

    public record VideoSet(long timescale, Rational frameRate, List<Representation> representations, List<TimelineRun> timeline) {}

    /** {@code null} in a presentation without audio. */
    public record AudioSet(long timescale, String codecs, int sampleRate, int channels, long bandwidth, long bytes, List<TimelineRun> timeline) {}
}
