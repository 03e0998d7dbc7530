package dev.fanout.encoder.media;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.SourceInfo;
import dev.fanout.encoder.plan.FrameRates;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

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
        java.util.List<SourceInfo.Subtitle> subtitles = new java.util.ArrayList<>();
        for (JsonNode s : root.path("streams")) {
            if (s.path("codec_type").asText().equals("subtitle")) subtitles.add(subtitle(s));
            String type = s.path("codec_type").asText();
            if (type.equals("video") && video == null && s.path("disposition").path("attached_pic").asInt(0) == 0) {
                video = video(s, formatStart, duration);
            }
        }
        AudioStreams.Parsed audio = AudioStreams.parse(root, formatStart, duration, videoFrameCountKnown(root));
        return new SourceInfo(format.path("format_name").asText(""), objectSize, duration, video, audio.delivered(), audio.skipped(),
                subtitles);
    }

    private static SourceInfo.Subtitle subtitle(JsonNode s) {
        JsonNode tags = s.path("tags");
        return new SourceInfo.Subtitle(s.path("index").asInt(-1), trackId(s.path("id").asText("")), s.path("codec_name").asText("unknown"),
                tags.path("language").asText("und"), tags.path("title").asText(""), s.path("disposition").path("default").asInt(0) == 1);
    }

    private static SourceInfo.Video video(JsonNode s, double formatStart, double formatDuration) {
        Rational rate = frameRate(s);
        // r_frame_rate: ffprobe's base rate (from the stts table when it has one duration, else
        // guessed from the first frames' timestamps): a variable-rate source's capture rate
        Rational reported = rational(s.path("r_frame_rate").asText("0/0"));
        boolean constant = rate != null && rate.equals(reported);
        double streamDuration = s.path("duration").asDouble(formatDuration);
        long frames = s.path("nb_frames").asLong(0);
        // no sample count (fragmented MP4): an estimate, which ProbeStage replaces with withPacketTimes
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
                s.path("start_time").asDouble(formatStart) - formatStart,
                s.path("field_order").asText(""),
                s.path("color_transfer").asText(""),
                constant,
                constant ? rate : FrameRates.nominal(reported, rate));
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

    private static Rational rational(String text) {
        try {
            return Rational.parse(text);
        } catch (IllegalArgumentException | ArithmeticException e) {
            return null;
        }
    }

    /**
     * Whether ffprobe could read the video's sample count from the header (nb_frames). A
     * fragmented MP4 has none, and its duration is the longest track's: then
     * {@link #withPacketTimes} must measure frames and rate from the packets.
     */
    public static boolean videoFrameCountKnown(String json) throws IOException {
        return videoFrameCountKnown(JSON.readTree(json));
    }

    private static boolean videoFrameCountKnown(JsonNode root) {
        JsonNode v = firstVideo(root);
        return v == null || v.path("nb_frames").asLong(0) > 0;
    }

    /**
     * When the first video frame plays on the movie's timeline (ffprobe's absolute
     * {@code start_time} of the video stream), in seconds: the output's time 0, which subtitle
     * cues read from the source's own tables are moved by.
     */
    public static double videoStartSeconds(String json) throws IOException {
        JsonNode v = firstVideo(JSON.readTree(json));
        return v == null ? 0 : v.path("start_time").asDouble(0);
    }

    /** The first video stream's time base, e.g. 1/15360. */
    public static Rational videoTimeBase(String json) throws IOException {
        JsonNode v = firstVideo(JSON.readTree(json));
        return Rational.parse(v == null ? "1/1" : v.path("time_base").asText("1/1"));
    }

    private static JsonNode firstVideo(JsonNode root) {
        for (JsonNode s : root.path("streams")) {
            if (s.path("codec_type").asText().equals("video") && s.path("disposition").path("attached_pic").asInt(0) == 0) return s;
        }
        return null;
    }

    /**
     * The source with its video frame count and average rate measured from the packets
     * ({@code pts,duration} per line, in {@code timeBase} units): frames = packets, rate = frames
     * over the sum of their durations (timestamps of a fragment's first sample can be off by
     * the composition offset; durations are not), constant when every duration is the same.
     * No packets: no frames (and no rate).
     */
    public static SourceInfo withPacketTimes(SourceInfo info, Rational timeBase, String packetsCsv) {
        long count = 0;
        long ticks = 0;
        Set<Long> durations = new HashSet<>();
        for (String line : packetsCsv.split("\n")) {
            String[] f = line.strip().split(",");
            if (f.length < 2) continue;
            try {
                long duration = Long.parseLong(f[1].strip());
                count++;
                ticks += Math.max(0, duration);
                durations.add(duration);
            } catch (NumberFormatException e) {
                // N/A: a packet without timing is not a frame we can place
            }
        }
        return withFrameTiming(info, timeBase, count, count, ticks, durations.size() == 1);
    }

    /**
     * The source with its video frame count and average rate from the frames' timing: {@code
     * frames} frames, of which {@code rateFrames} last {@code rateTicks} of {@code timeBase},
     * constant rate when {@code uniform}. No frames: no frames (and no rate).
     */
    public static SourceInfo withFrameTiming(SourceInfo info, Rational timeBase, long frames, long rateFrames, long rateTicks, boolean uniform) {
        Rational rate = frames > 0 && rateFrames > 0 && rateTicks > 0
                ? Rational.of(Math.multiplyExact(rateFrames, timeBase.den()), Math.multiplyExact(rateTicks, timeBase.num()))
                : null;
        return withFrameRate(info, frames, rate, uniform);
    }

    /** The source with {@code frames} video frames at {@code rate} (null: none), constant when {@code uniform}. */
    public static SourceInfo withFrameRate(SourceInfo info, long frames, Rational rate, boolean uniform) {
        SourceInfo.Video v = info.video();
        boolean constant = uniform && frames > 0;
        SourceInfo.Video measured = new SourceInfo.Video(v.codec(), v.width(), v.height(), v.rotation(), v.sampleAspect(), rate, frames,
                v.pixelFormat(), v.startSeconds(), v.fieldOrder(), v.colorTransfer(), constant,
                constant || rate == null ? rate : FrameRates.nominal(v.nominalFrameRate(), rate));
        return info.withVideo(measured);
    }

    /** The first video stream's track id (ffprobe's {@code id}, e.g. "0x1", the mov demuxer's tkhd track_ID), or -1. */
    public static long videoTrackId(String json) throws IOException {
        JsonNode v = firstVideo(JSON.readTree(json));
        return trackId(v == null ? "" : v.path("id").asText(""));
    }

    /** ffprobe's stream {@code id} ("0x3" or "3") as a number, or -1. */
    static long trackId(String id) {
        try {
            return id.startsWith("0x") ? Long.parseLong(id.substring(2), 16) : Long.parseLong(id);
        } catch (NumberFormatException e) {
            return -1;
        }
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
