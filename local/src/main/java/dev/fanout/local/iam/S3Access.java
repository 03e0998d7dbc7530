package dev.fanout.local.iam;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which IAM permissions an S3 REST request (path-style, as the local clients send them) needs:
 * the action, the ARN it acts on and the condition keys S3 puts in the request context, after
 * "Actions, resources, and condition keys for Amazon S3" (Service Authorization Reference) and
 * each operation's Permissions section in the S3 API Reference. GET/HEAD of an object is
 * s3:GetObject; PUT (also a part of a multipart upload) and POST ?uploads / ?uploadId are
 * s3:PutObject; a copy (x-amz-copy-source) also needs s3:GetObject on its source; DELETE is
 * s3:DeleteObject; a list is s3:ListBucket on the bucket with its prefix as s3:prefix.
 * DeleteObjects (POST ?delete) is decided per key by the caller, see {@link #isDeleteObjects}.
 */
public final class S3Access {
    private S3Access() {}

    /** A request as it arrives: method, bucket, key (null for the bucket itself), decoded query, lower-case header names. */
    public record Request(String method, String bucket, String key, Map<String, String> query, Map<String, String> headers) {
        public String objectArn() { return TemplatePolicies.S3_ARN + bucket + "/" + key; }
        public String bucketArn() { return TemplatePolicies.S3_ARN + bucket; }
        public boolean isObject() { return key != null; }
        public boolean isObjectRead() { return isObject() && (method.equals("GET") || method.equals("HEAD")) && subresources().isEmpty(); }

        /** Query parameters that select another operation than the plain one (?acl, ?tagging, ?uploads, ...). */
        Set<String> subresources() {
            Set<String> out = new java.util.TreeSet<>();
            for (String q : query.keySet()) if (!NOT_SUBRESOURCES.contains(q) && !q.toLowerCase(Locale.ROOT).startsWith("x-amz-")
                    && !q.startsWith("response-")) out.add(q);
            return out;
        }
    }

    /** One permission a request needs. {@code context} holds its condition keys, lower-case. */
    public record Check(String action, String resource, Map<String, String> context) {}

    /** Parameters that only shape an operation (paging, ranges, presigning, the multipart ids). */
    private static final Set<String> NOT_SUBRESOURCES = Set.of("list-type", "prefix", "delimiter", "max-keys", "continuation-token",
            "start-after", "encoding-type", "fetch-owner", "marker", "partNumber", "uploadId", "versionId", "max-parts",
            "part-number-marker", "max-uploads", "key-marker", "upload-id-marker", "Signature", "AWSAccessKeyId", "Expires",
            "x-id"); // x-id: the operation's name, which some SDK versions add to the query

    /**
     * Condition keys every local request carries. aws:SecureTransport is "true": the local store is
     * plain http on loopback, but the functions' SDK always uses https to S3 on AWS, which is what
     * the buckets' DenyInsecureTransport statement looks at; treating the local connection as
     * secure keeps that Deny in force for what it is about without refusing every local call.
     */
    static Map<String, String> baseContext() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("aws:securetransport", "true");
        return c;
    }

    /** Parses "/bucket/key?query" (percent-decoded; a '+' in the path is a plus). */
    public static Request parse(String method, String target, Map<String, String> headers) {
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        Map<String, String> query = new LinkedHashMap<>();
        if (q >= 0) {
            for (String pair : target.substring(q + 1).split("&")) {
                if (pair.isEmpty()) continue;
                int eq = pair.indexOf('=');
                query.put(decode(eq < 0 ? pair : pair.substring(0, eq), true), eq < 0 ? "" : decode(pair.substring(eq + 1), true));
            }
        }
        String p = path.startsWith("/") ? path.substring(1) : path;
        int slash = p.indexOf('/');
        String bucket = decode(slash < 0 ? p : p.substring(0, slash), false);
        String key = slash < 0 || slash == p.length() - 1 ? null : decode(p.substring(slash + 1), false);
        return new Request(method, bucket, key, query, headers);
    }

    public static boolean isDeleteObjects(Request r) {
        return r.method().equals("POST") && !r.isObject() && r.query().containsKey("delete");
    }

    /** The permissions a request (other than DeleteObjects) needs, all of which must be allowed. */
    public static List<Check> checks(Request r) {
        Map<String, String> context = baseContext();
        List<Check> out = new ArrayList<>();
        Set<String> sub = r.subresources();
        if (r.isObject()) {
            String arn = r.objectArn();
            String action = switch (r.method()) {
                case "GET", "HEAD" -> sub.isEmpty() ? (r.query().containsKey("uploadId") ? "s3:ListMultipartUploadParts"
                        : r.query().containsKey("versionId") ? "s3:GetObjectVersion" : "s3:GetObject")
                        : objectSubresource("s3:GetObject", sub);
                // PutObject, UploadPart, CopyObject and UploadPartCopy all need s3:PutObject on the target
                case "PUT" -> sub.isEmpty() ? "s3:PutObject" : objectSubresource("s3:PutObject", sub);
                // CreateMultipartUpload (?uploads) and CompleteMultipartUpload (?uploadId) are s3:PutObject
                case "POST" -> sub.isEmpty() || sub.equals(Set.of("uploads")) ? "s3:PutObject" : "s3:Unknown:POST?" + String.join("&", sub);
                case "DELETE" -> r.query().containsKey("uploadId") ? "s3:AbortMultipartUpload"
                        : sub.isEmpty() ? (r.query().containsKey("versionId") ? "s3:DeleteObjectVersion" : "s3:DeleteObject")
                        : objectSubresource("s3:DeleteObject", sub);
                default -> "s3:Unknown:" + r.method();
            };
            out.add(new Check(action, arn, context));
            String copySource = r.headers().get("x-amz-copy-source");
            if (copySource != null && r.method().equals("PUT")) {
                String source = decode(copySource.startsWith("/") ? copySource.substring(1) : copySource, false);
                if (source.contains("?versionId=")) source = source.substring(0, source.indexOf("?versionId="));
                out.add(new Check("s3:GetObject", TemplatePolicies.S3_ARN + source, context));
            }
            return out;
        }
        String action;
        if ((r.method().equals("GET") || r.method().equals("HEAD")) && sub.isEmpty()) {
            action = "s3:ListBucket";
            // A list without a prefix lists from the start: s3:prefix is "" then, not absent, so a
            // StringLike(IfExists) on s3:prefix does not let it list the whole bucket.
            context.put("s3:prefix", r.query().getOrDefault("prefix", ""));
            if (r.query().containsKey("delimiter")) context.put("s3:delimiter", r.query().get("delimiter"));
            if (r.query().containsKey("max-keys")) context.put("s3:max-keys", r.query().get("max-keys"));
        } else if (r.method().equals("GET") && sub.equals(Set.of("location"))) {
            action = "s3:GetBucketLocation";
        } else if (r.method().equals("GET") && sub.equals(Set.of("uploads"))) {
            action = "s3:ListBucketMultipartUploads";
        } else if (r.method().equals("GET") && sub.equals(Set.of("versions"))) {
            action = "s3:ListBucketVersions";
        } else if (r.method().equals("PUT") && sub.isEmpty()) {
            action = "s3:CreateBucket";
        } else if (r.method().equals("DELETE") && sub.isEmpty()) {
            action = "s3:DeleteBucket";
        } else {
            // bucket configuration (?policy, ?lifecycle, ?cors, ...): named, and allowed only by a
            // policy that allows it by that name or a wildcard
            action = "s3:" + (r.method().equals("GET") ? "GetBucket" : r.method().equals("PUT") ? "PutBucket" : r.method() + "Bucket")
                    + (sub.isEmpty() ? "" : capitalize(sub.iterator().next()));
        }
        out.add(new Check(action, r.bucketArn(), context));
        return out;
    }

    /** The permission a DeleteObjects request needs for each of its keys. */
    public static Check deleteCheck(Request r, String key) {
        return new Check("s3:DeleteObject", TemplatePolicies.S3_ARN + r.bucket() + "/" + key, baseContext());
    }

    /**
     * What S3 checks when a GET or HEAD finds no object: whether the caller may list the bucket (no
     * s3:prefix in that context). Without it the answer is 403, not 404 (GetObject and HeadObject,
     * S3 API Reference, Permissions: "If you don't have the s3:ListBucket permission, Amazon S3
     * returns an HTTP status code 403").
     */
    public static Check missingKeyCheck(Request r) {
        return new Check("s3:ListBucket", r.bucketArn(), baseContext());
    }

    private static String objectSubresource(String base, Set<String> sub) {
        String s = sub.iterator().next();
        return switch (s) {
            case "acl" -> base + "Acl";
            case "tagging" -> base + "Tagging";
            case "retention" -> base + "Retention";
            case "legal-hold" -> base + "LegalHold";
            case "attributes" -> "s3:GetObjectAttributes";
            case "restore" -> "s3:RestoreObject";
            default -> base + capitalize(s);
        };
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** Percent-decoding as UTF-8; '+' is a space only in a query. */
    static String decode(String s, boolean query) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            if (c == '%' && isHex(s, i + 1)) {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 3;
                continue;
            }
            byte[] b = (c == '+' && query ? " " : new String(Character.toChars(c))).getBytes(StandardCharsets.UTF_8);
            out.write(b, 0, b.length);
            i += Character.charCount(c);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean isHex(String s, int at) {
        return at + 1 < s.length() && Character.digit(s.charAt(at), 16) >= 0 && Character.digit(s.charAt(at + 1), 16) >= 0;
    }
}
