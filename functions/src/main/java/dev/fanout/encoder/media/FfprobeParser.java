package dev.fanout.encoder.media;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.SourceInfo;

import java.io.IOException;

/** Turns {@code ffprobe -show_format -show_streams -of json} output into {@link SourceInfo}. Pure. */
public final class FfprobeParser {
    private FfprobeParser() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    public static SourceInfo parse(String json, long objectSize) throws IOException {
        JsonNode root = JSON.readTree(json);
        JsonNode format = root.path("format");
        double formatStart = format.path("start_time").asDouble(0);
        double duration = format.path("duration").asDouble(0);
        SourceInfo.Video video = null;
        SourceInfo.Audio audio = null;
        for (JsonNode s : root.path("streams")) {
            String type = s.path("codec_type").asText();
            if (type.equals("video") && video == null && s.path("disposition").path("attached_pic").asInt(0) == 0) {
                video = video(s, formatStart, duration);
            } else if (type.equals("audio") && audio == null) {
                audio = new SourceInfo.Audio(s.path("codec_name").asText("unknown"), s.path("sample_rate").asInt(0),
                        s.path("channels").asInt(0), s.path("start_time").asDouble(formatStart) - formatStart,
                        s.path("duration").asDouble(duration));
            }
        }
        return new SourceInfo(format.path("format_name").asText(""), objectSize, duration, video, audio);
    }

    private static SourceInfo.Video video(JsonNode s, double formatStart, double formatDuration) {
        Rational rate = frameRate(s);
        double streamDuration = s.path("duration").asDouble(formatDuration);
        long frames = s.path("nb_frames").asLong(0);
        if (frames <= 0 && rate != null) frames = Math.round(streamDuration * rate.toDouble());
        return new SourceInfo.Video(
                s.path("codec_name").asText("unknown"),
                s.path("width").asInt(0),
                s.path("height").asInt(0),
                rotation(s),
                sampleAspect(s.path("sample_aspect_ratio").asText("1:1")),
                rate,
                frames,
                s.path("pix_fmt").asText(""),
                s.path("start_time").asDouble(formatStart) - formatStart);
    }

    /** avg_frame_rate when usable (the true mean), else r_frame_rate. */
    static Rational frameRate(JsonNode s) {
        for (String field : new String[]{"avg_frame_rate", "r_frame_rate"}) {
            String text = s.path(field).asText("0/0");
            try {
                Rational r = Rational.parse(text);
                if (r.isPositive()) return r;
            } catch (IllegalArgumentException | ArithmeticException ignored) {
                // 0/0 and friends
            }
        }
        return null;
    }

    static Rational sampleAspect(String text) {
        try {
            Rational r = Rational.parse(text);
            return r.isPositive() ? r : Rational.of(1, 1);
        } catch (IllegalArgumentException | ArithmeticException e) {
            return Rational.of(1, 1);
        }
    }

    /** Clockwise display rotation in degrees, from the display matrix or the legacy rotate tag. */
    static int rotation(JsonNode s) {
        for (JsonNode sd : s.path("side_data_list")) {
            if (sd.has("rotation")) return Math.floorMod(-sd.path("rotation").asInt(), 360) / 90 * 90;
        }
        String tag = s.path("tags").path("rotate").asText("");
        if (!tag.isEmpty()) {
            try {
                return Math.floorMod(Integer.parseInt(tag.trim()), 360) / 90 * 90;
            } catch (NumberFormatException ignored) {
                // not a number: no rotation
            }
        }
        return 0;
    }
}
