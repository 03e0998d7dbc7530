package dev.fanout.integration;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fanout.encoder.storage.Json;
import dev.fanout.encoder.storage.S3Clients;
import dev.fanout.local.LocalStateMachine;
import dev.fanout.local.asl.SamTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deployer's calls, through the real SDK clients configured like production (AWS_ENDPOINT_URL),
 * against a recording stand-in for the three APIs: what LocalStack would be asked to create is
 * exactly the plan derived from template.yaml, and the teardown deletes all of it.
 */
class LocalStackDeployerTest {
    record Call(String method, String path, String query, String target, String body) {
        String line() { return method + " " + path + (query == null ? "" : "?" + query) + (target == null ? "" : " " + target); }
    }

    final List<Call> calls = new CopyOnWriteArrayList<>();
    HttpServer server;
    Map<String, String> env;

    @BeforeEach
    void startFakeAws() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
        env = Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:" + server.getAddress().getPort(), "AWS_REGION", "us-east-1",
                "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void createsWhatThePlanSaysAndTheTeardownDeletesIt(@TempDir Path dir) throws Exception {
        DeploymentPlan plan = DeploymentPlanner.plan(SamTemplate.read(LocalStateMachine.findTemplate()), DeploymentPlannerTest.SETTINGS);
        Path bundle = Files.writeString(dir.resolve("function.zip"), "zip bytes");
        List<String> log = new CopyOnWriteArrayList<>();
        Teardown teardown = new Teardown(log::add);
        try (LambdaClient lambda = AwsClients.lambda(env); SfnClient sfn = AwsClients.sfn(env)) {
            new LocalStackDeployer(S3Clients.objectStore(env).client(), lambda, sfn, teardown, log::add).deploy(plan, bundle);

            List<String> bucketsCreated = calls.stream().filter(c -> c.method().equals("PUT") && c.query() == null && c.path().lastIndexOf('/') == 0)
                    .map(Call::path).toList();
            assertEquals(List.of("/fanout-it-1-artifacts", "/" + plan.bucket("InputBucket"), "/" + plan.bucket("OutputBucket")).stream().sorted().toList(),
                    bucketsCreated.stream().sorted().toList());
            assertTrue(calls.stream().anyMatch(c -> c.line().equals("PUT /fanout-it-1-artifacts/function.zip") && c.body().contains("zip bytes")),
                    "the bundle is uploaded where the functions' code points");

            List<JsonNode> functions = calls.stream().filter(c -> c.line().equals("POST /2015-03-31/functions")).map(c -> json(c.body())).toList();
            assertEquals(plan.functions().size(), functions.size());
            for (JsonNode f : functions) {
                DeploymentPlan.Function p = plan.functions().stream().filter(x -> x.name().equals(f.path("FunctionName").asText())).findFirst().orElseThrow();
                assertEquals(p.handler(), f.path("Handler").asText());
                assertEquals("java21", f.path("Runtime").asText());
                assertEquals(p.memoryMb(), f.path("MemorySize").asInt());
                assertEquals(p.timeoutSeconds(), f.path("Timeout").asInt());
                assertEquals(p.ephemeralStorageMb(), f.path("EphemeralStorage").path("Size").asInt());
                assertEquals(p.environment(), Json.MAPPER.convertValue(f.path("Environment").path("Variables"), Map.class));
                assertEquals("fanout-it-1-artifacts", f.path("Code").path("S3Bucket").asText());
                assertEquals("function.zip", f.path("Code").path("S3Key").asText());
            }
            long aliases = calls.stream().filter(c -> c.method().equals("POST") && c.path().endsWith("/aliases")).count();
            assertEquals(plan.functions().stream().filter(f -> f.alias() != null).count(), aliases, "one alias per AutoPublishAlias");

            JsonNode sm = calls.stream().filter(c -> "AWSStepFunctions.CreateStateMachine".equals(c.target())).map(c -> json(c.body())).findFirst().orElseThrow();
            assertEquals(plan.stateMachine().name(), sm.path("name").asText());
            assertEquals(plan.stateMachine().definition(), sm.path("definition").asText(), "the substituted real ASL");
            assertEquals("STANDARD", sm.path("type").asText());

            String start = plan.function("StartExecutionFunction").name();
            Call permission = calls.stream().filter(c -> c.path().equals("/2015-03-31/functions/" + start + "/policy")).findFirst().orElseThrow();
            assertEquals("Qualifier=live", permission.query(), "S3 may invoke the alias it notifies");
            assertEquals("s3.amazonaws.com", json(permission.body()).path("Principal").asText());
            Call notification = calls.stream().filter(c -> "notification".equals(c.query())).findFirst().orElseThrow();
            assertEquals("/" + plan.bucket("InputBucket"), notification.path());
            assertTrue(notification.body().contains("<CloudFunction>" + plan.function("StartExecutionFunction").invokedArn() + "</CloudFunction>"), notification.body());
            assertTrue(notification.body().contains("<Event>s3:ObjectCreated:*</Event>"), notification.body());

            calls.clear();
            assertEquals(List.of(), teardown.runAll());
            List<String> deletes = calls.stream().filter(c -> c.method().equals("DELETE") || "AWSStepFunctions.DeleteStateMachine".equals(c.target()))
                    .map(Call::line).toList();
            assertEquals(1 + plan.functions().size() + 3, deletes.size(), "state machine, functions, buckets: " + deletes);
            assertTrue(deletes.get(0).endsWith("AWSStepFunctions.DeleteStateMachine"), "newest first: " + deletes);
            assertTrue(deletes.get(deletes.size() - 1).equals("DELETE /fanout-it-1-artifacts"), "oldest last: " + deletes);
        }
    }

    private static JsonNode json(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    /** Minimal valid answers of S3 (path style), Lambda (REST JSON) and Step Functions (JSON 1.0). */
    private void answer(HttpExchange x) throws IOException {
        String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = x.getRequestURI().getPath(), query = x.getRequestURI().getQuery();
        String target = x.getRequestHeaders().getFirst("X-Amz-Target");
        calls.add(new Call(x.getRequestMethod(), path, query, target, body));
        int status = 200;
        String out = "";
        String type = "application/json";
        if (target != null) {
            out = switch (target) {
                case "AWSStepFunctions.CreateStateMachine" ->
                        "{\"stateMachineArn\":\"arn:aws:states:us-east-1:000000000000:stateMachine:" + json(body).path("name").asText() + "\",\"creationDate\":1}";
                case "AWSStepFunctions.ListExecutions" -> "{\"executions\":[]}";
                default -> "{}";
            };
            type = "application/x-amz-json-1.0";
        } else if (path.startsWith("/2015-03-31/functions")) {
            String method = x.getRequestMethod();
            if (method.equals("DELETE")) status = 204;
            else if (method.equals("GET") && path.endsWith("/configuration")) out = "{\"State\":\"Active\",\"Version\":\"1\"}";
            else if (method.equals("GET")) out = "{\"Configuration\":{\"State\":\"Active\"}}";
            else if (path.endsWith("/versions")) { status = 201; out = "{\"Version\":\"1\",\"State\":\"Active\"}"; }
            else if (path.endsWith("/policy")) { status = 201; out = "{\"Statement\":\"{}\"}"; }
            else { status = 201; out = "{\"State\":\"Pending\"}"; }
        } else {
            type = "application/xml";
            if (x.getRequestMethod().equals("DELETE")) status = 204;
            else if (x.getRequestMethod().equals("GET")) {
                out = "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>" + path.substring(1)
                        + "</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>";
            } else x.getResponseHeaders().set("ETag", "\"e\"");
        }
        byte[] bytes = out.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type);
        x.sendResponseHeaders(status, status == 204 || bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0 && status != 204) x.getResponseBody().write(bytes);
        x.close();
    }
}
