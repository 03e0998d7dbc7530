package dev.fanout.encoder.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.fanout.encoder.stages.Messages;
import dev.fanout.encoder.storage.Json;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.List;
import java.util.Locale;

/**
 * The pure part of the S3 trigger: which uploads start an encode, under which Step Functions
 * execution name, with which input. No AWS calls here.
 *
 * <p>The execution name is deterministic (a readable slug of the file name, a dash, 24 hex digits
 * of SHA-256 over bucket, key, version id or ETag, and the upload's settings digest), so a duplicated S3 event asks Step Functions
 * for an execution that already exists instead of starting a second encode. Step Functions keeps a
 * Standard execution's name reserved for 90 days after it closes.
 */
public final class ExecutionNames {
    private ExecutionNames() {}

    /** Suffixes (lower case) of the uploads we encode. */
    public static final List<String> VIDEO_SUFFIXES = List.of(".mp4", ".m4v", ".mov");

    /** Prefixes the pipeline writes to: never a source, in case the trigger sees the output bucket. */
    public static final List<String> OUTPUT_PREFIXES = List.of("jobs/", "work/");

    /** Step Functions allows 1–80 characters; these are the ones that are safe everywhere. */
    public static final String NAME_PATTERN = "^[A-Za-z0-9_-]{1,80}$";

    static final int SLUG_MAX = 50;
    static final int HASH_HEX = 24;

    /** What to do with one S3 record: start {@code name} with {@code input}, or skip it for {@code skipReason}. */
    public record Decision(String bucket, String key, String etag, String name, String input, String skipReason) {
        public boolean skipped() { return skipReason != null; }
    }

    /**
     * Decides for one record of an S3 event.
     *
     * @param rawKey    the key as the event carries it (URL-encoded, '+' for spaces)
     * @param versionId the object version, or null/empty on an unversioned bucket
     * @param eTag      the event's eTag (with or without quotes)
     */
    public static Decision decide(String bucket, String rawKey, String versionId, String eTag) {
        return decide(bucket, rawKey, versionId, eTag, key -> "");
    }

    /**
     * As above, for an upload whose settings digest ({@link UploadSettings#digest} of its user
     * metadata) {@code settingsDigest} gives for the decoded key; asked only for a key that is encoded.
     */
    public static Decision decide(String bucket, String rawKey, String versionId, String eTag,
                                  java.util.function.Function<String, String> settingsDigest) {
        String key = decodeKey(rawKey);
        String etag = unquote(eTag);
        String reason = skipReason(key);
        if (reason != null) return new Decision(bucket, key, etag, null, null, reason);
        return new Decision(bucket, key, etag, executionName(bucket, key, versionId, etag, settingsDigest.apply(key)),
                inputJson(bucket, key, etag), null);
    }

    /**
     * S3 event keys are URL-encoded with '+' for a space (a literal '+' arrives as %2B). A key that
     * is not valid encoding (S3 never sends one) is kept as it is: the probe then reports it missing.
     */
    public static String decodeKey(String rawKey) {
        if (rawKey == null) return "";
        try {
            return URLDecoder.decode(rawKey, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return rawKey;
        }
    }

    /**
     * Why a (decoded) key is not encoded, or null if it is. Empty files are not skipped: their job
     * records an InvalidInput.Empty failure, so the uploader sees why nothing came out.
     */
    public static String skipReason(String key) {
        if (key == null || key.isEmpty()) return "empty key";
        for (String prefix : OUTPUT_PREFIXES) {
            if (key.startsWith(prefix)) return "under the output prefix " + prefix;
        }
        String lower = key.toLowerCase(Locale.ROOT);
        for (String suffix : VIDEO_SUFFIXES) {
            if (lower.endsWith(suffix)) return null;
        }
        // A sidecar (uploads/film.en.srt) belongs to its video's job, which reads it when probed; on
        // its own it is never an error, only a line in the trigger's log (docs/subtitles.md).
        if (lower.endsWith(".srt") || lower.endsWith(".vtt")) {
            return "a sidecar subtitle file: read by the job of the video beside it when that job starts, not a job of its own";
        }
        return "not a video file name (" + String.join(" ", VIDEO_SUFFIXES) + ")";
    }

    /**
     * slug(file name) + "-" + 24 hex of SHA-256(bucket \n key \n (versionId or eTag)). At most
     * 50 + 1 + 24 = 75 characters of [A-Za-z0-9-].
     */
    public static String executionName(String bucket, String key, String versionId, String eTag) {
        return executionName(bucket, key, versionId, eTag, "");
    }

    /**
     * With the upload's settings digest joining the hash (when not ""): a single-part upload's ETag
     * is the MD5 of its bytes, so the same bytes uploaded again with other metadata on an
     * unversioned bucket bring the same event ETag, and only the settings tell the two uploads apart.
     */
    public static String executionName(String bucket, String key, String versionId, String eTag, String settingsDigest) {
        String identity = versionId != null && !versionId.isEmpty() ? versionId : unquote(eTag);
        String settings = settingsDigest == null || settingsDigest.isEmpty() ? "" : "\n" + settingsDigest;
        String hash = JobIds.sha256Hex(nz(bucket) + "\n" + nz(key) + "\n" + nz(identity) + settings).substring(0, HASH_HEX);
        return slug(key) + "-" + hash;
    }

    /** A readable ASCII slug of the file name without its extension: "My Holiday (2024).mp4" → "My-Holiday-2024". */
    static String slug(String key) {
        String base = nz(key);
        base = base.substring(base.lastIndexOf('/') + 1);
        int dot = base.lastIndexOf('.');
        if (dot > 0) base = base.substring(0, dot);
        String slug = Normalizer.normalize(base, Normalizer.Form.NFKD)
                .replaceAll("\\p{M}+", "")          // accents split off by NFKD: "é" → "e", not "e-"
                .replaceAll("[^A-Za-z0-9]+", "-")
                .replaceAll("^-+|-+$", "");
        if (slug.length() > SLUG_MAX) slug = slug.substring(0, SLUG_MAX).replaceAll("-+$", "");
        return slug.isEmpty() ? "video" : slug;
    }

    /** The state machine input: exactly the probe's request, {"bucket": …, "key": …, "etag": …}. */
    public static String inputJson(String bucket, String key, String etag) {
        try {
            return Json.MAPPER.writeValueAsString(new Messages.ProbeRequest(bucket, key, etag));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** S3 event ETags come without quotes; HEAD responses have them. Either way: none. */
    static String unquote(String eTag) {
        if (eTag == null) return null;
        String s = eTag.strip();
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) s = s.substring(1, s.length() - 1);
        return s;
    }

    private static String nz(String s) { return s == null ? "" : s; }
}
