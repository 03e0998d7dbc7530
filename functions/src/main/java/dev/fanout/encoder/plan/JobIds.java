package dev.fanout.encoder.plan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Job ids are derived from the uploaded object (bucket, key, etag), so the same upload always maps
 * to the same job and the same output keys: a retried or duplicated start rewrites, never forks.
 * Shape: a readable slug of the file name, a dash, 12 hex digits of SHA-256. The upload's settings
 * (its S3 user metadata) are part of the identity; see {@link #of(String, String, String, String)}.
 */
public final class JobIds {
    private JobIds() {}

    /** The job of an upload as a HEAD shows it: bucket, key, ETag (without quotes) and its user metadata. */
    public static String forUpload(String bucket, String key, String etag, java.util.Map<String, String> metadata,
                                   java.util.Set<String> ignoredMetadataKeys) {
        return of(bucket, key, etag, UploadSettings.digest(UploadSettings.given(metadata, ignoredMetadataKeys)));
    }

    public static String of(String bucket, String key, String etag) {
        return of(bucket, key, etag, "");
    }

    /**
     * With the upload's settings: {@code settingsDigest} ({@link UploadSettings#digest}) joins the
     * hash, so the same bytes with other settings are another job; "" (no settings given) leaves
     * the id as it was before settings per upload.
     */
    public static String of(String bucket, String key, String etag, String settingsDigest) {
        String base = key.substring(key.lastIndexOf('/') + 1);
        int dot = base.lastIndexOf('.');
        if (dot > 0) base = base.substring(0, dot);
        String slug = Normalizer.normalize(base, Normalizer.Form.NFKD)
                .replaceAll("[^A-Za-z0-9]+", "-").replaceAll("(^-+|-+$)", "").toLowerCase(Locale.ROOT);
        if (slug.length() > 40) slug = slug.substring(0, 40).replaceAll("-+$", "");
        if (slug.isEmpty()) slug = "video";
        return slug + "-" + sha256Hex(bucket + "\n" + key + "\n" + (etag == null ? "" : etag)
                + (settingsDigest == null || settingsDigest.isEmpty() ? "" : "\n" + settingsDigest)).substring(0, 12);
    }

    public static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
