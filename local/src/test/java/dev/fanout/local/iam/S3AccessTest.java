package dev.fanout.local.iam;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which permission each S3 REST request needs: its action, ARN and condition keys. */
class S3AccessTest {
    private static List<String> checks(String method, String target, Map<String, String> headers) {
        return S3Access.checks(S3Access.parse(method, target, headers)).stream()
                .map(c -> c.action() + " " + c.resource() + (c.context().containsKey("s3:prefix") ? " prefix=" + c.context().get("s3:prefix") : ""))
                .toList();
    }

    private static List<String> checks(String method, String target) {
        return checks(method, target, Map.of());
    }

    @Test
    void objectRequestsMapToTheirActions() {
        assertEquals(List.of("s3:GetObject arn:aws:s3:::in/uploads/holiday clip+1.mp4"), checks("GET", "/in/uploads/holiday%20clip+1.mp4"));
        assertEquals(List.of("s3:GetObject arn:aws:s3:::in/a/b.mp4"), checks("HEAD", "/in/a/b.mp4"));
        // ffmpeg's presigned URL: the signature parameters select no other operation
        assertEquals(List.of("s3:GetObject arn:aws:s3:::in/a.mp4"),
                checks("GET", "/in/a.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=k%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=ab"));
        assertEquals(List.of("s3:PutObject arn:aws:s3:::out/jobs/j/seg-00001.m4s"), checks("PUT", "/out/jobs/j/seg-00001.m4s?x-id=PutObject"));
        assertEquals(List.of("s3:DeleteObject arn:aws:s3:::out/work/j/plan.json"), checks("DELETE", "/out/work/j/plan.json"));
        assertEquals(List.of("s3:GetObjectTagging arn:aws:s3:::out/k"), checks("GET", "/out/k?tagging"));
        assertEquals(List.of("s3:PutObjectAcl arn:aws:s3:::out/k"), checks("PUT", "/out/k?acl"));
        // a key with non-ASCII characters, percent-encoded as UTF-8
        assertEquals(List.of("s3:GetObject arn:aws:s3:::in/vidéo/ö.mp4"), checks("GET", "/in/vid%C3%A9o/%C3%B6.mp4"));
    }

    @Test
    void copiesAndMultipartUploadsArePutObject() {
        assertEquals(List.of("s3:PutObject arn:aws:s3:::out/jobs/j/copy.mp4", "s3:GetObject arn:aws:s3:::in/uploads/a b.mp4"),
                checks("PUT", "/out/jobs/j/copy.mp4", Map.of("x-amz-copy-source", "/in/uploads/a%20b.mp4")));
        assertEquals(List.of("s3:PutObject arn:aws:s3:::out/big"), checks("POST", "/out/big?uploads"));
        assertEquals(List.of("s3:PutObject arn:aws:s3:::out/big"), checks("PUT", "/out/big?partNumber=2&uploadId=abc"));
        assertEquals(List.of("s3:PutObject arn:aws:s3:::out/big"), checks("POST", "/out/big?uploadId=abc"));
        assertEquals(List.of("s3:AbortMultipartUpload arn:aws:s3:::out/big"), checks("DELETE", "/out/big?uploadId=abc"));
        assertEquals(List.of("s3:ListMultipartUploadParts arn:aws:s3:::out/big"), checks("GET", "/out/big?uploadId=abc"));
    }

    @Test
    void listsCarryTheirPrefixAndDeleteObjectsIsPerKey() {
        assertEquals(List.of("s3:ListBucket arn:aws:s3:::out prefix=work/j 1/"), checks("GET", "/out?list-type=2&prefix=work%2Fj+1%2F"));
        assertEquals(List.of("s3:ListBucket arn:aws:s3:::out prefix="), checks("GET", "/out/?list-type=2"), "no prefix: the empty prefix");
        assertEquals(List.of("s3:ListBucket arn:aws:s3:::out prefix="), checks("HEAD", "/out"));
        assertEquals(List.of("s3:GetBucketLocation arn:aws:s3:::out"), checks("GET", "/out?location"));
        assertEquals(List.of("s3:GetBucketPolicy arn:aws:s3:::out"), checks("GET", "/out?policy"));
        S3Access.Request delete = S3Access.parse("POST", "/out?delete", Map.of());
        assertTrue(S3Access.isDeleteObjects(delete));
        assertFalse(S3Access.isDeleteObjects(S3Access.parse("POST", "/out/k?uploads", Map.of())));
        assertEquals("arn:aws:s3:::out/work/j/a.json", S3Access.deleteCheck(delete, "work/j/a.json").resource());
        S3Access.Check missing = S3Access.missingKeyCheck(S3Access.parse("GET", "/out/work/j/x.json", Map.of()));
        assertEquals("s3:ListBucket arn:aws:s3:::out", missing.action() + " " + missing.resource());
        assertFalse(missing.context().containsKey("s3:prefix"), "the implicit check for a missing key has no prefix");
    }
}
