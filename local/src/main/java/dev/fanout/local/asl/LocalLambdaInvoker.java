package dev.fanout.local.asl;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.encoder.storage.Json;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Dispatches {@code arn:aws:states:::lambda:invoke} Tasks to the handler class that template.yaml
 * binds to the function, in this JVM, through the same stream interface Lambda uses. Results and
 * errors take Lambda's shapes: {@code {"Payload": …, "StatusCode": 200}}, and for an exception the
 * error name is its class name and the cause Lambda's JSON error document. Each handler gets a
 * {@link LocalContext} whose remaining time follows the function's Timeout in template.yaml; one
 * that returns after it fails with {@code Sandbox.Timedout}, as on Lambda.
 */
public final class LocalLambdaInvoker implements StateMachineExecutor.TaskInvoker {
    /** Runs before each invocation; may throw a {@link StatesError} to inject a fault. */
    public interface Interceptor {
        void before(String functionId, JsonNode payload) throws StatesError;
    }

    private final SamTemplate template;
    private final Map<String, String> env;
    /** Settings of one function only (e.g. its own S3 endpoint), over {@link #env}. */
    private final Map<String, Map<String, String>> functionEnv;
    private final Map<String, RequestStreamHandler> handlers = new ConcurrentHashMap<>();
    private volatile Interceptor interceptor = (f, p) -> { };

    public LocalLambdaInvoker(SamTemplate template, Map<String, String> env) {
        this(template, env, Map.of());
    }

    /** @param functionEnv logical id → settings that function gets over {@code env} */
    public LocalLambdaInvoker(SamTemplate template, Map<String, String> env, Map<String, Map<String, String>> functionEnv) {
        this.template = template;
        this.env = Map.copyOf(env);
        this.functionEnv = Map.copyOf(functionEnv);
    }

    public void intercept(Interceptor i) { this.interceptor = i; }

    @Override
    public JsonNode invoke(String resource, JsonNode parameters) {
        String functionArn;
        JsonNode payload;
        if (resource.startsWith("arn:aws:states:::lambda:invoke")) {
            functionArn = parameters.path("FunctionName").asText();
            payload = parameters.has("Payload") ? parameters.get("Payload") : JsonNodeFactory.instance.objectNode();
        } else {
            functionArn = resource;
            payload = parameters;
        }
        if (!functionArn.startsWith(SamTemplate.LOCAL_FUNCTION_ARN_PREFIX)) {
            throw new UnsupportedAslException("invoking '" + functionArn + "', which is not a function of template.yaml");
        }
        String functionId = functionArn.substring(SamTemplate.LOCAL_FUNCTION_ARN_PREFIX.length());
        interceptor.before(functionId, payload);
        RequestStreamHandler handler = handlers.computeIfAbsent(functionId, this::instantiate);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int timeout = template.functionNumber(functionId, "Timeout", 3, Map.of());
        LocalContext context = new LocalContext(functionId, timeout, template.functionNumber(functionId, "MemorySize", 128, Map.of()));
        try {
            handler.handleRequest(new ByteArrayInputStream(Json.MAPPER.writeValueAsBytes(payload)), out, context);
            if (context.expired()) {
                // Lambda would have stopped it: the same error Step Functions reports for that
                throw new StatesError("Sandbox.Timedout", "{\"errorMessage\":\"Task timed out after " + timeout + ".00 seconds\"}");
            }
            ObjectNode result = JsonNodeFactory.instance.objectNode();
            result.put("ExecutedVersion", "$LATEST");
            result.set("Payload", Json.MAPPER.readTree(out.toByteArray()));
            result.put("StatusCode", 200);
            return result;
        } catch (StatesError e) {
            throw e;
        } catch (Exception e) {
            ObjectNode doc = JsonNodeFactory.instance.objectNode();
            doc.put("errorMessage", String.valueOf(e.getMessage()));
            doc.put("errorType", e.getClass().getName());
            doc.putArray("stackTrace");
            throw new StatesError(e.getClass().getName(), doc.toString());
        }
    }

    private RequestStreamHandler instantiate(String functionId) {
        String handler = template.handlerOf(functionId);
        int sep = handler.indexOf("::");
        String className = sep < 0 ? handler : handler.substring(0, sep);
        String method = sep < 0 ? "handleRequest" : handler.substring(sep + 2);
        if (!method.equals("handleRequest")) throw new UnsupportedAslException("handler method '" + method + "' of " + functionId);
        try {
            Class<?> type = Class.forName(className);
            if (!RequestStreamHandler.class.isAssignableFrom(type)) {
                throw new UnsupportedAslException("handler " + className + " of " + functionId + " (not a RequestStreamHandler)");
            }
            Map<String, String> settings = new java.util.HashMap<>(env);
            settings.putAll(functionEnv.getOrDefault(functionId, Map.of()));
            return (RequestStreamHandler) type.getConstructor(Map.class).newInstance(Map.copyOf(settings));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create handler " + handler + " of " + functionId + ": " + e, e);
        }
    }
}
