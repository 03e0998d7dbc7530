package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.media.ProcessRunner;
import dev.fanout.encoder.storage.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * What ffprobe measures in one published track (init + every segment, as a player would buffer
 * them), for checking manifest attributes against the media rather than against the code that
 * wrote them: the RFC 6381 codecs string rebuilt from the decoder configuration, picture size,
 * frame rate, sample aspect ratio, and each segment's object size and duration (from the packets'
 * durations) for bit rates.
 *
 * @param codecs       avc1.PPCCLL from ffprobe's profile/level and the avcC bytes, or mp4a.40.2 for AAC LC
 * @param profile      ffprobe's profile name (High, Main, LC, …)
 * @param level        ffprobe's level (e.g. 31), -1 for audio
 * @param frameRate    r_frame_rate as ffprobe prints it (e.g. 30000/1001)
 * @param sar          sample_aspect_ratio as ffprobe prints it (e.g. 1:1)
 * @param segments     each segment's object size and duration, in order
 */
record TrackMeasurement(String codecType, String codecs, String profile, int level, int width, int height, String frameRate,
                        String sar, int sampleRate, int channels, List<Segment> segments) {

    record Segment(long bytes, double seconds) {
        double bitsPerSecond() { return bytes * 8 / seconds; }
    }

    static TrackMeasurement of(LayerBinaries bin, Path trackDir, Path scratch) throws IOException {
        List<Path> segmentFiles;
        try (var s = Files.list(trackDir)) {
            segmentFiles = s.filter(p -> p.getFileName().toString().startsWith("seg-")).sorted().toList();
        }
        Path joined = MediaProbe.joinTrack(trackDir, scratch.resolve("measure-" + trackDir.getFileName() + ".mp4"));
        JsonNode root = Json.MAPPER.readTree(ffprobe(bin, List.of("-show_streams", "-show_data", "-show_entries",
                "packet=duration,pos:stream", "-of", "json", joined.toString())));
        JsonNode stream = root.path("streams").get(0);
        String type = stream.path("codec_type").asText();

        // byte range of each segment inside the joined file, to attribute packets to segments
        long[] starts = new long[segmentFiles.size() + 1];
        starts[0] = Files.size(trackDir.resolve("init.mp4"));
        for (int i = 0; i < segmentFiles.size(); i++) starts[i + 1] = starts[i] + Files.size(segmentFiles.get(i));
        long[] ticks = new long[segmentFiles.size()];
        for (JsonNode p : root.path("packets")) {
            long pos = p.path("pos").asLong();
            int seg = 0;
            while (seg < segmentFiles.size() - 1 && pos >= starts[seg + 1]) seg++;
            ticks[seg] += p.path("duration").asLong();
        }
        String tb = stream.path("time_base").asText();
        double tickSeconds = 1.0 / Long.parseLong(tb.substring(tb.indexOf('/') + 1));
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < segmentFiles.size(); i++) segments.add(new Segment(Files.size(segmentFiles.get(i)), ticks[i] * tickSeconds));

        String profile = stream.path("profile").asText();
        String codecs;
        int level = -1;
        if (type.equals("video")) {
            byte[] avcC = extradata(stream.path("extradata").asText());
            level = stream.path("level").asInt();
            // avcC: configurationVersion, AVCProfileIndication, profile_compatibility, AVCLevelIndication
            codecs = String.format(Locale.ROOT, "avc1.%02x%02x%02x", profileIdc(profile), avcC[2] & 0xff, level);
            if ((avcC[1] & 0xff) != profileIdc(profile) || (avcC[3] & 0xff) != level) {
                throw new IllegalStateException("avcC says profile " + avcC[1] + " level " + avcC[3] + ", ffprobe " + profile + " " + level);
            }
        } else {
            codecs = stream.path("codec_name").asText().equals("aac") && profile.equals("LC") ? "mp4a.40.2"
                    : stream.path("codec_name").asText() + "/" + profile;
        }
        return new TrackMeasurement(type, codecs, profile, level, stream.path("width").asInt(), stream.path("height").asInt(),
                stream.path("r_frame_rate").asText(), stream.path("sample_aspect_ratio").asText(),
                stream.path("sample_rate").asInt(), stream.path("channels").asInt(), segments);
    }

    double seconds() { return segments.stream().mapToDouble(Segment::seconds).sum(); }

    long bytes() { return segments.stream().mapToLong(Segment::bytes).sum(); }

    double averageBitsPerSecond() { return bytes() * 8 / seconds(); }

    /**
     * The peak segment bit rate of RFC 8216 (4.3.4.2): the highest bit rate of any run of
     * consecutive segments lasting 0.5 to 1.5 target durations (the longest segment rounded up to
     * whole seconds). Every full segment counts alone; a last segment shorter than half a target
     * duration counts together with the one before it.
     */
    double peakBitsPerSecond() {
        double longest = segments.stream().mapToDouble(Segment::seconds).max().orElseThrow();
        double target = Math.max(1, Math.ceil(longest - 1e-9));
        double peak = 0;
        for (int i = 0; i < segments.size(); i++) {
            long bytes = 0;
            double seconds = 0;
            for (int j = i; j < segments.size() && seconds + segments.get(j).seconds() <= 1.5 * target + 1e-9; j++) {
                bytes += segments.get(j).bytes();
                seconds += segments.get(j).seconds();
                if (seconds >= 0.5 * target - 1e-9) peak = Math.max(peak, bytes * 8 / seconds);
            }
        }
        return peak > 0 ? peak : averageBitsPerSecond();
    }

    /** The H.264 profile_idc of a profile name as ffprobe prints it. */
    static int profileIdc(String profile) {
        return switch (profile) {
            case "Baseline", "Constrained Baseline" -> 66;
            case "Main" -> 77;
            case "Extended" -> 88;
            case "High" -> 100;
            case "High 10" -> 110;
            case "High 4:2:2" -> 122;
            case "High 4:4:4 Predictive" -> 244;
            default -> throw new IllegalArgumentException("unknown H.264 profile " + profile);
        };
    }

    /** Parses ffprobe's hex dump ("00000000: 0164 001e ffe1 ...  .d......") into bytes. */
    private static byte[] extradata(String dump) {
        StringBuilder hex = new StringBuilder();
        for (String line : dump.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String bytes = line.substring(colon + 1).stripLeading();
            int text = bytes.indexOf("  ");
            hex.append((text >= 0 ? bytes.substring(0, text) : bytes).replace(" ", ""));
        }
        return HexFormat.of().parseHex(hex.toString());
    }

    private static String ffprobe(LayerBinaries bin, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(bin.ffprobe().toString(), "-v", "error", "-select_streams", "0"));
        cmd.addAll(args);
        ProcessRunner.Result r = ProcessRunner.run(cmd, Duration.ofMinutes(2), 16 * 1024 * 1024);
        if (!r.ok()) throw new IllegalStateException(String.join(" ", cmd) + " failed: " + r.stderrSummary(5));
        return r.stdout();
    }
}
