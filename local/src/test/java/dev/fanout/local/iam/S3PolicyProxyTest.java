package dev.fanout.local.iam;

import dev.fanout.encoder.errors.PipelineException;
import dev.fanout.encoder.errors.StorageException;
import dev.fanout.encoder.storage.ObjectStore;
import dev.fanout.encoder.storage.S3Clients;
import dev.fanout.local.LocalS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The policy proxy against the real embedded store and the real client code (ObjectStore, the
 * SDK's signatures, a presigned URL): what a policy allows works, what it does not is S3's 403,
 * a missing key is 403 without s3:ListBucket, and a DeleteObjects request deletes what it may.
 */
class S3PolicyProxyTest {
    private static final String TEMPLATE = """
            Resources:
              Data:
                Type: AWS::S3::Bucket
              DataPolicy:
                Type: AWS::S3::BucketPolicy
                Properties:
                  Bucket: !Ref Data
                  PolicyDocument:
                    Statement:
                      - Sid: DenyInsecureTransport
                        Effect: Deny
                        Principal: "*"
                        Action: s3:*
                        Resource: [!GetAtt Data.Arn, !Sub "${Data.Arn}/*"]
                        Condition:
                          Bool:
                            aws:SecureTransport: "false"
              Writer:
                Type: AWS::Serverless::Function
                Properties:
                  Policies:
                    - Statement:
                        - Effect: Allow
                          Action: [s3:GetObject, s3:PutObject, s3:DeleteObject]
                          Resource: !Sub ${Data.Arn}/work/*
              Lister:
                Type: AWS::Serverless::Function
                Properties:
                  Policies:
                    - Statement:
                        - Effect: Allow
                          Action: [s3:GetObject, s3:DeleteObject]
                          Resource: !Sub ${Data.Arn}/work/*
                        - Effect: Allow
                          Action: s3:ListBucket
                          Resource: !GetAtt Data.Arn
            """;

    @TempDir
    static Path dir;
    static LocalS3 s3;
    static ObjectStore direct;
    static S3PolicyProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        s3 = LocalS3.start(dir.resolve("s3"));
        s3.createBucket("data");
        direct = s3.objectStore();
        proxy = S3PolicyProxy.start(TemplatePolicies.read(TEMPLATE, Map.of("Data", "data")), s3.endpoint(), s3.clientEnv());
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        s3.close();
    }

    private static ObjectStore as(String function) {
        Map<String, String> env = new HashMap<>(s3.clientEnv());
        env.put("S3_ENDPOINT_URL", proxy.endpoint(function));
        return S3Clients.objectStore(env);
    }

    @Test
    void whatThePolicyAllowsWorksAndAnythingElseIsAccessDenied() {
        ObjectStore writer = as("Writer");
        writer.putText("data", "work/j/a.json", "{\"a\":1}", "application/json");
        assertEquals(1, writer.getJson("data", "work/j/a.json", Map.class).get("a"));

        StorageException put = assertThrows(StorageException.class, () -> writer.putText("data", "jobs/j/job.json", "{}", "application/json"));
        assertEquals("Storage.AccessDenied", put.errorName());
        assertEquals(403, put.statusCode());
        assertTrue(direct.head("data", "jobs/j/job.json").isEmpty(), "a refused request never reaches the store");
        S3PolicyProxy.Denial d = proxy.denials().get(proxy.denials().size() - 1);
        assertEquals(List.of("Writer", "s3:PutObject", "arn:aws:s3:::data/jobs/j/job.json"), List.of(d.principal(), d.action(), d.resource()));
        assertTrue(d.reason().contains("no identity-based policy allows the s3:PutObject action"), d.reason());

        // the bucket policy's DenyInsecureTransport does not refuse the local (secure-counted) connection
        assertThrows(StorageException.class, () -> writer.list("data", "work/"), "no s3:ListBucket for the writer");
    }

    @Test
    void aMissingKeyIs403WithoutListBucketAnd404WithIt() {
        // GetObject / HeadObject, S3 API Reference: without s3:ListBucket a missing key is 403 Access Denied
        StorageException head = assertThrows(StorageException.class, () -> as("Writer").head("data", "work/j/none.json"));
        assertEquals("Storage.AccessDenied", head.errorName());
        StorageException get = assertThrows(StorageException.class, () -> as("Writer").getJsonIfExists("data", "work/j/none.json", Map.class));
        assertEquals(403, get.statusCode());
        assertEquals(java.util.Optional.empty(), as("Lister").head("data", "work/j/none.json"));
        assertEquals(null, as("Lister").getJsonIfExists("data", "work/j/none.json", Map.class));
    }


    @Test
    void aDeleteOfManyKeysDeletesWhatItMayAndNamesTheKeyItMayNot() {
        for (String k : List.of("work/d/1.json", "work/d/2.json", "kept/d/3.json")) direct.putText("data", k, "{}", "application/json");
        PipelineException e = assertThrows(PipelineException.class, () -> as("Lister").deletePrefix("data", "", k -> !k.contains("/d/")));
        assertEquals("Storage.AccessDenied", e.errorName(), e.getMessage());
        assertTrue(e.getMessage().contains("kept/d/3.json"), e.getMessage());
        assertTrue(direct.head("data", "work/d/1.json").isEmpty() && direct.head("data", "work/d/2.json").isEmpty(), "the allowed keys are deleted");
        assertTrue(direct.head("data", "kept/d/3.json").isPresent(), "the refused key is kept");

        // all keys allowed: the request goes to the store as it was signed
        for (String k : List.of("work/e/1.json", "work/e/2.json")) direct.putText("data", k, "{}", "application/json");
        assertEquals(2, as("Lister").deletePrefix("data", "work/e/", k -> false));
        assertEquals(List.of(), direct.list("data", "work/e/"));
    }
}
