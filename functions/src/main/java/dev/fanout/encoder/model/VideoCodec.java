package dev.fanout.encoder.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A video codec of the output ladder, named as users name it in settings ({@code codecs=h264,av1}).
 * {@code quality} is the codec's own CRF-style knob (lower is better): x264/x265 {@code -crf} 0–51,
 * libaom-av1 {@code -crf} 0–63; the defaults give roughly alike quality at 1080p.
 */
public enum VideoCodec {
    H264("h264", 23, 0, 51),
    HEVC("hevc", 28, 0, 51),
    AV1("av1", 34, 0, 63);

    public final String id;
    public final int defaultQuality;
    public final int minQuality;
    public final int maxQuality;

    VideoCodec(String id, int defaultQuality, int minQuality, int maxQuality) {
        this.id = id;
        this.defaultQuality = defaultQuality;
        this.minQuality = minQuality;
        this.maxQuality = maxQuality;
    }

    public static String allowedIds() {
        return Arrays.stream(values()).map(c -> c.id).collect(Collectors.joining(", "));
    }

    public static VideoCodec byId(String id) {
        String wanted = id.strip().toLowerCase(Locale.ROOT);
        for (VideoCodec c : values()) if (c.id.equals(wanted)) return c;
        throw new IllegalArgumentException("codec '" + id.strip() + "' is not one of " + allowedIds());
    }

    /** Parses "h264,av1": at least one, each once, in the order given. */
    public static List<VideoCodec> parseList(String text) {
        List<VideoCodec> codecs = new ArrayList<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) continue;
            VideoCodec c = byId(part);
            if (codecs.contains(c)) throw new IllegalArgumentException("codec '" + c.id + "' is named twice");
            codecs.add(c);
        }
        if (codecs.isEmpty()) throw new IllegalArgumentException("no codec named (allowed: " + allowedIds() + ")");
        return List.copyOf(codecs);
    }
}
