package dev.fanout.integration;

import java.util.List;
import java.util.Map;

/**
 * What a deployment of template.yaml creates, with every name, ARN, setting and the substituted
 * state machine definition resolved: the plain data a deployer executes. Built by
 * {@link DeploymentPlanner}; nothing here talks to a service.
 *
 * @param buckets         template logical id → bucket name
 * @param artifactsBucket where the function code is uploaded (SAM's deployment bucket)
 */
public record DeploymentPlan(String stackName, String region, String account, Map<String, String> buckets,
                             String artifactsBucket, List<Function> functions, StateMachine stateMachine, List<Trigger> triggers) {

    /**
     * One Lambda function.
     *
     * @param alias         its AutoPublishAlias (a published version behind it), or null
     * @param bundlesFfmpeg it uses the ffmpeg layer, whose binaries ship inside the code bundle instead
     */
    public record Function(String logicalId, String name, String arn, String handler, String runtime, String architecture,
                           int memoryMb, int timeoutSeconds, int ephemeralStorageMb, Map<String, String> environment,
                           String alias, boolean bundlesFfmpeg) {
        /** The ARN callers use: the alias's when there is one (SAM points events and the state machine at it). */
        public String invokedArn() { return alias == null ? arn : arn + ":" + alias; }
    }

    public record StateMachine(String logicalId, String name, String arn, String type, String definition) {}

    /** S3 notifications of {@code events} in {@code bucket} invoke the function. */
    public record Trigger(String bucket, String functionLogicalId, List<String> events) {}

    public Function function(String logicalId) {
        return functions.stream().filter(f -> f.logicalId().equals(logicalId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no function " + logicalId + " in the plan"));
    }

    public String bucket(String logicalId) {
        String name = buckets.get(logicalId);
        if (name == null) throw new IllegalArgumentException("no bucket " + logicalId + " in the plan");
        return name;
    }
}
