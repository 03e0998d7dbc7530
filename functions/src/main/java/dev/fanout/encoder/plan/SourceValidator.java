package dev.fanout.encoder.plan;

import dev.fanout.encoder.errors.InvalidInputException;
import dev.fanout.encoder.model.SourceInfo;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** Rejects sources we will not encode, with a reason a person can act on. Pure: no I/O. */
public final class SourceValidator {
    private SourceValidator() {}

    static final Set<String> VIDEO_CODECS = Set.of(
            "h264", "hevc", "vp9", "vp8", "av1", "mpeg4", "mpeg2video", "mpeg1video", "prores",
            "mjpeg", "dnxhd", "h263");

    public static void validate(SourceInfo info, PipelineConfig.Limits limits) {
        if (info.sizeBytes() > limits.maxInputBytes()) {
            throw new InvalidInputException("TooLarge", String.format(Locale.ROOT,
                    "the file is %,d bytes; the limit is %,d bytes (MAX_INPUT_BYTES)", info.sizeBytes(), limits.maxInputBytes()));
        }
        SourceInfo.Video v = info.video();
        if (v == null) {
            throw new InvalidInputException("NoVideoStream", "the file has no video stream"
                    + (info.hasAudio() ? " (it is audio only)" : ""));
        }
        if (!VIDEO_CODECS.contains(v.codec())) {
            throw new InvalidInputException("UnsupportedCodec", "video codec '" + v.codec()
                    + "' is not supported; export the video as H.264, HEVC, VP9 or AV1 (accepted: " + String.join(", ", new TreeSet<>(VIDEO_CODECS)) + ")");
        }
        if (v.width() <= 0 || v.height() <= 0) {
            throw new InvalidInputException("NoVideoStream", "the video stream has no picture size (" + v.width() + "x" + v.height() + ")");
        }
        int longSide = (int) Math.round(Math.max(v.displayWidth(), v.displayHeight()));
        int shortSide = (int) Math.round(Math.min(v.displayWidth(), v.displayHeight()));
        if (longSide > limits.maxLongSide() || shortSide > limits.maxShortSide()) {
            throw new InvalidInputException("TooLarge", String.format(Locale.ROOT,
                    "the picture is %dx%d; the limit is %dx%d (MAX_LONG_SIDE x MAX_SHORT_SIDE)",
                    v.width(), v.height(), limits.maxLongSide(), limits.maxShortSide()));
        }
        if (v.frameCount() <= 0) {
            throw new InvalidInputException("EmptyVideo", "the video stream has no frames; the recording or export produced an empty track");
        }
        if (v.frameRate() == null || !v.frameRate().isPositive() || v.frameRate().toDouble() > 240) {
            throw new InvalidInputException("UnsupportedFrameRate", "the video frame rate " + v.frameRate() + " is not usable (accepted: up to 240 fps)");
        }
        double duration = v.frameCount() / v.frameRate().toDouble();
        if (duration > limits.maxDurationSeconds()) {
            throw new InvalidInputException("TooLong", String.format(Locale.ROOT,
                    "the video lasts %.1f s; the limit is %.0f s (MAX_DURATION_SECONDS)", duration, limits.maxDurationSeconds()));
        }
    }
}
