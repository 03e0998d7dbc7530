package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.encoder.handlers.StartExecutionHandler;
import dev.fanout.encoder.model.JobLayout;
import dev.fanout.encoder.storage.Json;
import dev.fanout.local.asl.StateMachineExecutor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
        ObjectNode event = uploadEvent(PipelineFixture.INPUT, "uploads/holiday+clip%2B1.mp4", head.contentLength(), etag, "0066939A31791B1E2D");

        LocalStateMachine machine = new LocalStateMachine(LocalStateMachine.findTemplate(),
                fx.env(Map.of("LADDER", "180@300", "CHUNK_SECONDS", "2")), 2, 0.001, new StateMachineExecutor.Listener() {});
        try (LocalStepFunctions sfn = new LocalStepFunctions(machine)) {
            StartExecutionHandler trigger = new StartExecutionHandler(sfn.clientEnv());

            StartExecutionHandler.Summary first = trigger.handle(event, null);
            StartExecutionHandler.Summary whileRunning = trigger.handle(event, null);
            assertEquals(1, first.getStarted().size(), first::toString);
            assertEquals(first.getStarted(), whileRunning.getAlreadyStarted(), "a redelivery during the run is recognised by its name");

            LocalStepFunctions.Execution execution = sfn.executions().get(0);
            LocalStateMachine.Outcome outcome = execution.outcome().get(5, TimeUnit.MINUTES);
            assertTrue(outcome.succeeded(), outcome.result()::toString);
            assertEquals(key, execution.input().path("key").asText(), "the trigger decoded the event's key");

            StartExecutionHandler.Summary afterwards = trigger.handle(event, null);
            assertEquals(first.getStarted(), afterwards.getAlreadyStarted(), "a redelivery after the run starts nothing");
            assertEquals(1, sfn.executions().size(), "one execution for one upload");
            assertTrue(fx.store.head(PipelineFixture.OUTPUT, JobLayout.of(PipelineFixture.OUTPUT, outcome.jobId()).manifestKey()).isPresent());
            // 4 s of AAC in 2 s fragments ends with a ~10 ms sliver, which joins the segment before it
            assertEquals(List.of("seg-00001.m4s", "seg-00002.m4s"), fx.store.list(PipelineFixture.OUTPUT, "jobs/" + outcome.jobId() + "/audio/seg-")
                    .stream().map(o -> o.key().substring(o.key().lastIndexOf('/') + 1)).toList());

            // the same bytes uploaded again (a new event with a new sequencer) are the same job: no
            // second execution may run beside the first and mix its segments into the output
            ObjectNode again = uploadEvent(PipelineFixture.INPUT, "uploads/holiday+clip%2B1.mp4", head.contentLength(), etag, "0066939A31791B1F00");
            assertEquals(first.getStarted(), trigger.handle(again, null).getAlreadyStarted());
            assertEquals(1, sfn.executions().size());
        }
    }

    /**
     * A single-part upload's ETag is the MD5 of its bytes, so the same bytes uploaded again with
     * other settings carry the ETag of the first upload: the trigger reads the object's metadata
     * (a HEAD its IAM policy allows) and starts another execution, which encodes the new settings.
     */
    @Test
    void theSameBytesUploadedAgainWithOtherSettingsStartAnotherExecution() throws Exception {
        String key = "uploads/resettled.mp4";
        Path clip = fx.generate("resettled.mp4", SampleClip.of(320, 180, "25", 2));
        LocalStateMachine machine = new LocalStateMachine(LocalStateMachine.findTemplate(),
                fx.env(Map.of("LADDER", "180@300", "CHUNK_SECONDS", "2")), 2, 0.001, new StateMachineExecutor.Listener() {});
        try (LocalStepFunctions sfn = new LocalStepFunctions(machine)) {
            StartExecutionHandler trigger = new StartExecutionHandler(sfn.clientEnv());
            fx.upload(clip, key, Map.of("ladder", "144@200"));
            String etag = fx.store.head(PipelineFixture.INPUT, key).orElseThrow().eTag().replace("\"", "");
            StartExecutionHandler.Summary first = trigger.handle(uploadEvent(PipelineFixture.INPUT, key, Files.size(clip), etag, "0066939A31791B3000"), null);
            LocalStateMachine.Outcome firstOutcome = sfn.executions().get(0).outcome().get(5, TimeUnit.MINUTES);
            assertTrue(firstOutcome.succeeded(), firstOutcome.result()::toString);

            fx.upload(clip, key, Map.of("ladder", "90@100"));
            assertEquals(etag, fx.store.head(PipelineFixture.INPUT, key).orElseThrow().eTag().replace("\"", ""), "the same bytes, the same ETag");
            StartExecutionHandler.Summary second = trigger.handle(uploadEvent(PipelineFixture.INPUT, key, Files.size(clip), etag, "0066939A31791B3100"), null);
            assertEquals(1, second.getStarted().size(), second::toString);
            assertNotEquals(first.getStarted(), second.getStarted());
            LocalStateMachine.Outcome secondOutcome = sfn.executions().get(1).outcome().get(5, TimeUnit.MINUTES);
            assertTrue(secondOutcome.succeeded(), secondOutcome.result()::toString);
            assertNotEquals(firstOutcome.jobId(), secondOutcome.jobId());
            assertTrue(fx.store.head(PipelineFixture.OUTPUT, "jobs/" + secondOutcome.jobId() + "/video/90p/init.mp4").isPresent(),
                    "the second execution encoded the second upload's ladder");
            assertTrue(fx.store.head(PipelineFixture.OUTPUT, "jobs/" + firstOutcome.jobId() + "/video/144p/init.mp4").isPresent());
            assertTrue(machine.accessDenied().isEmpty(), machine.accessDenied()::toString);
        }
    }

    @Test
    void anEventLambdaCouldNotDeliverIsReplayedFromTheOnFailureQueueOnce() throws Exception {
        String key = "uploads/during-an-outage.mp4";
        fx.upload(fx.generate("outage.mp4", SampleClip.of(320, 180, "25", 2)), key);
        var head = fx.store.head(PipelineFixture.INPUT, key).orElseThrow();
        ObjectNode event = uploadEvent(PipelineFixture.INPUT, "uploads/during-an-outage.mp4", head.contentLength(),
                head.eTag().replace("\"", ""), "0066939A31791B2000");

        // Step Functions unreachable: the invocation fails, as each of Lambda's three attempts would
        Map<String, String> down = new java.util.HashMap<>(Map.of("STATE_MACHINE_ARN", LocalStepFunctions.STATE_MACHINE_ARN,
                "AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "local", "AWS_SECRET_ACCESS_KEY", "local"));
        try (var closed = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            down.put("SFN_ENDPOINT_URL", "http://127.0.0.1:" + closed.getLocalPort());
        }
        IllegalStateException failed = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> invoke(new StartExecutionHandler(down), event));
        ObjectNode record = onFailureRecord(event, failed.getClass().getName(), failed.getMessage());

        LocalStateMachine machine = new LocalStateMachine(LocalStateMachine.findTemplate(),
                fx.env(Map.of("LADDER", "180@300", "CHUNK_SECONDS", "2")), 2, 0.001, new StateMachineExecutor.Listener() {});
        try (LocalStepFunctions sfn = new LocalStepFunctions(machine)) {
            StartExecutionHandler trigger = new StartExecutionHandler(sfn.clientEnv());
            // the README's replay: the queue's event source mapping hands the queued records to the trigger
            JsonNode answer = invoke(trigger, sqsEvent(record));
            assertEquals(0, answer.path("batchItemFailures").size(), answer::toString);
            assertEquals(1, sfn.executions().size(), "the lost upload started");
            LocalStepFunctions.Execution execution = sfn.executions().get(0);
            assertEquals(key, execution.input().path("key").asText());
            LocalStateMachine.Outcome outcome = execution.outcome().get(5, TimeUnit.MINUTES);
            assertTrue(outcome.succeeded(), outcome.result()::toString);
            assertTrue(fx.store.head(PipelineFixture.OUTPUT, JobLayout.of(PipelineFixture.OUTPUT, outcome.jobId()).manifestKey()).isPresent());

            // replaying again (a message delivered twice, or a record invoked by hand) starts nothing
            assertEquals(0, invoke(trigger, sqsEvent(record)).path("batchItemFailures").size());
            JsonNode byHand = invoke(trigger, record);
            assertEquals(List.of(execution.name()), Json.MAPPER.convertValue(byHand.path("alreadyStarted"), List.class), byHand::toString);
            assertEquals(1, sfn.executions().size(), "one execution for one upload, however often it is replayed");
        }
    }

    @Test
    void aReplayThatFailsAgainKeepsOnlyThatMessageInTheQueue() throws Exception {
        ObjectNode good = uploadEvent(PipelineFixture.INPUT, "uploads/missing.mp4", 10, "0123456789abcdef0123456789abcdef", "0066939A31791B2100");
        ObjectNode wrongMachine = onFailureRecord(good, "java.lang.IllegalStateException", "could not start 1 execution(s)");
        LocalStateMachine machine = new LocalStateMachine(LocalStateMachine.findTemplate(), fx.env(Map.of()), 1, 0.001,
                new StateMachineExecutor.Listener() {});
        try (LocalStepFunctions sfn = new LocalStepFunctions(machine)) {
            Map<String, String> env = new java.util.HashMap<>(sfn.clientEnv());
            env.put("STATE_MACHINE_ARN", LocalStepFunctions.STATE_MACHINE_ARN + "-deleted"); // StateMachineDoesNotExist
            ObjectNode batch = sqsEvent(onFailureRecord(uploadEvent(PipelineFixture.INPUT, "notes.txt", 1, "ab", "0066939A31791B2200"), "x", "y"),
                    wrongMachine);
            JsonNode answer = invoke(new StartExecutionHandler(env), batch);
            assertEquals(List.of(Map.of("itemIdentifier", batch.path("Records").get(1).path("messageId").asText())),
                    Json.MAPPER.convertValue(answer.path("batchItemFailures"), List.class),
                    "the skipped text file's message is done; the one that could not start stays in the queue: " + answer);
            assertEquals(0, sfn.executions().size());
        }
    }

    /** An ObjectCreated:Put event as S3 delivers it (the key URL-encoded). */
    static ObjectNode uploadEvent(String bucket, String encodedKey, long size, String etag, String sequencer) {
        ObjectNode event = Json.MAPPER.createObjectNode();
        ObjectNode r = event.putArray("Records").addObject().put("eventVersion", "2.1").put("eventSource", "aws:s3")
                .put("awsRegion", "us-east-1").put("eventTime", "2026-11-23T10:00:00.000Z").put("eventName", "ObjectCreated:Put");
        r.putObject("userIdentity").put("principalId", "AWS:uploader");
        r.putObject("requestParameters").put("sourceIPAddress", "127.0.0.1");
        ObjectNode s3 = r.putObject("s3").put("s3SchemaVersion", "1.0").put("configurationId", "upload");
        s3.putObject("bucket").put("name", bucket).put("arn", "arn:aws:s3:::" + bucket).putObject("ownerIdentity").put("principalId", "owner");
        s3.putObject("object").put("key", encodedKey).put("size", size).put("eTag", etag).put("sequencer", sequencer);
        return event;
    }

    /**
     * The record Lambda sends to an asynchronous invocation's on-failure destination once its retries
     * are exhausted: the original event as {@code requestPayload}, the last error as {@code responsePayload}.
     */
    static ObjectNode onFailureRecord(JsonNode event, String errorType, String errorMessage) {
        ObjectNode record = Json.MAPPER.createObjectNode().put("version", "1.0").put("timestamp", "2026-11-23T10:03:41.118Z");
        record.putObject("requestContext").put("requestId", "c8b7bc2a-5a8f-4d8e-9d5e-3b6f5e4e1a10")
                .put("functionArn", "arn:aws:lambda:us-east-1:000000000000:function:stack-StartExecutionFunction:$LATEST")
                .put("condition", "RetriesExhausted").put("approximateInvokeCount", 3);
        record.set("requestPayload", event);
        record.putObject("responseContext").put("statusCode", 200).put("executedVersion", "$LATEST").put("functionError", "Unhandled");
        record.putObject("responsePayload").put("errorMessage", errorMessage).put("errorType", errorType);
        return record;
    }

    /** An SQS event as the queue's event source mapping delivers it: each message's body is one record. */
    static ObjectNode sqsEvent(JsonNode... bodies) {
        ObjectNode event = Json.MAPPER.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (int i = 0; i < bodies.length; i++) {
            ObjectNode m = records.addObject().put("messageId", "059f36b4-87a3-44ab-83d2-66197569524" + i).put("receiptHandle", "AQEB" + i)
                    .put("body", bodies[i].toString()).put("md5OfBody", "-").put("eventSource", "aws:sqs")
                    .put("eventSourceARN", "arn:aws:sqs:us-east-1:000000000000:stack-TriggerFailures").put("awsRegion", "us-east-1");
            m.putObject("attributes").put("ApproximateReceiveCount", "1");
            m.putObject("messageAttributes");
        }
        return event;
    }

    /** Invokes the trigger as Lambda does: the event's JSON in, the answer's JSON out. */
    static JsonNode invoke(StartExecutionHandler trigger, JsonNode event) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        trigger.handleRequest(new java.io.ByteArrayInputStream(Json.MAPPER.writeValueAsBytes(event)), out, null);
        return Json.MAPPER.readTree(out.toByteArray());
    }
}
