package dev.fanout.encoder.stages;

import dev.fanout.encoder.model.JobLayout;
import dev.fanout.encoder.model.JobRecord;
import dev.fanout.encoder.storage.ObjectStore;

import java.util.Collection;
import java.util.Set;

/**
 * What a stage that uploads to {@code jobs/<jobId>/} does after its uploads (and its record under
 * {@code work/<jobId>/}) are written: read job.json, and if it says FAILED, delete what it wrote.
 *
 * <p>Why this is needed: when the Map or the Parallel fails, Step Functions goes on to "Record
 * failure" while workers already invoked keep running ("When a parallel state fails, invoked
 * Lambda functions continue to run", AWS Step Functions Developer Guide, "Parallel workflow
 * state", https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html). RecordFailure
 * writes job.json FAILED, then lists and deletes the job's objects; a worker still uploading
 * after that list would leave its objects behind for ever.
 *
 * <p>Why it closes the race: S3 is strongly consistent, both for a GET after a PUT and for a LIST
 * after a PUT ("Amazon S3 data consistency model", Amazon S3 User Guide,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html#ConsistencyModel). The worker
 * reads job.json only after all its PUTs have returned; RecordFailure lists only after its PUT of
 * FAILED has returned. Either the worker's GET starts after FAILED was stored, and it sees FAILED
 * and deletes its own objects; or its GET starts before that PUT returned, so its uploads had
 * finished earlier still, before RecordFailure's LIST, which therefore includes them and deletes
 * them. No order of the two leaves an upload that neither side deletes.
 *
 * <p>RUNNING (a new run started by hand) or SUCCEEDED keeps the objects: the keys of a job are the
 * same in every run, so they may now be the new run's, and Package checks every segment it
 * publishes exists with its recorded size.
 */
final class FailedJobCleanup {
    private FailedJobCleanup() {}

    /** @return true if job.json says FAILED and {@code written} (keys in the job's bucket) were deleted */
    static boolean deleteIfJobFailed(ObjectStore store, JobLayout layout, Collection<String> written) {
        JobRecord job = store.getJsonIfExists(layout.bucket(), layout.jobRecordKey(), JobRecord.class);
        if (job == null || !job.hasFailed()) return false;
        Set<String> mine = Set.copyOf(written);
        // one LIST per prefix (1,000 keys a call): after RecordFailure's cleanup only job.json and late uploads remain
        store.deletePrefix(layout.bucket(), layout.outputPrefix(), key -> !mine.contains(key));
        store.deletePrefix(layout.bucket(), layout.workPrefix(), key -> !mine.contains(key));
        return true;
    }
}
