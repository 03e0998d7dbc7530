package dev.fanout.integration;

import dev.fanout.encoder.storage.ObjectStore;
import dev.fanout.local.LocalS3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TeardownTest {

    @Test
    void deletesNewestFirstAndTriesEveryStepWhateverFails() {
        List<String> done = new ArrayList<>();
        Teardown t = new Teardown(s -> { });
        t.add("bucket in", () -> done.add("bucket in"));
        t.add("function probe", () -> { throw new IllegalStateException("500 from Lambda"); });
        t.add("state machine", () -> done.add("state machine"));
        List<String> failures = t.runAll();
        assertEquals(List.of("state machine", "bucket in"), done, "reverse order of creation, past the failure");
        assertEquals(List.of("function probe: 500 from Lambda"), failures);
        assertEquals(0, t.pending());
        assertEquals(List.of(), t.runAll(), "each step runs once");
    }

    @Test
    void closeReportsWhatIsLeft() {
        Teardown t = new Teardown(s -> { });
        t.add("bucket a", () -> { throw new IllegalStateException("BucketNotEmpty"); });
        var e = assertThrows(IllegalStateException.class, t::close);
        assertEquals("cleanup left 1 resource(s): bucket a: BucketNotEmpty", e.getMessage());
    }

    /** Against a real S3 API (the embedded store): every page of objects, then the bucket; a missing bucket is already clean. */
    @Test
    void bucketsAreEmptiedPageByPageAndDeleted(@TempDir Path dir) throws Exception {
        try (LocalS3 s3 = LocalS3.start(dir.resolve("s3"))) {
            s3.createBucket("work");
            ObjectStore store = s3.objectStore();
            for (int i = 0; i < 5; i++) store.putText("work", "jobs/j/seg-" + i + ".m4s", "x" + i, "video/mp4");
            S3Client client = store.client();
            Teardown.emptyAndDeleteBucket(client, "work", 2);
            assertFalse(client.listBuckets().buckets().stream().anyMatch(b -> b.name().equals("work")), "bucket deleted");
            Teardown.emptyAndDeleteBucket(client, "work", 2);
            assertTrue(client.listBuckets().buckets().isEmpty());
        }
    }
}
