package dev.fanout.encoder.model;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Encoder settings applied identically in every chunk (identical settings give identical init
 * segments). {@code codecs}: the video codecs of the ladder, each its own set of renditions;
 * {@code quality}: each codec's CRF-style value (see {@link VideoCodec}).
 */
public record EncodeSettings(String x264Preset, int audioBitrateKbps, List<VideoCodec> codecs, Map<VideoCodec, Integer> quality) {

    public EncodeSettings {
        codecs = List.copyOf(codecs);
        if (codecs.isEmpty()) throw new IllegalArgumentException("no video codec");
        EnumMap<VideoCodec, Integer> q = new EnumMap<>(VideoCodec.class);
        for (VideoCodec c : codecs) q.put(c, quality.getOrDefault(c, c.defaultQuality));
        quality = Map.copyOf(q);
    }

    /** An H.264-only ladder at CRF {@code crf}. */
    public EncodeSettings(String x264Preset, int crf, int audioBitrateKbps) {
        this(x264Preset, audioBitrateKbps, List.of(VideoCodec.H264), Map.of(VideoCodec.H264, crf));
    }

    public int quality(VideoCodec codec) {
        Integer q = quality.get(codec);
        if (q == null) throw new IllegalArgumentException("codec " + codec.id + " is not in this job's ladder");
        return q;
    }

    /**
     * Parses {@code QUALITY}: one number for every codec ("26") or per codec ("h264:21,av1:32");
     * codecs not named keep their default. Each value must be in its codec's range.
     */
    public static Map<VideoCodec, Integer> parseQuality(String text, List<VideoCodec> codecs) {
        EnumMap<VideoCodec, Integer> q = new EnumMap<>(VideoCodec.class);
        if (text == null || text.isBlank()) return q;
        if (!text.contains(":")) {
            int v = parseInt(text);
            for (VideoCodec c : codecs) q.put(c, checked(c, v));
            return q;
        }
        for (String part : text.split(",")) {
            if (part.isBlank()) continue;
            int colon = part.indexOf(':');
            if (colon < 0) throw new IllegalArgumentException("quality '" + part.strip() + "' must look like av1:32");
            VideoCodec c = VideoCodec.byId(part.substring(0, colon));
            if (!codecs.contains(c)) throw new IllegalArgumentException("quality names codec '" + c.id + "', which is not in the codecs " + codecs.stream().map(x -> x.id).toList());
            q.put(c, checked(c, parseInt(part.substring(colon + 1))));
        }
        return q;
    }

    private static int parseInt(String s) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("quality '" + s.strip() + "' is not a whole number");
        }
    }

    private static int checked(VideoCodec c, int v) {
        if (v < c.minQuality || v > c.maxQuality) {
            throw new IllegalArgumentException("quality " + v + " for " + c.id + " is out of range " + c.minQuality + "–" + c.maxQuality);
        }
        return v;
    }
}
