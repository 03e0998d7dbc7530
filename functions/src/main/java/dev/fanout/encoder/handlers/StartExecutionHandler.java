package dev.fanout.encoder.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.plan.ExecutionNames;
import dev.fanout.encoder.plan.UploadSettings;
import dev.fanout.encoder.runtime.Invocation;
import dev.fanout.encoder.storage.ClientEndpoints;
import dev.fanout.encoder.storage.Json;
import dev.fanout.encoder.storage.S3Clients;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The S3 trigger: for each uploaded video, start one execution of the encode state machine under a
 * deterministic name (see {@link ExecutionNames}), so a duplicated S3 event never starts a second
 * encode. The name includes the digest of the upload's settings (its user metadata, read with a HEAD),
 * so the same bytes uploaded again with other settings start another job. Keys that are not videos, or that lie under the pipeline's own output prefixes, are
 * skipped. If starting any record fails, the invocation fails after trying the others, and Lambda's
 * retry of the whole event is harmless: records already started are recognised by their names.
 *
 * <p>S3 invokes it asynchronously: Lambda retries a failed event twice and then hands it to the
 * function's on-failure destination (an SQS queue in template.yaml), never silently dropping it
 * ("How Lambda handles errors and retries with asynchronous invocation", Lambda developer guide).
 * To replay, the same function accepts three shapes: an S3 event; the destination's invocation
 * record, whose {@code requestPayload} is the original S3 event; and an SQS event of such records
 * (the queue's disabled event source mapping, enabled to drain it), answering with the
 * {@code batchItemFailures} of the messages that failed again so only those stay in the queue.
 * Replays are idempotent like redeliveries. Each invocation logs one JSON line (stage "Trigger").
 */
public final class StartExecutionHandler implements RequestStreamHandler {

    /** Starts one execution; throws {@link ExecutionAlreadyExistsException} if the name is taken. */
    @FunctionalInterface
    interface ExecutionStarter {
        void start(String name, String input);
    }

    /** The user metadata of an uploaded object (of its version, when given) as a HEAD returns it; empty when it is gone. */
    @FunctionalInterface
    interface MetadataReader {
        Optional<Map<String, String>> read(String bucket, String key, String versionId);
    }

    private final ExecutionStarter starter;
    private final MetadataReader metadata;
    private final Set<String> ignoredMetadataKeys;

    public StartExecutionHandler() {
        this(System.getenv());
    }

    /**
     * With explicit settings ({@code STATE_MACHINE_ARN}, endpoint, credentials), e.g. a local Step
     * Functions endpoint; S3 as the stages reach it ({@code S3_ENDPOINT_URL}, see {@link S3Clients}).
     */
    public StartExecutionHandler(Map<String, String> env) {
        this(sfnStarter(env), s3Metadata(env), UploadSettings.parseIgnoredKeys(env.get("IGNORED_METADATA_KEYS")));
    }

    /** Uploads without settings (tests of the naming and replay paths). */
    StartExecutionHandler(ExecutionStarter starter) {
        this(starter, (bucket, key, versionId) -> Optional.of(Map.of()), Set.of());
    }

    StartExecutionHandler(ExecutionStarter starter, MetadataReader metadata, Set<String> ignoredMetadataKeys) {
        this.starter = starter;
        this.metadata = metadata;
        this.ignoredMetadataKeys = ignoredMetadataKeys;
    }

    /**
     * HEAD of the uploaded version (the event's versionId on a versioned bucket, so a later upload's
     * metadata is never read for this one): S3 returns user metadata on HEAD, and s3:GetObject
     * allows HEAD ("HeadObject", Amazon S3 API reference). A vanished object is not an error here:
     * its execution's probe reports it (InvalidInput.Missing).
     */
    static MetadataReader s3Metadata(Map<String, String> env) {
        S3Client s3 = S3Clients.objectStore(env).client();
        return (bucket, key, versionId) -> {
            try {
                return Optional.of(s3.headObject(b -> b.bucket(bucket).key(key)
                        .versionId(versionId == null || versionId.isEmpty() ? null : versionId)).metadata());
            } catch (S3Exception e) {
                if (e.statusCode() == 404) return Optional.empty();
                throw e;
            }
        };
    }

    /** The settings' part of an upload's identity: the digest of its user metadata (UploadSettings). */
    private String settingsDigest(String bucket, String key, String versionId) {
        Map<String, String> given = metadata.read(bucket, key, versionId).orElse(Map.of());
        return UploadSettings.digest(UploadSettings.given(given, ignoredMetadataKeys));
    }

    /**
     * StartExecution on {@code STATE_MACHINE_ARN} through the real client. Region from
     * {@code AWS_REGION}; {@code SFN_ENDPOINT_URL}, or the standard {@code AWS_ENDPOINT_URL_SFN} /
     * {@code AWS_ENDPOINT_URL} (LocalStack sets it in Lambda containers), overrides the endpoint,
     * and with it the access key, secret and session token from the same map are used as static
     * credentials (see {@link ClientEndpoints}).
     */
    static ExecutionStarter sfnStarter(Map<String, String> env) {
        String arn = env.get("STATE_MACHINE_ARN");
        if (arn == null || arn.isBlank()) throw new IllegalStateException("STATE_MACHINE_ARN is not set");
        SfnClient sfn = sfnClient(env);
        return (name, input) -> sfn.startExecution(b -> b.stateMachineArn(arn).name(name).input(input));
    }

    static SfnClient sfnClient(Map<String, String> env) {
        Optional<URI> endpoint = ClientEndpoints.endpoint(env, "SFN_ENDPOINT_URL", "SFN");
        var builder = SfnClient.builder()
                .region(Region.of(env.getOrDefault("AWS_REGION", "us-east-1")))
                .credentialsProvider(ClientEndpoints.credentials(env, endpoint.isPresent()));
        endpoint.ifPresent(builder::endpointOverride);
        return builder.build();
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Invocation invocation = Invocation.start("Trigger", context);
        Throwable failure = null;
        try (Invocation.Scope ignored = invocation.enter()) {
            JsonNode event = Json.MAPPER.readTree(input);
            Object answer;
            if (isSqsEvent(event)) {
                invocation.put("replay", "sqs");
                answer = handleSqs(event, invocation);
            } else {
                Summary summary = handle(event, context);
                answer = summary;
            }
            Json.MAPPER.writeValue(output, answer);
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            System.out.println(invocation.logLine(failure));
        }
    }

    /**
     * Starts the executions of an S3 event, or of an on-failure destination record (its
     * {@code requestPayload} is the S3 event Lambda could not deliver). Throws when any start
     * failed, after trying every record.
     */
    public Summary handle(JsonNode event, Context context) {
        Summary summary = new Summary();
        Invocation invocation = Invocation.current();
        JsonNode s3Event = event;
        if (event != null && event.has("requestPayload")) {
            // an invocation record of the on-failure destination: replay its original event
            invocation.put("replayOf", event.path("requestContext").path("requestId").asText(null));
            s3Event = event.get("requestPayload");
        }
        List<String> failures = new ArrayList<>();
        JsonNode records = s3Event == null ? null : s3Event.get("Records");
        for (JsonNode record : records == null || !records.isArray() ? List.<JsonNode>of() : toList(records)) {
            JsonNode bucket = record.path("s3").path("bucket").path("name");
            JsonNode object = record.path("s3").path("object");
            if (!bucket.isTextual() || !object.path("key").isTextual()) {
                summary.skipped.add("(a record without bucket or object)");
                continue;
            }
            String versionId = text(object, "versionId");
            ExecutionNames.Decision d;
            try {
                // the same bytes uploaded again with other metadata have the same ETag: the settings tell them apart
                d = ExecutionNames.decide(bucket.asText(), object.get("key").asText(), versionId, text(object, "eTag"),
                        key -> settingsDigest(bucket.asText(), key, versionId));
            } catch (RuntimeException e) {
                failures.add(ExecutionNames.decodeKey(object.get("key").asText()) + ": reading its metadata: " + e.getMessage());
                continue;
            }
            if (d.skipped()) {
                summary.skipped.add(d.key());
                continue;
            }
            try {
                starter.start(d.name(), d.input());
                summary.started.add(d.name());
            } catch (ExecutionAlreadyExistsException e) {
                // A duplicate delivery or a replay of the same upload: its encode is already running or done.
                summary.alreadyStarted.add(d.name());
            } catch (RuntimeException e) {
                failures.add(d.name() + ": " + e.getMessage());
            }
        }
        invocation.put("started", List.copyOf(summary.started)).put("alreadyStarted", List.copyOf(summary.alreadyStarted))
                .put("skipped", List.copyOf(summary.skipped));
        if (!failures.isEmpty()) {
            invocation.put("failed", List.copyOf(failures));
            throw new IllegalStateException("could not start " + failures.size() + " execution(s): " + String.join("; ", failures));
        }
        return summary;
    }

    static boolean isSqsEvent(JsonNode event) {
        JsonNode records = event == null ? null : event.get("Records");
        return records != null && records.isArray() && !records.isEmpty() && "aws:sqs".equals(records.get(0).path("eventSource").asText());
    }

    /** Replays each message's record; the messages that failed again are reported, so only they stay in the queue. */
    private BatchResponse handleSqs(JsonNode event, Invocation invocation) {
        List<BatchItemFailure> failed = new ArrayList<>();
        List<String> started = new ArrayList<>();
        List<String> alreadyStarted = new ArrayList<>();
        for (JsonNode message : event.get("Records")) {
            String id = message.path("messageId").asText();
            try {
                Summary s = handle(Json.MAPPER.readTree(message.path("body").asText()), null);
                started.addAll(s.started);
                alreadyStarted.addAll(s.alreadyStarted);
            } catch (IOException | RuntimeException e) {
                failed.add(new BatchItemFailure(id));
            }
        }
        invocation.put("started", started).put("alreadyStarted", alreadyStarted)
                .put("failedMessages", failed.stream().map(BatchItemFailure::itemIdentifier).toList());
        return new BatchResponse(failed);
    }

    /** The SQS partial batch response (ReportBatchItemFailures): the ids of messages to keep in the queue. */
    public record BatchResponse(List<BatchItemFailure> batchItemFailures) {}

    public record BatchItemFailure(String itemIdentifier) {}

    private static List<JsonNode> toList(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** What one invocation did: execution names started or found already started, and keys skipped. */
    public static final class Summary {
        private final List<String> started = new ArrayList<>();
        private final List<String> alreadyStarted = new ArrayList<>();
        private final List<String> skipped = new ArrayList<>();

        public List<String> getStarted() { return started; }

        public List<String> getAlreadyStarted() { return alreadyStarted; }

        public List<String> getSkipped() { return skipped; }

        @Override
        public String toString() {
            return "started=" + started + " alreadyStarted=" + alreadyStarted + " skipped=" + skipped;
        }
    }
}
