package dev.fanout.local;

import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.RequestParametersEntity;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.ResponseElementsEntity;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3BucketEntity;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3Entity;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3EventNotificationRecord;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3ObjectEntity;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.UserIdentityEntity;
import dev.fanout.encoder.handlers.StartExecutionHandler;
import dev.fanout.encoder.model.JobLayout;
import dev.fanout.local.asl.StateMachineExecutor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole AWS entry path, locally: an upload's S3 event goes to the real trigger function, whose
 * real Step Functions client starts an execution on {@link LocalStepFunctions}. S3 delivers events
 * at least once, so the same event arrives again while the job runs and after it has finished:
 * exactly one execution encodes. Uploading the same bytes again is the same job too.
 */
class TriggerTest {
    @TempDir
    static Path dir;
    static PipelineFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new PipelineFixture(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @Test
    void aDuplicatedUploadEventStartsOneExecution() throws Exception {
        String key = "uploads/holiday clip+1.mp4";
        fx.upload(fx.generate("clip.mp4", SampleClip.of(320, 180, "25", 4)), key);
        var head = fx.store.head(PipelineFixture.INPUT, key).orElseThrow();
        // S3 URL-encodes keys in events: a space as '+', a '+' as %2B
        String etag = head.eTag().replace("\"", "");
        S3Event event = uploadEvent(PipelineFixture.INPUT, "uploads/holiday+clip%2B1.mp4", head.contentLength(), etag, "0066939A31791B1E2D");

        LocalStateMachine machine = new LocalStateMachine(LocalStateMachine.findTemplate(),
                fx.env(Map.of("LADDER", "180@300", "CHUNK_SECONDS", "2")), 2, 0.001, new StateMachineExecutor.Listener() {});
        try (LocalStepFunctions sfn = new LocalStepFunctions(machine)) {
            StartExecutionHandler trigger = new StartExecutionHandler(sfn.clientEnv());

            StartExecutionHandler.Summary first = trigger.handleRequest(event, null);
            StartExecutionHandler.Summary whileRunning = trigger.handleRequest(event, null);
            assertEquals(1, first.getStarted().size(), first::toString);
            assertEquals(first.getStarted(), whileRunning.getAlreadyStarted(), "a redelivery during the run is recognised by its name");

            LocalStepFunctions.Execution execution = sfn.executions().get(0);
            LocalStateMachine.Outcome outcome = execution.outcome().get(5, TimeUnit.MINUTES);
            assertTrue(outcome.succeeded(), outcome.result()::toString);
            assertEquals(key, execution.input().path("key").asText(), "the trigger decoded the event's key");

            StartExecutionHandler.Summary afterwards = trigger.handleRequest(event, null);
            assertEquals(first.getStarted(), afterwards.getAlreadyStarted(), "a redelivery after the run starts nothing");
            assertEquals(1, sfn.executions().size(), "one execution for one upload");
            assertTrue(fx.store.head(PipelineFixture.OUTPUT, JobLayout.of(PipelineFixture.OUTPUT, outcome.jobId()).manifestKey()).isPresent());
            // 4 s of AAC in 2 s fragments ends with a ~10 ms sliver, which joins the segment before it
            assertEquals(List.of("seg-00001.m4s", "seg-00002.m4s"), fx.store.list(PipelineFixture.OUTPUT, "jobs/" + outcome.jobId() + "/audio/seg-")
                    .stream().map(o -> o.key().substring(o.key().lastIndexOf('/') + 1)).toList());

            // the same bytes uploaded again (a new event with a new sequencer) are the same job: no
            // second execution may run beside the first and mix its segments into the output
            S3Event again = uploadEvent(PipelineFixture.INPUT, "uploads/holiday+clip%2B1.mp4", head.contentLength(), etag, "0066939A31791B1F00");
            assertEquals(first.getStarted(), trigger.handleRequest(again, null).getAlreadyStarted());
            assertEquals(1, sfn.executions().size());
        }
    }

    static S3Event uploadEvent(String bucket, String encodedKey, long size, String etag, String sequencer) {
        return new S3Event(List.of(new S3EventNotificationRecord("us-east-1", "ObjectCreated:Put", "aws:s3", "2026-11-23T10:00:00.000Z", "2.1",
                new RequestParametersEntity("127.0.0.1"), new ResponseElementsEntity("id2", "request"),
                new S3Entity("upload", new S3BucketEntity(bucket, new UserIdentityEntity("owner"), "arn:aws:s3:::" + bucket),
                        new S3ObjectEntity(encodedKey, size, etag, null, sequencer), "1.0"),
                new UserIdentityEntity("AWS:uploader"))));
    }
}
