package dev.fanout.encoder.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3EventNotificationRecord;
import dev.fanout.encoder.plan.ExecutionNames;
import dev.fanout.encoder.storage.ClientEndpoints;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The S3 trigger: for each uploaded video, start one execution of the encode state machine under a
 * deterministic name (see {@link ExecutionNames}), so a duplicated S3 event never starts a second
 * encode. Keys that are not videos, or that lie under the pipeline's own output prefixes, are
 * skipped. If starting any record fails, the invocation fails after trying the others, and Lambda's
 * retry of the whole event is harmless: records already started are recognised by their names.
 */
public final class StartExecutionHandler implements RequestHandler<S3Event, StartExecutionHandler.Summary> {

    /** Starts one execution; throws {@link ExecutionAlreadyExistsException} if the name is taken. */
    @FunctionalInterface
    interface ExecutionStarter {
        void start(String name, String input);
    }

    private final ExecutionStarter starter;

    public StartExecutionHandler() {
        this(sfnStarter(System.getenv()));
    }

    /** With explicit settings ({@code STATE_MACHINE_ARN}, endpoint, credentials), e.g. a local Step Functions endpoint. */
    public StartExecutionHandler(Map<String, String> env) {
        this(sfnStarter(env));
    }

    StartExecutionHandler(ExecutionStarter starter) {
        this.starter = starter;
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
    public Summary handleRequest(S3Event event, Context context) {
        Summary summary = new Summary();
        List<String> failures = new ArrayList<>();
        List<S3EventNotificationRecord> records = event == null || event.getRecords() == null ? List.of() : event.getRecords();
        for (S3EventNotificationRecord record : records) {
            if (record == null || record.getS3() == null || record.getS3().getObject() == null || record.getS3().getBucket() == null) {
                log(context, "skipped a record without bucket or object");
                continue;
            }
            var object = record.getS3().getObject();
            ExecutionNames.Decision d = ExecutionNames.decide(
                    record.getS3().getBucket().getName(), object.getKey(), object.getVersionId(), object.geteTag());
            String source = "s3://" + d.bucket() + "/" + d.key();
            if (d.skipped()) {
                log(context, "skipped " + source + ": " + d.skipReason());
                summary.skipped.add(d.key());
                continue;
            }
            try {
                starter.start(d.name(), d.input());
                log(context, "started " + d.name() + " for " + source);
                summary.started.add(d.name());
            } catch (ExecutionAlreadyExistsException e) {
                // A duplicate delivery of the same upload: its encode is already running or done.
                log(context, "already started " + d.name() + " for " + source);
                summary.alreadyStarted.add(d.name());
            } catch (RuntimeException e) {
                log(context, "failed to start " + d.name() + " for " + source + ": " + e);
                failures.add(d.name() + ": " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("could not start " + failures.size() + " execution(s): " + String.join("; ", failures));
        }
        return summary;
    }

    private static void log(Context context, String message) {
        if (context != null && context.getLogger() != null) context.getLogger().log(message + "\n");
        else System.out.println(message);
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
