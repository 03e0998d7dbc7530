package dev.fanout.encoder.model;

/**
 * What the probe learned about the source. {@code audio} is null when the file has no audio track.
 *
 * @param formatName   demuxer name reported by ffprobe
 * @param sizeBytes    object size
 * @param durationSeconds container duration
 */
public record SourceInfo(String formatName, long sizeBytes, double durationSeconds, Video video, Audio audio) {

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
}
