package dev.fanout.encoder.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.plan.PipelineConfig;
import dev.fanout.encoder.runtime.Invocation;
import dev.fanout.encoder.storage.Json;
import dev.fanout.encoder.storage.ObjectStore;
import dev.fanout.encoder.storage.S3Clients;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * The thin Lambda shell shared by all stages: JSON in → a record → the stage → a record → JSON out.
 * Clients are built once per container (in the constructor). Errors propagate: Lambda reports the
 * exception class as errorType and our "Name: reason" message as errorMessage.
 *
 * <p>Each invocation runs inside an {@link Invocation}: its deadline is Lambda's remaining time
 * (child processes are clamped to it), and it writes exactly one JSON line to stdout when it ends
 * (stage, outcome, job id, chunk index, source, seconds, ffmpeg's time limit, error name and reason
 * on failure, and whatever the stage added). Plain JSON through the Jackson already on the class
 * path, not a logging library: stdout lines are what CloudWatch Logs stores, one event each.
 */
public abstract class StageHandler<I, O> implements RequestStreamHandler {
    private final Class<I> inputType;

    protected StageHandler(Class<I> inputType) {
        this.inputType = inputType;
    }

    protected static ObjectStore store(Map<String, String> env) { return S3Clients.objectStore(env); }

    protected static PipelineConfig config(Map<String, String> env) { return PipelineConfig.fromEnv(env); }

    protected abstract O handle(I input);

    /** The stage's name in log lines: the handler's class name without "Handler" (EncodeChunk, Probe, …). */
    protected String stageName() {
        String name = getClass().getSimpleName();
        return name.endsWith("Handler") ? name.substring(0, name.length() - "Handler".length()) : name;
    }

    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Invocation.run(stageName(), context, invocation -> {
            JsonNode tree = Json.MAPPER.readTree(input);
            invocation.describe(tree);
            O result = handle(Json.MAPPER.treeToValue(tree, inputType));
            JsonNode out = Json.MAPPER.valueToTree(result);
            invocation.describe(out);
            Json.MAPPER.writeValue(output, out);
        });
    }

    /** For in-process callers (local run, tests): the same JSON round trip as on Lambda. */
    public final String invoke(String jsonInput) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        handleRequest(new java.io.ByteArrayInputStream(jsonInput.getBytes(java.nio.charset.StandardCharsets.UTF_8)), out, null);
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
