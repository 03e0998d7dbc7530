package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fanout.encoder.storage.Json;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The Step Functions API of a local run, on 127.0.0.1: {@code StartExecution} in the service's
 * JSON protocol, over one {@link LocalStateMachine} (tests follow an execution through
 * {@link #executions()}).
 * Execution names are unique as on AWS (a second start under a taken name answers
 * {@code ExecutionAlreadyExists}), so the real trigger function, pointed here with
 * {@code SFN_ENDPOINT_URL}, starts exactly the executions it would start on AWS.
 */
public final class LocalStepFunctions implements AutoCloseable {
    public static final String STATE_MACHINE_ARN = "arn:aws:states:us-east-1:000000000000:stateMachine:local-encode";

    /** One started execution: its name, the input it was started with, and how it ends. */
    public record Execution(String name, String arn, JsonNode input, CompletableFuture<LocalStateMachine.Outcome> outcome) {}

    private final LocalStateMachine machine;
    private final HttpServer server;
    private final ExecutorService runner = Executors.newCachedThreadPool();
    private final Map<String, Execution> executions = new LinkedHashMap<>();

    public LocalStepFunctions(LocalStateMachine machine) throws IOException {
        this.machine = machine;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext("/", this::handle);
        server.start();
    }

    public String endpoint() { return "http://127.0.0.1:" + server.getAddress().getPort(); }

    /** The settings that point the trigger function's Step Functions client here, and its S3 client at the policy proxy. */
    public Map<String, String> clientEnv() {
        // S3 as the trigger function's own policies allow it (it reads the upload's metadata)
        Map<String, String> env = new java.util.HashMap<>(machine.functionEnv("StartExecutionFunction"));
        env.putAll(Map.of("STATE_MACHINE_ARN", STATE_MACHINE_ARN, "SFN_ENDPOINT_URL", endpoint()));
        // the store's key pair when the machine has one (this endpoint accepts any)
        Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "local", "AWS_SECRET_ACCESS_KEY", "local").forEach(env::putIfAbsent);
        return Map.copyOf(env);
    }

    /** Every execution started so far, in start order. */
    public synchronized List<Execution> executions() { return List.copyOf(executions.values()); }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            String target = String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
            JsonNode request = Json.MAPPER.readTree(body.readAllBytes());
            switch (target) {
                case "AWSStepFunctions.StartExecution" -> start(exchange, request);
                default -> reply(exchange, 400, error("UnknownOperationException", "this local endpoint serves StartExecution, not " + target));
            }
        }
    }

    private void start(HttpExchange exchange, JsonNode request) throws IOException {
        if (!STATE_MACHINE_ARN.equals(request.path("stateMachineArn").asText())) {
            reply(exchange, 400, error("StateMachineDoesNotExist", "State Machine Does Not Exist: '" + request.path("stateMachineArn").asText() + "'"));
            return;
        }
        String name = request.path("name").asText();
        JsonNode input = Json.MAPPER.readTree(request.path("input").asText("{}"));
        Execution execution;
        synchronized (this) {
            if (executions.containsKey(name)) {
                reply(exchange, 400, error("ExecutionAlreadyExists", "Execution Already Exists: '" + name + "'"));
                return;
            }
            String arn = STATE_MACHINE_ARN.replace(":stateMachine:", ":execution:") + ":" + name;
            execution = new Execution(name, arn, input, CompletableFuture.supplyAsync(() -> machine.execute(input, name), runner));
            executions.put(name, execution);
        }
        ObjectNode answer = Json.MAPPER.createObjectNode().put("executionArn", execution.arn())
                .put("startDate", System.currentTimeMillis() / 1000.0);
        reply(exchange, 200, answer);
    }

    private static ObjectNode error(String type, String message) {
        return Json.MAPPER.createObjectNode().put("__type", type).put("message", message);
    }

    private static void reply(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = Json.MAPPER.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        runner.shutdownNow();
    }
}
