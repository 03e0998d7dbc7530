package dev.fanout.encoder.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.fanout.encoder.plan.PipelineConfig;
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
 */
public abstract class StageHandler<I, O> implements RequestStreamHandler {
    private final Class<I> inputType;

    protected StageHandler(Class<I> inputType) {
        this.inputType = inputType;
    }

    protected static ObjectStore store(Map<String, String> env) { return S3Clients.objectStore(env); }

    protected static PipelineConfig config(Map<String, String> env) { return PipelineConfig.fromEnv(env); }

    protected abstract O handle(I input);

    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        I request = Json.MAPPER.readValue(input, inputType);
        O result = handle(request);
        Json.MAPPER.writeValue(output, result);
    }

    /** For in-process callers (local run, tests): the same JSON round trip as on Lambda. */
    public final String invoke(String jsonInput) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        handleRequest(new java.io.ByteArrayInputStream(jsonInput.getBytes(java.nio.charset.StandardCharsets.UTF_8)), out, null);
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
