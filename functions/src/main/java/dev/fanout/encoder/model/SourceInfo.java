package dev.fanout.encoder.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * What the probe learned about the source.
 *
 * @param formatName   demuxer name reported by ffprobe
 * @param sizeBytes    object size
 * @param durationSeconds container duration
 * @param audio        every audio track that is delivered, in the source's order (empty: no audio)
 * @param skippedAudio audio tracks of the source that are not delivered, each with why (job.json's warning)
 * @param subtitles    the source's subtitle streams, in stream order (empty: none)
 */
public record SourceInfo(String formatName, long sizeBytes, double durationSeconds, Video video,
                         // job.json: no "audio" without audio (as before), no "skippedAudio" when none was skipped
                         @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Audio> audio,
                         @JsonInclude(JsonInclude.Include.NON_EMPTY) List<SkippedAudio> skippedAudio,
                         List<Subtitle> subtitles) {

    /** A source whose every audio track is delivered. */
    public SourceInfo(String formatName, long sizeBytes, double durationSeconds, Video video, List<Audio> audio) {
        this(formatName, sizeBytes, durationSeconds, video, audio, List.of());
    }

    /** A source without subtitle streams (or before they are known). */
    public SourceInfo(String formatName, long sizeBytes, double durationSeconds, Video video, List<Audio> audio,
                      List<SkippedAudio> skippedAudio) {
        this(formatName, sizeBytes, durationSeconds, video, audio, skippedAudio, List.of());
    }

    public SourceInfo {
        audio = audio == null ? List.of() : List.copyOf(audio);
        skippedAudio = skippedAudio == null ? List.of() : List.copyOf(skippedAudio);
        subtitles = subtitles == null ? List.of() : List.copyOf(subtitles);
    }

    /** The same source with {@code video} in place of its video. */
    public SourceInfo withVideo(Video measured) {
        return new SourceInfo(formatName, sizeBytes, durationSeconds, measured, audio, skippedAudio, subtitles);
    }

    /**
     * @param width         coded width in pixels
     * @param height        coded height in pixels
     * @param rotation      clockwise display rotation in degrees (0, 90, 180, 270)
     * @param sampleAspect  sample (pixel) aspect ratio, 1/1 for square pixels
     * @param frameRate     exact frame rate
     * @param frameCount    number of frames in the stream
     * @param startSeconds  first frame's time relative to the start of the file
     * @param fieldOrder    ffprobe's field_order: "progressive", "tt", "bb", "tb", "bt", or "" when unknown
     * @param colorTransfer ffprobe's color_transfer, e.g. "bt709", "smpte2084" (HDR10), "arib-std-b67" (HLG), or ""
     * @param constantFrameRate every frame lasts 1/frameRate (false: variable frame rate, converted to constant)
     * @param nominalFrameRate  the rate the frames were captured at (see {@code plan/FrameRates}): the
     *                          frame rate of a constant-rate source; the rate a variable-rate one is
     *                          converted at (before the output cap). {@code frameRate} stays the
     *                          average: frames ÷ duration
     */
    public record Video(String codec, int width, int height, int rotation, Rational sampleAspect,
                        Rational frameRate, long frameCount, String pixelFormat, double startSeconds,
                        String fieldOrder, String colorTransfer, boolean constantFrameRate, Rational nominalFrameRate) {

        /** A source whose nominal rate is its frame rate (constant rate, or no better guess). */
        public Video(String codec, int width, int height, int rotation, Rational sampleAspect,
                     Rational frameRate, long frameCount, String pixelFormat, double startSeconds,
                     String fieldOrder, String colorTransfer, boolean constantFrameRate) {
            this(codec, width, height, rotation, sampleAspect, frameRate, frameCount, pixelFormat, startSeconds,
                    fieldOrder, colorTransfer, constantFrameRate, frameRate);
        }

        /** The same video starting {@code seconds} after the movie's start. */
        public Video withStartSeconds(double seconds) {
            return new Video(codec, width, height, rotation, sampleAspect, frameRate, frameCount, pixelFormat, seconds,
                    fieldOrder, colorTransfer, constantFrameRate, nominalFrameRate);
        }

        /** Coded as interlaced fields (the container or stream says so): deinterlaced before scaling. */
        public boolean interlaced() {
            return fieldOrder != null && java.util.Set.of("tt", "bb", "tb", "bt").contains(fieldOrder);
        }

        /** High dynamic range (PQ or HLG transfer): tone-mapped to BT.709 SDR. */
        public boolean hdr() {
            return "smpte2084".equals(colorTransfer) || "arib-std-b67".equals(colorTransfer);
        }

        /** Width as shown to a viewer: rotation and pixel aspect applied. */
        public double displayWidth() {
            double w = width * sampleAspect.toDouble();
            return rotation % 180 == 0 ? w : height;
        }

        /** Height as shown to a viewer: rotation and pixel aspect applied. */
        public double displayHeight() {
            double w = width * sampleAspect.toDouble();
            return rotation % 180 == 0 ? height : w;
        }
    }

    /**
     * One audio track of the source.
     *
     * @param streamIndex  ffprobe's stream index (stream #0:n), to name the track to a person
     * @param audioIndex   its place among the source's audio streams, from 0: ffmpeg's {@code -map 0:a:<audioIndex>}
     * @param language     the track's {@code language} tag as ISO 639-2 (lower case), "und" when untagged
     * @param title        its {@code title} or a {@code handler_name} a person wrote, "" when none
     * @param defaultTrack the source marks it default (ffprobe's disposition; the MP4 demuxer sets it from the track's enabled flag)
     */
    public record Audio(String codec, int sampleRate, int channels, double startSeconds, double durationSeconds,
                        int streamIndex, int audioIndex, String language, String title, boolean defaultTrack) {

        /** The only audio track of a source, untagged. */
        public Audio(String codec, int sampleRate, int channels, double startSeconds, double durationSeconds) {
            this(codec, sampleRate, channels, startSeconds, durationSeconds, 1, 0, "und", "", true);
        }

        /** How a person finds the track in the source: e.g. "audio track 2 (deu, stream #0:2)". */
        public String describe() {
            return "audio track " + (audioIndex + 1) + " (" + language + (title.isEmpty() ? "" : ", \"" + title + "\"")
                    + ", stream #0:" + streamIndex + ")";
        }
    }

    /**
     * An audio track the output leaves out.
     *
     * @param warning a named reason, e.g. {@code Audio.NoSamples}
     */
    public record SkippedAudio(int streamIndex, int audioIndex, String language, String warning, String reason) {}

    public boolean hasAudio() { return !audio.isEmpty(); }

    /** The source's first delivered audio track (the one a single-track job has always had), or null. */
    public Audio firstAudio() { return audio.isEmpty() ? null : audio.get(0); }

    /**
     * A subtitle stream of the source as ffprobe names it.
     *
     * @param streamIndex ffprobe's stream index
     * @param trackId     the MP4 track_ID (ffprobe's {@code id}), -1 when unknown
     * @param codec       e.g. "mov_text" (the one kind turned into WebVTT), "dvd_subtitle", "eia_608"
     * @param language    the track's ISO 639-2 language tag as stored ("eng"), "und" when none
     * @param title       the track's title tag, or ""
     * @param isDefault   the stream's default disposition
     */
    public record Subtitle(int streamIndex, long trackId, String codec, String language, String title, boolean isDefault) {}
}
