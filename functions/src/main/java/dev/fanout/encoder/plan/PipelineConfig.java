package dev.fanout.encoder.plan;

import dev.fanout.encoder.model.EncodeSettings;
import dev.fanout.encoder.model.LadderRung;
import dev.fanout.encoder.model.VideoCodec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Settings shared by all stages, read from environment variables (Lambda) or a map (local run,
 * tests). Every variable is optional except where noted; defaults are the product's defaults.
 *
 * <ul>
 *   <li>{@code OUTPUT_BUCKET} (required by stages that write) – bucket for outputs and work objects</li>
 *   <li>{@code LADDER} – e.g. {@code 1080@6000,720@3500,480@1800,360@1000}</li>
 *   <li>{@code SEGMENT_SECONDS} – target segment (and GOP) length, default 2</li>
 *   <li>{@code CHUNK_SECONDS} – target chunk length, rounded to whole segments, default 10</li>
 *   <li>{@code CODECS} – video codecs of the ladder, e.g. {@code h264,av1} (default h264; see {@link VideoCodec})</li>
 *   <li>{@code QUALITY} – CRF-style value: one number for every codec or {@code h264:21,av1:32} (defaults per codec)</li>
 *   <li>{@code X264_PRESET}, {@code AUDIO_BITRATE_KBPS}</li>
 *   <li>{@code MAX_INPUT_BYTES}, {@code MAX_DURATION_SECONDS}, {@code MAX_LONG_SIDE}, {@code MAX_SHORT_SIDE}</li>
 *   <li>{@code FFMPEG_PATH}, {@code FFPROBE_PATH} – default /opt/bin/… (the layer)</li>
 *   <li>{@code FFMPEG_TIMEOUT_SECONDS} – optional cap on each encode's ffmpeg; unset, only the invocation's
 *       own remaining time (less a reserve, see {@link dev.fanout.encoder.runtime.Invocation}) limits it</li>
 *   <li>{@code FFPROBE_TIMEOUT_SECONDS} – each probe run's limit (a crafted file is InvalidInput.ProbeTimeout), {@code WORK_DIR}</li>
 *   <li>{@code PUBLIC_BASE_URL} – optional; where viewers reach output keys (job.json and events carry URLs)</li>
 *   <li>{@code PRESETS} – named presets an upload can ask for with {@code preset=<name>} (JSON, see {@link UploadSettings#parsePresets})</li>
 *   <li>{@code IGNORED_METADATA_KEYS} – user-metadata keys of other tools, which are not settings (comma separated)</li>
 * </ul>
 */
public record PipelineConfig(
        String outputBucket,
        List<LadderRung> ladder,
        double segmentSeconds,
        double chunkSeconds,
        EncodeSettings encode,
        Limits limits,
        Path ffmpeg,
        Path ffprobe,
        Duration ffmpegTimeout,
        Duration ffprobeTimeout,
        Path workDir,
        String publicBaseUrl,
        Map<String, Map<String, String>> presets,
        Set<String> ignoredMetadataKeys) {

    /** Checked before any expensive work. */
    public record Limits(long maxInputBytes, double maxDurationSeconds, int maxLongSide, int maxShortSide) {}

    public static final double DEFAULT_SEGMENT_SECONDS = 2;
    public static final double DEFAULT_CHUNK_SECONDS = 10;
    /** Lambda's largest function Timeout (15 minutes). */
    static final double MAX_LAMBDA_SECONDS = 900;

    private static Duration seconds(double s) { return Duration.ofMillis(Math.max(1, Math.round(s * 1000))); }

    public static PipelineConfig fromEnv(Map<String, String> env) {
        return new PipelineConfig(
                env.get("OUTPUT_BUCKET"),
                LadderRung.parseList(env.getOrDefault("LADDER", LadderRung.DEFAULT_LADDER)),
                positive(env, "SEGMENT_SECONDS", DEFAULT_SEGMENT_SECONDS),
                positive(env, "CHUNK_SECONDS", DEFAULT_CHUNK_SECONDS),
                encodeSettings(env),
                new Limits((long) positive(env, "MAX_INPUT_BYTES", 50L * 1024 * 1024 * 1024),
                        positive(env, "MAX_DURATION_SECONDS", 4 * 3600),
                        (int) positive(env, "MAX_LONG_SIDE", 4096),
                        (int) positive(env, "MAX_SHORT_SIDE", 2304)),
                Path.of(env.getOrDefault("FFMPEG_PATH", "/opt/bin/ffmpeg")),
                Path.of(env.getOrDefault("FFPROBE_PATH", "/opt/bin/ffprobe")),
                // unset: Lambda's longest Timeout, so the invocation's deadline is what limits ffmpeg
                seconds(positive(env, "FFMPEG_TIMEOUT_SECONDS", MAX_LAMBDA_SECONDS)),
                Duration.ofSeconds((long) positive(env, "FFPROBE_TIMEOUT_SECONDS", 120)),
                Path.of(env.getOrDefault("WORK_DIR", System.getProperty("java.io.tmpdir"))),
                baseUrl(env.get("PUBLIC_BASE_URL")),
                UploadSettings.parsePresets(env.get("PRESETS")),
                UploadSettings.parseIgnoredKeys(env.get("IGNORED_METADATA_KEYS")));
    }

    static EncodeSettings encodeSettings(Map<String, String> env) {
        List<VideoCodec> codecs = VideoCodec.parseList(env.getOrDefault("CODECS", VideoCodec.H264.id));
        return new EncodeSettings(env.getOrDefault("X264_PRESET", "veryfast"),
                (int) positive(env, "AUDIO_BITRATE_KBPS", 128),
                codecs, EncodeSettings.parseQuality(env.get("QUALITY"), codecs));
    }

    /** {@code https://…/} where viewers reach the output bucket's keys (e.g. a CloudFront domain), or null. */
    static String baseUrl(String v) {
        if (v == null || v.isBlank()) return null;
        String url = v.strip();
        if (!url.startsWith("https://") && !url.startsWith("http://")) {
            throw new IllegalArgumentException("PUBLIC_BASE_URL='" + v + "' must start with https:// (or http://)");
        }
        return url.endsWith("/") ? url : url + "/";
    }

    /** The viewer URL of an output key, or null when no {@code PUBLIC_BASE_URL} is set. */
    public String publicUrl(String key) {
        return publicBaseUrl == null ? null : publicBaseUrl + key;
    }

    public String requireOutputBucket() {
        if (outputBucket == null || outputBucket.isBlank()) {
            throw new IllegalStateException("OUTPUT_BUCKET is not set");
        }
        return outputBucket;
    }

    private static double positive(Map<String, String> env, String name, double fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) return fallback;
        double d;
        try {
            d = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "='" + v + "' is not a number");
        }
        if (!(d > 0)) throw new IllegalArgumentException(name + "='" + v + "' must be positive");
        return d;
    }
}
