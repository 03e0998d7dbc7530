package dev.fanout.encoder.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.fanout.encoder.plan.ExecutionNames;
import dev.fanout.encoder.storage.Json;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.SfnException;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StartExecutionHandlerTest {

    /** Behaves like Step Functions for names: a second start under a taken name is refused. */
    static final class FakeStepFunctions implements StartExecutionHandler.ExecutionStarter {
        final Map<String, String> executions = new HashMap<>();
        final List<String> calls = new ArrayList<>();
        final List<String> failFor = new ArrayList<>();

        @Override
        public void start(String name, String input) {
            calls.add(name);
            if (failFor.stream().anyMatch(name::startsWith)) {
                throw (SfnException) SfnException.builder().message("Rate exceeded").statusCode(400).build();
            }
            if (executions.containsKey(name)) {
                throw ExecutionAlreadyExistsException.builder().message("Execution Already Exists: '" + name + "'").build();
            }
            executions.put(name, input);
        }
    }

    @Test
    void startsOneExecutionPerUploadWithTheProbeInput() throws Exception {
        FakeStepFunctions sfn = new FakeStepFunctions();
        var summary = new StartExecutionHandler(sfn).handle(
                S3Events.of("in", 31457280, "abc", null, "uploads/holiday+2024.mp4"), null);
        assertEquals(1, summary.getStarted().size());
        String name = summary.getStarted().get(0);
        assertEquals(ExecutionNames.executionName("in", "uploads/holiday 2024.mp4", null, "abc"), name);
        JsonNode input = Json.MAPPER.readTree(sfn.executions.get(name));
        assertEquals(Json.MAPPER.readTree("{\"bucket\":\"in\",\"key\":\"uploads/holiday 2024.mp4\",\"etag\":\"abc\"}"), input);
    }

    @Test
    void theUploadsSettingsAreInTheExecutionNameWithTheSameETag() {
        FakeStepFunctions sfn = new FakeStepFunctions();
        Map<String, Map<String, String>> objects = new HashMap<>(); // what a HEAD of each version returns
        List<String> versionsRead = new ArrayList<>();
        StartExecutionHandler handler = new StartExecutionHandler(sfn, (bucket, key, versionId) -> {
            versionsRead.add(versionId);
            return java.util.Optional.ofNullable(objects.get(key));
        }, java.util.Set.of("mtime"));

        objects.put("a.mp4", Map.of("ladder", "720@3500", "mtime", "1"));
        var first = handler.handle(S3Events.of("in", 10, "same-md5", null, "a.mp4"), null);
        objects.put("a.mp4", Map.of("LADDER", "720@3500 ", "mtime", "2")); // the same settings, another tool's key changed
        var sameSettings = handler.handle(S3Events.of("in", 10, "same-md5", null, "a.mp4"), null);
        assertEquals(first.getStarted(), sameSettings.getAlreadyStarted());
        objects.put("a.mp4", Map.of("ladder", "360@1000"));
        var otherSettings = handler.handle(S3Events.of("in", 10, "same-md5", null, "a.mp4"), null);
        assertEquals(1, otherSettings.getStarted().size());
        assertTrue(!first.getStarted().equals(otherSettings.getStarted()), "other settings, another execution");
        objects.remove("a.mp4"); // deleted before the trigger ran: named as without settings, the probe reports it missing
        assertEquals(List.of(ExecutionNames.executionName("in", "a.mp4", null, "same-md5")),
                handler.handle(S3Events.of("in", 10, "same-md5", null, "a.mp4"), null).getStarted());

        handler.handle(S3Events.of("in", 10, "e", "v42", "b.mp4"), null);
        assertEquals("v42", versionsRead.get(versionsRead.size() - 1), "the event's own version is read");
        assertEquals(5, versionsRead.size(), "only encoded keys are read: " + versionsRead);
        handler.handle(S3Events.of("in", 10, "e", null, "notes.txt"), null);
        assertEquals(5, versionsRead.size());
    }

    @Test
    void duplicateDeliveryIsSuccessNotASecondEncode() {
        FakeStepFunctions sfn = new FakeStepFunctions();
        StartExecutionHandler handler = new StartExecutionHandler(sfn);
        var event = S3Events.of("in", 1000, "abc", null, "a.mp4");
        var first = handler.handle(event, null);
        var second = handler.handle(S3Events.of("in", 1000, "abc", null, "a.mp4"), null);

        assertEquals(1, sfn.executions.size(), "one execution");
        assertEquals(2, sfn.calls.size());
        assertEquals(sfn.calls.get(0), sfn.calls.get(1), "the same name both times");
        assertEquals(first.getStarted(), second.getAlreadyStarted());
        assertTrue(second.getStarted().isEmpty());

        // a new upload of the same key (new ETag) is a new encode
        var third = handler.handle(S3Events.of("in", 1000, "def", null, "a.mp4"), null);
        assertEquals(1, third.getStarted().size());
        assertEquals(2, sfn.executions.size());
    }

    @Test
    void nonVideoKeysAndOutputPrefixesAreSkipped() {
        FakeStepFunctions sfn = new FakeStepFunctions();
        var summary = new StartExecutionHandler(sfn).handle(S3Events.of("in", 10, "e", null,
                "notes.txt", "jobs/x-123/manifest.mpd", "jobs/x-123/video/720p/init.mp4", "work/x-123/plan.json",
                "work/x.mp4", "uploads/", "film.mkv"), null);
        assertTrue(sfn.calls.isEmpty(), "nothing started: " + sfn.calls);
        assertEquals(7, summary.getSkipped().size());
        assertTrue(summary.getSkipped().contains("jobs/x-123/video/720p/init.mp4"));
    }

    @Test
    void emptyUploadsStillStartAJobSoItCanRecordTheFailure() {
        FakeStepFunctions sfn = new FakeStepFunctions();
        var summary = new StartExecutionHandler(sfn).handle(
                S3Events.of("in", 0, "d41d8cd98f00b204e9800998ecf8427e", null, "empty.MOV"), null);
        assertEquals(1, summary.getStarted().size());
    }

    @Test
    void manyRecordsMixedAndVersionedBuckets() {
        FakeStepFunctions sfn = new FakeStepFunctions();
        var summary = new StartExecutionHandler(sfn).handle(
                S3Events.of("in", 5, "e", "v1", "a.mp4", "b.m4v", "c.txt", "d%2B.mov"), null);
        assertEquals(3, summary.getStarted().size());
        assertEquals(List.of("c.txt"), summary.getSkipped());
        summary.getStarted().forEach(n -> assertTrue(n.matches(ExecutionNames.NAME_PATTERN), n));
        assertTrue(summary.getStarted().get(2).startsWith("d-"), summary.getStarted().get(2));
    }

    @Test
    void otherErrorsFailTheInvocationAfterTryingEveryRecord() {
        FakeStepFunctions sfn = new FakeStepFunctions();
        sfn.failFor.add("b-");
        var handler = new StartExecutionHandler(sfn);
        var e = assertThrows(IllegalStateException.class,
                () -> handler.handle(S3Events.of("in", 5, "e", null, "a.mp4", "b.mp4", "c.mp4"), null));
        assertTrue(e.getMessage().contains("Rate exceeded"), e.getMessage());
        assertEquals(3, sfn.calls.size(), "the records after the failure were still tried");
        assertEquals(2, sfn.executions.size());

        // Lambda retries the whole event: the two started ones are recognised, the third starts
        sfn.failFor.clear();
        var retry = handler.handle(S3Events.of("in", 5, "e", null, "a.mp4", "b.mp4", "c.mp4"), null);
        assertEquals(1, retry.getStarted().size());
        assertEquals(2, retry.getAlreadyStarted().size());
    }

    @Test
    void anOnFailureRecordReplaysItsOriginalEventAndLogsOneJsonLine() throws Exception {
        FakeStepFunctions sfn = new FakeStepFunctions();
        var handler = new StartExecutionHandler(sfn);
        var record = Json.MAPPER.createObjectNode().put("version", "1.0");
        record.putObject("requestContext").put("requestId", "r-1").put("condition", "RetriesExhausted").put("approximateInvokeCount", 3);
        record.set("requestPayload", S3Events.of("in", 5, "e", null, "a.mp4"));
        record.putObject("responsePayload").put("errorType", "java.lang.IllegalStateException").put("errorMessage", "Rate exceeded");

        java.io.PrintStream saved = System.out;
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            handler.handleRequest(new java.io.ByteArrayInputStream(Json.MAPPER.writeValueAsBytes(record)), answer, null);
        } finally {
            System.setOut(saved);
        }
        String name = ExecutionNames.executionName("in", "a.mp4", null, "e");
        assertEquals(List.of(name), List.copyOf(sfn.executions.keySet()));
        assertEquals(name, Json.MAPPER.readTree(answer.toByteArray()).path("started").get(0).asText());
        List<String> lines = log.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(1, lines.size(), lines::toString);
        JsonNode line = Json.MAPPER.readTree(lines.get(0));
        assertEquals("Trigger", line.path("stage").asText());
        assertEquals("SUCCEEDED", line.path("outcome").asText());
        assertEquals("r-1", line.path("replayOf").asText());
        assertEquals(name, line.path("started").get(0).asText());
    }

    @Test
    void emptyOrOddEventsDoNothing() {
        FakeStepFunctions sfn = new FakeStepFunctions();
        var handler = new StartExecutionHandler(sfn);
        assertTrue(handler.handle(null, null).getStarted().isEmpty());
        assertTrue(handler.handle(Json.MAPPER.createObjectNode(), null).getStarted().isEmpty());
        assertTrue(handler.handle(Json.MAPPER.createObjectNode().set("Records", Json.MAPPER.createArrayNode()), null).getStarted().isEmpty());
        // the test event S3 sends when a notification is configured
        assertTrue(handler.handle(Json.MAPPER.createObjectNode().put("Service", "Amazon S3").put("Event", "s3:TestEvent"), null).getStarted().isEmpty());
        assertTrue(sfn.calls.isEmpty());
    }

    @Test
    void theRealClientSpeaksStartExecutionAndMapsExecutionAlreadyExists() throws Exception {
        record Request(String target, String contentType, String authorization, JsonNode body) {}
        List<Request> requests = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] in = exchange.getRequestBody().readAllBytes();
            var headers = exchange.getRequestHeaders();
            requests.add(new Request(headers.getFirst("X-Amz-Target"), headers.getFirst("Content-Type"),
                    headers.getFirst("Authorization"), Json.MAPPER.readTree(in)));
            boolean first = requests.size() == 1;
            String body = first
                    ? "{\"executionArn\":\"arn:aws:states:eu-west-1:123456789012:execution:sm:x\",\"startDate\":1720948897.518}"
                    : "{\"__type\":\"ExecutionAlreadyExists\",\"message\":\"Execution Already Exists\"}";
            byte[] out = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
            exchange.getResponseHeaders().set("x-amzn-RequestId", "req-" + requests.size());
            exchange.sendResponseHeaders(first ? 200 : 400, out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        server.start();
        try {
            String arn = "arn:aws:states:eu-west-1:123456789012:stateMachine:stack-encode";
            var starter = StartExecutionHandler.sfnStarter(Map.of(
                    "STATE_MACHINE_ARN", arn, "AWS_REGION", "eu-west-1",
                    "SFN_ENDPOINT_URL", "http://127.0.0.1:" + server.getAddress().getPort(),
                    "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test"));
            var handler = new StartExecutionHandler(starter);
            var event = S3Events.of("in", 5, "abc", null, "uploads/holiday+2024.mp4");
            var first = handler.handle(event, null);
            var second = handler.handle(event, null);

            assertEquals(1, first.getStarted().size());
            assertEquals(first.getStarted(), second.getAlreadyStarted(), "the service's ExecutionAlreadyExists is success");
            assertEquals(2, requests.size(), "a 400 is not retried");
            Request r = requests.get(0);
            assertEquals("AWSStepFunctions.StartExecution", r.target());
            assertTrue(r.contentType().startsWith("application/x-amz-json-1.0"), r.contentType());
            assertTrue(r.authorization().startsWith("AWS4-HMAC-SHA256 Credential=test/"), r.authorization());
            assertTrue(r.authorization().contains("/eu-west-1/states/aws4_request"), r.authorization());
            assertEquals(arn, r.body().get("stateMachineArn").asText());
            assertEquals(first.getStarted().get(0), r.body().get("name").asText());
            assertEquals(Json.MAPPER.readTree(ExecutionNames.inputJson("in", "uploads/holiday 2024.mp4", "abc")),
                    Json.MAPPER.readTree(r.body().get("input").asText()));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void missingStateMachineArnFailsClearly() {
        var e = assertThrows(IllegalStateException.class, () -> StartExecutionHandler.sfnStarter(Map.of()));
        assertTrue(e.getMessage().contains("STATE_MACHINE_ARN"));
    }
}
