package dev.fanout.integration;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.LambdaFunctionConfiguration;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.StateMachineDoesNotExistException;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Executes a {@link DeploymentPlan} against an AWS API endpoint (LocalStack): buckets, the code
 * bundle, the functions with their aliases, the state machine and the S3 trigger — what
 * {@code sam deploy} creates, minus IAM (not enforced by LocalStack Community, so one placeholder
 * role ARN serves every resource). Each resource's deletion is registered with the
 * {@link Teardown} as soon as it exists.
 */
public final class LocalStackDeployer {
    static final String BUNDLE_KEY = "function.zip";

    private final S3Client s3;
    private final LambdaClient lambda;
    private final SfnClient sfn;
    private final Teardown teardown;
    private final Consumer<String> log;

    public LocalStackDeployer(S3Client s3, LambdaClient lambda, SfnClient sfn, Teardown teardown, Consumer<String> log) {
        this.s3 = s3;
        this.lambda = lambda;
        this.sfn = sfn;
        this.teardown = teardown;
        this.log = log;
    }

    public void deploy(DeploymentPlan plan, Path bundle) {
        String role = "arn:aws:iam::" + plan.account() + ":role/" + plan.stackName() + "-role";
        createBucket(plan.artifactsBucket(), plan.region());
        for (String bucket : plan.buckets().values()) createBucket(bucket, plan.region());
        s3.putObject(b -> b.bucket(plan.artifactsBucket()).key(BUNDLE_KEY), RequestBody.fromFile(bundle));

        for (DeploymentPlan.Function f : plan.functions()) createFunction(f, plan.artifactsBucket(), role);

        DeploymentPlan.StateMachine sm = plan.stateMachine();
        String arn = sfn.createStateMachine(b -> b.name(sm.name()).definition(sm.definition()).roleArn(role).type(sm.type())).stateMachineArn();
        teardown.add("state machine " + sm.name(), () -> deleteStateMachine(arn));
        if (!arn.equals(sm.arn())) {
            throw new IllegalStateException("the state machine was created as " + arn + " but the functions were configured with " + sm.arn()
                    + " (region/account of the endpoint differ from the plan's)");
        }
        log.accept("created state machine " + arn);

        for (DeploymentPlan.Trigger t : plan.triggers()) {
            DeploymentPlan.Function f = plan.function(t.functionLogicalId());
            lambda.addPermission(b -> b.functionName(f.name()).qualifier(f.alias()).statementId("s3-" + t.bucket())
                    .action("lambda:InvokeFunction").principal("s3.amazonaws.com")
                    .sourceArn("arn:aws:s3:::" + t.bucket()).sourceAccount(plan.account()));
            s3.putBucketNotificationConfiguration(b -> b.bucket(t.bucket()).notificationConfiguration(n -> n.lambdaFunctionConfigurations(
                    LambdaFunctionConfiguration.builder().id(f.logicalId()).lambdaFunctionArn(f.invokedArn()).eventsWithStrings(t.events()).build())));
            log.accept("s3://" + t.bucket() + " " + t.events() + " -> " + f.invokedArn());
        }
    }

    private void createBucket(String bucket, String region) {
        s3.createBucket(b -> {
            b.bucket(bucket);
            if (!region.equals("us-east-1")) b.createBucketConfiguration(c -> c.locationConstraint(region));
        });
        teardown.add("bucket " + bucket, () -> Teardown.emptyAndDeleteBucket(s3, bucket, 1000));
    }

    private void createFunction(DeploymentPlan.Function f, String codeBucket, String role) {
        lambda.createFunction(b -> b.functionName(f.name()).role(role).handler(f.handler()).runtime(f.runtime())
                .architecturesWithStrings(f.architecture()).memorySize(f.memoryMb()).timeout(f.timeoutSeconds())
                .ephemeralStorage(e -> e.size(f.ephemeralStorageMb()))
                .environment(e -> e.variables(f.environment()))
                .code(c -> c.s3Bucket(codeBucket).s3Key(BUNDLE_KEY)));
        teardown.add("function " + f.name(), () -> {
            try {
                lambda.deleteFunction(b -> b.functionName(f.name()));
            } catch (ResourceNotFoundException e) {
                // already gone
            }
        });
        lambda.waiter().waitUntilFunctionActiveV2(b -> b.functionName(f.name()));
        if (f.alias() != null) {
            String version = lambda.publishVersion(b -> b.functionName(f.name())).version();
            lambda.waiter().waitUntilPublishedVersionActive(b -> b.functionName(f.name()).qualifier(version));
            lambda.createAlias(b -> b.functionName(f.name()).name(f.alias()).functionVersion(version));
        }
        log.accept("created function " + f.invokedArn() + " (" + f.handler() + ", " + f.memoryMb() + " MB, " + f.timeoutSeconds() + " s)");
    }

    private void deleteStateMachine(String arn) {
        try {
            sfn.listExecutions(b -> b.stateMachineArn(arn).statusFilter(ExecutionStatus.RUNNING)).executions()
                    .forEach(e -> sfn.stopExecution(b -> b.executionArn(e.executionArn()).error("Cleanup").cause("integration test teardown")));
            sfn.deleteStateMachine(b -> b.stateMachineArn(arn));
        } catch (StateMachineDoesNotExistException e) {
            // already gone
        }
    }
}
