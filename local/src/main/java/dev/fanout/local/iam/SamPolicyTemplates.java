package dev.fanout.local.iam;

import java.util.List;
import java.util.Map;

/**
 * What the SAM policy templates the IAM audit (IamPolicyAudit) and the local enforcement
 * ({@link TemplatePolicies}) understand grant, so both judge the statements SAM generates rather
 * than a template's name. From SAM's policy template definitions
 * (samtranslator/policy_templates_data/policy_templates.json in aws/serverless-application-model;
 * documented as "AWS SAM policy templates" in the SAM developer guide). A parameter appears in a
 * resource as ${Name}. The wildcards SAM itself writes are accepted: sqs:SendMessage* is SendMessage
 * and SendMessageBatch to one queue, LambdaInvokePolicy's trailing * covers the versions and
 * aliases of one function, and cloudwatch:PutMetricData supports no resource-level permissions.
 */
public final class SamPolicyTemplates {
    private SamPolicyTemplates() {}

    public record Statement(List<String> actions, List<String> resources) {}

    public record Template(List<Statement> statements) {
        public String fill(String resource, Map<String, String> params) {
            String out = resource;
            for (var p : params.entrySet()) out = out.replace("${" + p.getKey() + "}", p.getValue());
            return out;
        }
    }

    private static final String BUCKET = "arn:${AWS::Partition}:s3:::${BucketName}";
    private static final List<String> BUCKET_AND_OBJECTS = List.of(BUCKET, BUCKET + "/*");
    private static final String QUEUE = "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${QueueName}";

    public static final Map<String, Template> ALL = Map.of(
            "S3ReadPolicy", new Template(List.of(new Statement(List.of("s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation",
                    "s3:GetObjectVersion", "s3:GetLifecycleConfiguration"), BUCKET_AND_OBJECTS))),
            "S3CrudPolicy", new Template(List.of(new Statement(List.of("s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation",
                    "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectAcl", "s3:GetLifecycleConfiguration",
                    "s3:PutLifecycleConfiguration", "s3:DeleteObject"), BUCKET_AND_OBJECTS))),
            "S3WritePolicy", new Template(List.of(new Statement(List.of("s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration"),
                    BUCKET_AND_OBJECTS))),
            "S3FullAccessPolicy", new Template(List.of(
                    new Statement(List.of("s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectAcl",
                            "s3:DeleteObject", "s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging", "s3:GetObjectTagging",
                            "s3:GetObjectVersionTagging", "s3:PutObjectTagging", "s3:PutObjectVersionTagging"), List.of(BUCKET + "/*")),
                    new Statement(List.of("s3:ListBucket", "s3:GetBucketLocation", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration"),
                            List.of(BUCKET)))),
            "SQSSendMessagePolicy", new Template(List.of(new Statement(List.of("sqs:SendMessage*"), List.of(QUEUE)))),
            "SQSPollerPolicy", new Template(List.of(new Statement(List.of("sqs:ChangeMessageVisibility", "sqs:ChangeMessageVisibilityBatch",
                    "sqs:DeleteMessage", "sqs:DeleteMessageBatch", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"), List.of(QUEUE)))),
            "LambdaInvokePolicy", new Template(List.of(new Statement(List.of("lambda:InvokeFunction"),
                    List.of("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${FunctionName}*")))),
            "StepFunctionsExecutionPolicy", new Template(List.of(new Statement(List.of("states:StartExecution"),
                    List.of("arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${StateMachineName}")))),
            "EventBridgePutEventsPolicy", new Template(List.of(new Statement(List.of("events:PutEvents"),
                    List.of("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${EventBusName}")))),
            "CloudWatchPutMetricPolicy", new Template(List.of(new Statement(List.of("cloudwatch:PutMetricData"), List.of("*")))));
}
