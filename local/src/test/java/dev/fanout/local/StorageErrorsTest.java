package dev.fanout.local;

import dev.fanout.encoder.errors.PipelineException;
import dev.fanout.encoder.errors.TransientException;
import dev.fanout.encoder.storage.ObjectStore;
import dev.fanout.encoder.storage.S3Clients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Storage errors against the real embedded S3 server: only what a retry can cure is transient.
 * A refused request (a wrong key here, a missing IAM permission on AWS) or a missing bucket is a
 * configuration fault with its own permanent name, which the state machine does not retry (its
 * Retry matches only dev.fanout.encoder.errors.TransientException).
 */
class StorageErrorsTest {
    @TempDir
    static Path dir;
    static LocalS3 s3;

    @BeforeAll
    static void start() throws Exception {
        s3 = LocalS3.start(dir.resolve("s3"));
        s3.createBucket("out");
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    @Test
    void aRefusedRequestIsAccessDeniedAndNotRetried() {
        Map<String, String> env = new HashMap<>(s3.clientEnv());
        env.put("AWS_SECRET_ACCESS_KEY", "not-the-secret");
        ObjectStore wrongKey = S3Clients.objectStore(env);
        PipelineException e = assertThrows(PipelineException.class, () -> wrongKey.putText("out", "work/j/plan.json", "{}", "application/json"));
        assertEquals("Storage.AccessDenied", e.errorName(), e.getMessage());
        assertFalse(e instanceof TransientException, "a 403 is not worth a retry");
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("HTTP 403"), e.getMessage());
        // a HEAD refused with 403 is not "missing" either
        assertEquals("Storage.AccessDenied", assertThrows(PipelineException.class, () -> wrongKey.head("out", "work/j/plan.json")).errorName());
    }

    @Test
    void aMissingBucketIsNoSuchBucket() {
        ObjectStore store = s3.objectStore();
        PipelineException e = assertThrows(PipelineException.class, () -> store.putText("no-such-bucket", "k", "x", "text/plain"));
        assertEquals("Storage.NoSuchBucket", e.errorName(), e.getMessage());
        assertFalse(e instanceof TransientException);
        assertTrue(e.getMessage().contains("s3://no-such-bucket/k"), e.getMessage());
    }

    @Test
    void aMissingKeyStillReadsAsAbsent() {
        ObjectStore store = s3.objectStore();
        assertTrue(store.head("out", "jobs/none/job.json").isEmpty());
        assertNull(store.getJsonIfExists("out", "jobs/none/job.json", Map.class));
        PipelineException e = assertThrows(PipelineException.class, () -> store.getJson("out", "work/none/plan.json", Map.class));
        assertEquals("Storage.NoSuchKey", e.errorName(), e.getMessage());
        assertFalse(e.retryable());
    }

    @Test
    void aRefusedConnectionIsTransient() throws Exception {
        Map<String, String> env = new HashMap<>(s3.clientEnv());
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            env.put("S3_ENDPOINT_URL", "http://127.0.0.1:" + socket.getLocalPort());
        } // closed: nothing listens there now
        ObjectStore nowhere = S3Clients.objectStore(env);
        TransientException e = assertThrows(TransientException.class, () -> nowhere.head("out", "k"));
        assertEquals("Transient.Storage", e.errorName());
        assertInstanceOf(PipelineException.class, e);
    }
}
