package dev.fanout.encoder.plan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.errors.InvalidSettingsException;
import dev.fanout.encoder.model.EncodeSettings;
import dev.fanout.encoder.model.JobSettings;
import dev.fanout.encoder.model.LadderRung;
import dev.fanout.encoder.model.VideoCodec;
import dev.fanout.encoder.storage.Json;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Job settings that travel with the upload as S3 user metadata ({@code x-amz-meta-<key>}), pure:
 * which keys an upload gave, their canonical digest (part of the job's identity), and the settings
 * a job uses once a named preset and the stack's parameters fill in what the upload did not say.
 *
 * <p>S3 stores user metadata with the object and returns it on HEAD; its keys come back in lower
 * case, and it cannot be changed after the upload except by copying the object ("Working with
 * object metadata", Amazon S3 user guide, UsingMetadata.html: user-defined metadata is limited to
 * 2 KB in the PUT request header, measured as the UTF-8 bytes of every key and value). Keys are
 * lower-cased here anyway, so a store that keeps the case behaves the same.
 *
 * <p>Precedence: a key the upload gives &gt; the key in its preset &gt; the stack's parameter.
 * Every key is validated on its own, so the error names the key that is wrong.
 */
public final class UploadSettings {
    private UploadSettings() {}

    public static final String LADDER = "ladder";
    public static final String CODECS = "codecs";
    public static final String SEGMENT_SECONDS = "segment-seconds";
    public static final String QUALITY = "quality";
    public static final String PRESET = "preset";
    public static final List<String> KEYS = List.of(LADDER, CODECS, SEGMENT_SECONDS, QUALITY, PRESET);

    /** The template's SegmentSeconds range: shorter segments mean more requests, longer ones slower starts. */
    public static final double MIN_SEGMENT_SECONDS = 1;
    public static final double MAX_SEGMENT_SECONDS = 10;
    /** Each rung is another encode in every chunk's one ffmpeg run: more would outgrow a chunk Lambda. */
    public static final int MAX_RUNGS = 8;

    static final String LADDER_ALLOWED = "rungs short-side@max-kbit/s, comma separated, e.g. 720@3500,360@1000: at most " + MAX_RUNGS
            + " rungs, each short side once, 2–4320 pixels (rungs above the source are left out, never upscaled), max kbit/s a positive whole number";
    static final String CODECS_ALLOWED = "any of " + VideoCodec.allowedIds() + ", comma separated, each once";
    static final String SEGMENT_ALLOWED = "seconds from " + fmt(MIN_SEGMENT_SECONDS) + " to " + fmt(MAX_SEGMENT_SECONDS)
            + ", at most the stack's chunk length";

    /** What a job uses: the record for the plan and job.json, and the values the planner takes. */
    public record Resolved(JobSettings settings, List<LadderRung> ladder, EncodeSettings encode) {}

    /**
     * The upload's settings from its user metadata: keys lower-cased and stripped, values stripped,
     * the keys of other tools ({@code ignoredKeys}, lower case) left out; sorted by key.
     */
    public static SortedMap<String, String> given(Map<String, String> metadata, Set<String> ignoredKeys) {
        TreeMap<String, String> out = new TreeMap<>();
        if (metadata == null) return Collections.unmodifiableSortedMap(out);
        metadata.forEach((k, v) -> {
            String key = k.strip().toLowerCase(Locale.ROOT);
            if (!ignoredKeys.contains(key)) out.put(key, v == null ? "" : v.strip());
        });
        return Collections.unmodifiableSortedMap(out);
    }

    /**
     * The settings' part of the job id: "" when the upload gave none (its job id is what it was
     * before settings existed), else 16 hex of SHA-256 over the sorted {@code key=value} lines, each
     * value canonical (see {@link #canonical}), so the same settings in another key order, key case,
     * spacing or spelling of a number make the same job.
     */
    public static String digest(SortedMap<String, String> given) {
        if (given.isEmpty()) return "";
        StringBuilder lines = new StringBuilder();
        given.forEach((k, v) -> lines.append(k).append('=').append(canonical(k, v)).append('\n'));
        return JobIds.sha256Hex(lines.toString()).substring(0, 16);
    }

    /** A value as the job reads it: no white space, lower case; a ladder as parsed, a number without trailing zeros. */
    static String canonical(String key, String value) {
        String v = value.replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
        try {
            return switch (key) {
                case LADDER -> ladderText(LadderRung.parseList(v));
                case SEGMENT_SECONDS -> new BigDecimal(v).stripTrailingZeros().toPlainString();
                default -> v;
            };
        } catch (RuntimeException notValid) {
            return v; // the job fails on it with a named error; its id only has to be stable
        }
    }

    /**
     * The settings of a job: the upload's keys over its preset's over the stack's parameters.
     *
     * @throws InvalidSettingsException naming the key, the value and what is allowed
     */
    public static Resolved resolve(SortedMap<String, String> given, PipelineConfig stack) {
        for (Map.Entry<String, String> e : given.entrySet()) {
            if (!KEYS.contains(e.getKey())) {
                throw new InvalidSettingsException("UnknownKey", "metadata key '" + e.getKey() + "' (value '" + e.getValue()
                        + "') is not a setting; allowed keys: " + String.join(", ", KEYS)
                        + " (keys other tools put on uploads are ignored when listed in the stack parameter IgnoredMetadataKeys)");
            }
        }
        Map<String, Value> values = new LinkedHashMap<>();
        String preset = given.get(PRESET);
        String presetName = null;
        if (preset != null) {
            presetName = preset.toLowerCase(Locale.ROOT);
            Map<String, String> keys = stack.presets().get(presetName);
            if (keys == null) {
                throw new InvalidSettingsException("Preset", "metadata preset='" + preset + "' is not a preset of this stack; allowed: "
                        + (stack.presets().isEmpty() ? "none (the stack parameter Presets defines none)" : String.join(", ", new TreeMap<>(stack.presets()).keySet())));
            }
            String name = presetName;
            keys.forEach((k, v) -> values.put(k, new Value(v, "preset '" + name + "' (stack parameter Presets) sets " + k + "='" + v + "'")));
        }
        given.forEach((k, v) -> {
            if (!k.equals(PRESET)) values.put(k, new Value(v, "metadata " + k + "='" + v + "'"));
        });

        List<LadderRung> ladder = values.containsKey(LADDER)
                ? checked("Ladder", values.get(LADDER), LADDER_ALLOWED, () -> ladder(values.get(LADDER).text())) : stack.ladder();
        List<VideoCodec> codecs = values.containsKey(CODECS)
                ? checked("Codecs", values.get(CODECS), CODECS_ALLOWED, () -> VideoCodec.parseList(values.get(CODECS).text()))
                : stack.encode().codecs();
        double segmentSeconds = values.containsKey(SEGMENT_SECONDS)
                ? checked("SegmentSeconds", values.get(SEGMENT_SECONDS), SEGMENT_ALLOWED,
                        () -> segmentSeconds(values.get(SEGMENT_SECONDS).text(), stack.chunkSeconds()))
                : stack.segmentSeconds();
        Map<VideoCodec, Integer> quality = new LinkedHashMap<>();
        for (VideoCodec c : codecs) quality.put(c, stack.encode().quality().getOrDefault(c, c.defaultQuality));
        if (values.containsKey(QUALITY)) {
            Value q = values.get(QUALITY);
            quality.putAll(checked("Quality", q, qualityAllowed(codecs), () -> EncodeSettings.parseQuality(q.text(), codecs)));
        }
        EncodeSettings encode = new EncodeSettings(stack.encode().x264Preset(), stack.encode().audioBitrateKbps(), codecs, quality);
        Map<String, Integer> qualityById = new LinkedHashMap<>();
        for (VideoCodec c : codecs) qualityById.put(c.id, encode.quality(c));
        JobSettings record = new JobSettings(given, presetName, ladderText(ladder), segmentSeconds,
                codecs.stream().map(c -> c.id).toList(), qualityById, digest(given));
        return new Resolved(record, ladder, encode);
    }

    /** A setting's value and where it came from, for the error. */
    private record Value(String text, String origin) {}

    private static <T> T checked(String name, Value value, String allowed, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingsException(name, value.origin() + ": " + e.getMessage() + "; allowed: " + allowed);
        }
    }

    private static List<LadderRung> ladder(String text) {
        List<LadderRung> rungs;
        try {
            rungs = LadderRung.parseList(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a rung is not two whole numbers around '@'");
        }
        if (rungs.size() > MAX_RUNGS) throw new IllegalArgumentException(rungs.size() + " rungs are more than " + MAX_RUNGS);
        Set<Integer> sides = new HashSet<>();
        for (LadderRung r : rungs) {
            // two rungs of one size would be one rendition id (720p) for two encodes
            if (!sides.add(r.shortSide())) throw new IllegalArgumentException("the short side " + r.shortSide() + " is named twice");
        }
        return rungs;
    }

    private static double segmentSeconds(String text, double chunkSeconds) {
        double s;
        try {
            s = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number");
        }
        if (!(s >= MIN_SEGMENT_SECONDS && s <= MAX_SEGMENT_SECONDS)) throw new IllegalArgumentException("out of range");
        if (s > chunkSeconds) {
            // a chunk is a whole number of segments: a longer segment would silently make chunks longer than the stack's
            throw new IllegalArgumentException("longer than this stack's chunks (" + fmt(chunkSeconds)
                    + " s, stack parameter ChunkSeconds), which are whole numbers of segments");
        }
        return s;
    }

    private static String qualityAllowed(List<VideoCodec> codecs) {
        return "one whole number for every codec of the job, or per codec like h264:21,av1:32 naming only the job's codecs ("
                + codecs.stream().map(c -> c.id).collect(Collectors.joining(", ")) + "); ranges "
                + Arrays.stream(VideoCodec.values()).map(c -> c.id + " " + c.minQuality + "–" + c.maxQuality).collect(Collectors.joining(", "));
    }

    static String ladderText(List<LadderRung> rungs) {
        return rungs.stream().map(r -> r.shortSide() + "@" + r.maxrateKbps()).collect(Collectors.joining(","));
    }

    /**
     * Parses {@code PRESETS}: a JSON object of named presets, each an object of settings keys to
     * values, e.g. {@code {"premium":{"ladder":"1080@8000,720@5000","quality":"20"}}}. Names are case
     * insensitive; a preset may not name another preset. Blank: none.
     */
    public static Map<String, Map<String, String>> parsePresets(String json) {
        if (json == null || json.isBlank()) return Map.of();
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("PRESETS is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException("PRESETS must be a JSON object of presets, e.g. {\"premium\":{\"quality\":\"20\"}}");
        Map<String, Map<String, String>> presets = new TreeMap<>();
        for (Map.Entry<String, JsonNode> p : root.properties()) {
            String name = p.getKey().strip().toLowerCase(Locale.ROOT);
            if (!p.getValue().isObject()) throw new IllegalArgumentException("PRESETS: preset '" + name + "' must be an object of settings");
            Map<String, String> keys = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> k : p.getValue().properties()) {
                String key = k.getKey().strip().toLowerCase(Locale.ROOT);
                if (!KEYS.contains(key) || key.equals(PRESET)) {
                    throw new IllegalArgumentException("PRESETS: preset '" + name + "' sets '" + key + "', which is not one of "
                            + String.join(", ", KEYS.subList(0, KEYS.size() - 1)));
                }
                if (!k.getValue().isValueNode()) throw new IllegalArgumentException("PRESETS: preset '" + name + "' key '" + key + "' must be a string");
                keys.put(key, k.getValue().asText().strip());
            }
            presets.put(name, Map.copyOf(keys));
        }
        return Collections.unmodifiableMap(presets);
    }

    /** Parses {@code IGNORED_METADATA_KEYS}: comma-separated metadata keys of other tools (e.g. rclone's mtime). */
    public static Set<String> parseIgnoredKeys(String csv) {
        if (csv == null || csv.isBlank()) return Set.of();
        Set<String> keys = new HashSet<>();
        for (String k : csv.split(",")) if (!k.isBlank()) keys.add(k.strip().toLowerCase(Locale.ROOT));
        return Set.copyOf(keys);
    }

    private static String fmt(double d) {
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
}
