package dev.fanout.encoder.model;

/**
 * What the probe learned about the source. {@code audio} is null when the file has no audio track.
 *
 * @param formatName   demuxer name reported by ffprobe
 * @param sizeBytes    object size
 * @param durationSeconds container duration
 * @param subtitles    the source's subtitle streams, in stream order (empty: none)
 */
public record SourceInfo(String formatName, long sizeBytes, double durationSeconds, Video video, Audio audio,
                         java.util.List<Subtitle> subtitles) {

    public SourceInfo {
        subtitles = subtitles == null ? java.util.List.of() : java.util.List.copyOf(subtitles);
    }

    /** A source without subtitle streams (or before they are known). */
    public SourceInfo(String formatName, long sizeBytes, double durationSeconds, Video video, Audio audio) {
        this(formatName, sizeBytes, durationSeconds, video, audio, java.util.List.of());
    }

    /** The same source with {@code video} in place of its video. */
    public SourceInfo withVideo(Video measured) {
        return new SourceInfo(formatName, sizeBytes, durationSeconds, measured, audio, subtitles);
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
     */
    public record Video(String codec, int width, int height, int rotation, Rational sampleAspect,
                        Rational frameRate, long frameCount, String pixelFormat, double startSeconds,
                        String fieldOrder, String colorTransfer, boolean constantFrameRate) {

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

    public record Audio(String codec, int sampleRate, int channels, double startSeconds, double durationSeconds) {}

    public boolean hasAudio() { return audio != null; }

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
