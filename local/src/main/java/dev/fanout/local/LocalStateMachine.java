package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.encoder.plan.JobIds;
import dev.fanout.encoder.plan.UploadSettings;
import dev.fanout.encoder.storage.Json;
import dev.fanout.encoder.storage.ObjectStore;
import dev.fanout.encoder.storage.S3Clients;
import dev.fanout.local.asl.LocalLambdaInvoker;
import dev.fanout.local.asl.SamTemplate;
import dev.fanout.local.asl.StateMachineExecutor;
import dev.fanout.local.asl.StatesError;
import dev.fanout.local.iam.S3PolicyProxy;
import dev.fanout.local.iam.TemplatePolicies;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The deployed state machine, run locally: the ASL file and the handler bindings are read from
 * template.yaml exactly as SAM deploys them, Tasks run the handlers in this JVM, the Distributed
 * Map reads its items from the S3-compatible store. Started like the trigger function starts it:
 * input {@code {"bucket", "key", "etag"}}.
 *
 * <p>Each function (and the Distributed Map's ItemReader, which reads with the state machine's
 * role) reaches S3 through its own port of an {@link S3PolicyProxy}, which allows only what that
 * function's policies in the template allow, as IAM would on AWS: a call the template does not
 * permit fails here as it would when deployed. The template's InputBucket is the local bucket
 * {@value LocalRun#INPUT_BUCKET}, its OutputBucket the functions' OUTPUT_BUCKET.
 */
public final class LocalStateMachine implements AutoCloseable {
    /** How an execution ended; {@code jobId} names the output prefix either way. */
    public record Outcome(StateMachineExecutor.Result result, String jobId, Duration wall) {
        public boolean succeeded() { return result.succeeded(); }
    }

    /** Longer than any encoder's ffmpeg limit: a Task left running after a failure must end by then. */
    private static final Duration STRAGGLER_TIMEOUT = Duration.ofMinutes(20);

    private final Map<String, String> env;
    private final ObjectStore store;
    private final ObjectStore itemReaderStore;
    private final S3PolicyProxy iam;
    private final LocalLambdaInvoker invoker;
    private final LocalEventBus events = new LocalEventBus();
    private final StateMachineExecutor executor;

    /**
     * @param env            the functions' environment (S3 endpoint, OUTPUT_BUCKET, ffmpeg paths, ...)
     * @param parallelism    Map iterations at once
     * @param retryTimeScale 1.0 for real retry waits
     */
    public LocalStateMachine(Path templateFile, Map<String, String> env, int parallelism, double retryTimeScale,
                             StateMachineExecutor.Listener listener) throws IOException {
        SamTemplate template = SamTemplate.read(templateFile);
        Map<String, String> values = template.resolveSubstitutions(
                Map.of("OutputBucket", env.get("OUTPUT_BUCKET")),
                Map.of("MaxConcurrency", Integer.toString(parallelism)));
        JsonNode definition = Json.MAPPER.readTree(SamTemplate.substitute(template.definitionText(), values));
        this.env = Map.copyOf(env);
        this.store = S3Clients.objectStore(env);
        String endpoint = env.get("S3_ENDPOINT_URL");
        if (endpoint == null) throw new IllegalArgumentException("the functions' environment has no S3_ENDPOINT_URL (the local store)");
        TemplatePolicies policies = TemplatePolicies.read(Files.readString(templateFile),
                Map.of("InputBucket", LocalRun.INPUT_BUCKET, "OutputBucket", env.get("OUTPUT_BUCKET")));
        this.iam = S3PolicyProxy.start(policies, endpoint, env);
        Map<String, Map<String, String>> functionEnv = new HashMap<>();
        for (String principal : policies.principals()) functionEnv.put(principal, Map.of("S3_ENDPOINT_URL", iam.endpoint(principal)));
        Map<String, String> readerEnv = new HashMap<>(env);
        readerEnv.put("S3_ENDPOINT_URL", iam.endpoint(template.stateMachineId()));
        this.itemReaderStore = S3Clients.objectStore(readerEnv);
        this.invoker = new LocalLambdaInvoker(template, env, functionEnv);
        StateMachineExecutor.TaskInvoker tasks = (resource, parameters) -> LocalEventBus.PUT_EVENTS.equals(resource)
                ? events.putEvents(parameters) : invoker.invoke(resource, parameters);
        this.executor = new StateMachineExecutor(definition, tasks, this::readItems, parallelism, retryTimeScale, listener);
    }

    /** template.yaml of this checkout: the {@code fanout.projectDir} property, or searched upward from the working directory. */
    public static Path findTemplate() {
        String configured = System.getProperty("fanout.projectDir", System.getenv("FANOUT_PROJECT_DIR"));
        if (configured != null) return Path.of(configured).resolve("template.yaml");
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("template.yaml")) && Files.isDirectory(dir.resolve("statemachine"))) return dir.resolve("template.yaml");
        }
        throw new IllegalStateException("cannot find template.yaml; run from the project folder or set FANOUT_PROJECT_DIR");
    }

    public LocalLambdaInvoker invoker() { return invoker; }

    /**
     * The environment of one function of the template as this machine gives it: the functions'
     * environment with S3 reached through that function's port of the policy proxy (for a
     * function invoked from outside the state machine, such as the trigger).
     */
    public Map<String, String> functionEnv(String logicalId) {
        Map<String, String> out = new HashMap<>(env);
        out.put("S3_ENDPOINT_URL", iam.endpoint(logicalId));
        return Map.copyOf(out);
    }

    /** The S3 requests of this machine's functions that their policies refused, in order. */
    public List<S3PolicyProxy.Denial> accessDenied() { return iam.denials(); }

    /** Completion events the executions of this machine published. */
    public LocalEventBus events() { return events; }

    /** Starts a new execution for an uploaded object, as "New execution" in the console does. */
    public Outcome run(String bucket, String key) {
        return run(bucket, key, () -> { });
    }

    /**
     * As {@link #run(String, String)}, with {@link #execute(JsonNode, String, Runnable)}'s hook. Each
     * call is a new execution with a name of its own: Step Functions never reuses a Standard
     * execution's name (StartExecution API reference: the name "must be unique for your AWS
     * account, Region, and state machine for 90 days"), and the stages tell runs of one job apart by it.
     */
    public Outcome run(String bucket, String key, Runnable whenEnded) {
        String etag = store.head(bucket, key).map(h -> h.eTag().replace("\"", "")).orElse("");
        ObjectNode input = JsonNodeFactory.instance.objectNode().put("bucket", bucket).put("key", key).put("etag", etag);
        String name = jobId(bucket, key, etag) + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        return execute(input, name, whenEnded);
    }

    /**
     * One execution with the input the trigger sends ({@code {"bucket", "key", "etag"}}) under the
     * given name; returns when it has ended and every Task it had invoked has finished (after a
     * failed Map or Parallel, invoked Tasks run on, as Lambda invocations do on AWS).
     */
    public Outcome execute(JsonNode input, String executionName) {
        return execute(input, executionName, () -> { });
    }

    /**
     * As {@link #execute(JsonNode, String)}, running {@code whenEnded} once the execution has ended
     * but before waiting for the Tasks still running (a test releases a held-back worker there).
     */
    public Outcome execute(JsonNode input, String executionName, Runnable whenEnded) {
        long t0 = System.nanoTime();
        String bucket = input.path("bucket").asText();
        String key = input.path("key").asText();
        String etag = input.path("etag").asText("");
        if (etag.isBlank()) etag = store.head(bucket, key).map(h -> h.eTag().replace("\"", "")).orElse("");
        String jobId = jobId(bucket, key, etag);
        StateMachineExecutor.Result result = executor.execute(input, executionName);
        whenEnded.run();
        if (!executor.awaitStragglers(STRAGGLER_TIMEOUT)) {
            throw new IllegalStateException("Tasks of execution " + executionName + " still running " + STRAGGLER_TIMEOUT.toMinutes()
                    + " min after it ended");
        }
        return new Outcome(result, jobId, Duration.ofNanos(System.nanoTime() - t0));
    }

    /** The job of an upload as the probe names it: from its ETag and the settings in its metadata. */
    private String jobId(String bucket, String key, String etag) {
        Map<String, String> metadata = store.head(bucket, key).map(h -> h.metadata()).orElse(Map.of());
        return JobIds.forUpload(bucket, key, etag, metadata, UploadSettings.parseIgnoredKeys(env.get("IGNORED_METADATA_KEYS")));
    }

    private JsonNode readItems(String resource, JsonNode readerConfig, JsonNode parameters) {
        try {
            return itemReaderStore.getJson(parameters.path("Bucket").asText(), parameters.path("Key").asText(), JsonNode.class);
        } catch (RuntimeException e) {
            throw new StatesError("States.ItemReaderFailed", "reading s3://" + parameters.path("Bucket").asText() + "/"
                    + parameters.path("Key").asText() + ": " + e.getMessage());
        }
    }

    /** Stops the policy proxy; the store itself belongs to the caller. */
    @Override
    public void close() throws IOException {
        iam.close();
    }
}
