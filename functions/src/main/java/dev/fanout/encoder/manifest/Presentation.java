package dev.fanout.encoder.manifest;

import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.VideoCodec;

import java.util.LinkedHashMap;

import java.util.List;
import java.util.Map;

/**
 * What the manifest describes, already checked for consistency.
 *
 * @param audio one set per audio rendition, in rendition order (plan/AudioRenditions); empty without audio
 * @param text  the subtitle tracks, in menu order; empty without subtitles
 */
public record Presentation(double durationSeconds, double segmentSeconds, VideoSet video, List<AudioSet> audio, List<TextTrack> text) {

    public Presentation {
        audio = audio == null ? List.of() : List.copyOf(audio);
        text = text == null ? List.of() : List.copyOf(text);
    }

    /** A presentation without subtitles. */
    public Presentation(double durationSeconds, double segmentSeconds, VideoSet video, List<AudioSet> audio) {
        this(durationSeconds, segmentSeconds, video, audio, List.of());
    }

    /** A presentation with at most one audio track (null: none) and no subtitles. */
    public static Presentation of(double durationSeconds, double segmentSeconds, VideoSet video, AudioSet audio) {
        return new Presentation(durationSeconds, segmentSeconds, video, audio == null ? List.of() : List.of(audio));
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

    /** @param codec the video codec of the rendition (absent: H.264) */
    public record Representation(String id, String codecs, int width, int height, long bandwidth, long bytes, int maxrateKbps, VideoCodec codec) {
        public Representation {
            if (codec == null) codec = VideoCodec.H264;
        }

        public Representation(String id, String codecs, int width, int height, long bandwidth, long bytes, int maxrateKbps) {
            this(id, codecs, width, height, bandwidth, bytes, maxrateKbps, VideoCodec.H264);
        }
    }

    /**
     * Every video rendition of every codec, on one timeline: the assembler proves them all
     * segment-aligned, so each codec's adaptation set (or HLS variants) can use the same grid.
     */
    public record VideoSet(long timescale, Rational frameRate, List<Representation> representations, List<TimelineRun> timeline) {

        /** The renditions codec by codec, in ladder order: each codec is its own DASH adaptation set and set of HLS variants. */
        public Map<VideoCodec, List<Representation>> byCodec() {
            Map<VideoCodec, List<Representation>> out = new LinkedHashMap<>();
            for (Representation r : representations) out.computeIfAbsent(r.codec(), c -> new java.util.ArrayList<>()).add(r);
            return out;
        }
    }

    /**
     * One audio rendition.
     *
     * @param id       its Representation id and folder ("audio" for the first)
     * @param language RFC 5646 tag, "und" when the source did not say
     * @param name     its label for a person (HLS NAME, DASH Label)
     * @param main     the default rendition
     * @param several  the presentation has more than one audio rendition (then each names its role)
     */
    public record AudioSet(long timescale, String codecs, int sampleRate, int channels, long bandwidth, long bytes, List<TimelineRun> timeline,
                           String id, String language, String name, boolean main, boolean several) {

        /** The only audio rendition, untagged. */
        public AudioSet(long timescale, String codecs, int sampleRate, int channels, long bandwidth, long bytes, List<TimelineRun> timeline) {
            this(timescale, codecs, sampleRate, channels, bandwidth, bytes, timeline, "audio", "und", "Audio", true, false);
        }
    }
}
