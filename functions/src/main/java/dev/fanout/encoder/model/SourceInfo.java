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
     */
    public record Video(String codec, int width, int height, int rotation, Rational sampleAspect,
                        Rational frameRate, long frameCount, String pixelFormat, double startSeconds) {

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
