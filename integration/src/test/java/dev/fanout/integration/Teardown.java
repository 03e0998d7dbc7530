package dev.fanout.integration;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * Deletes what a deployment created, newest first, whatever happened in between: every step
 * registered right after its resource was created, every step tried even when an earlier one
 * failed, and the failures reported together at the end.
 */
public final class Teardown implements AutoCloseable {
    private record Step(String what, Runnable undo) {}

    private final Deque<Step> steps = new ArrayDeque<>();
    private final Consumer<String> log;

    public Teardown(Consumer<String> log) { this.log = log; }

    /** Registers the deletion of something just created. */
    public synchronized void add(String what, Runnable undo) {
        steps.push(new Step(what, undo));
    }

    public synchronized int pending() { return steps.size(); }

    /** Runs every registered deletion, newest first; returns "what: why" for each that failed. */
    public synchronized List<String> runAll() {
        List<String> failures = new ArrayList<>();
        while (!steps.isEmpty()) {
            Step s = steps.pop();
            try {
                s.undo().run();
                log.accept("deleted " + s.what());
            } catch (RuntimeException e) {
                failures.add(s.what() + ": " + e.getMessage());
                log.accept("could not delete " + s.what() + ": " + e.getMessage());
            }
        }
        return failures;
    }

    @Override
    public void close() {
        List<String> failures = runAll();
        if (!failures.isEmpty()) throw new IllegalStateException("cleanup left " + failures.size() + " resource(s): " + String.join("; ", failures));
    }

    /** Deletes every object of a bucket, page by page, then the bucket; a bucket already gone is fine. */
    public static void emptyAndDeleteBucket(S3Client s3, String bucket, int pageSize) {
        try {
            while (true) {
                List<S3Object> page = s3.listObjectsV2(b -> b.bucket(bucket).maxKeys(pageSize)).contents();
                if (page.isEmpty()) break;
                List<ObjectIdentifier> ids = page.stream().map(o -> ObjectIdentifier.builder().key(o.key()).build()).toList();
                var result = s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(ids).quiet(true)));
                if (!result.errors().isEmpty()) {
                    throw new IllegalStateException("deleting objects of " + bucket + ": " + result.errors().get(0).key() + " " + result.errors().get(0).message());
                }
            }
            s3.deleteBucket(b -> b.bucket(bucket));
        } catch (NoSuchBucketException e) {
            // already gone: nothing left to delete
        }
    }
}
