package dev.fanout.local;

import java.util.List;
import java.util.Map;

/**
 * What a SAM connector from a function or state machine grants on each kind of destination, for
 * {@link IamPolicyAudit}: the actions of its Read and Write access categories, on the
 * destination's ARN (and, for a bucket, its objects). From SAM's connector profiles
 * (samtranslator/model/connector_profiles/profiles.json in aws/serverless-application-model;
 * "AWS SAM connector reference" in the SAM developer guide).
 */
final class SamConnectors {
    private SamConnectors() {}

    record Destination(Map<String, List<String>> actions, List<String> resourceSuffixes) {}

    private static final Destination LAMBDA = new Destination(Map.of("Write", List.of("lambda:InvokeAsync", "lambda:InvokeFunction")), List.of(""));
    private static final Destination STATE_MACHINE = new Destination(Map.of(
            "Write", List.of("states:StartExecution", "states:StartSyncExecution", "states:StopExecution"),
            "Read", List.of("states:DescribeStateMachine", "states:ListExecutions", "states:DescribeExecution",
                    "states:DescribeStateMachineForExecution", "states:GetExecutionHistory")), List.of(""));

    static final Map<String, Destination> ALL = Map.of(
            "AWS::S3::Bucket", new Destination(Map.of(
                    "Read", List.of("s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectLegalHold", "s3:GetObjectRetention", "s3:GetObjectTorrent",
                            "s3:GetObjectVersion", "s3:GetObjectVersionAcl", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionTorrent",
                            "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:ListBucketVersions", "s3:ListMultipartUploadParts"),
                    "Write", List.of("s3:AbortMultipartUpload", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObject",
                            "s3:PutObjectLegalHold", "s3:PutObjectRetention", "s3:RestoreObject")),
                    List.of("", "/*")),
            "AWS::SQS::Queue", new Destination(Map.of(
                    "Read", List.of("sqs:ReceiveMessage", "sqs:GetQueueAttributes"),
                    "Write", List.of("sqs:DeleteMessage", "sqs:SendMessage", "sqs:ChangeMessageVisibility", "sqs:PurgeQueue")), List.of("")),
            "AWS::SNS::Topic", new Destination(Map.of("Write", List.of("sns:Publish")), List.of("")),
            "AWS::Events::EventBus", new Destination(Map.of("Write", List.of("events:PutEvents")), List.of("")),
            "AWS::Lambda::Function", LAMBDA,
            "AWS::Serverless::Function", LAMBDA,
            "AWS::StepFunctions::StateMachine", STATE_MACHINE,
            "AWS::Serverless::StateMachine", STATE_MACHINE);
}
