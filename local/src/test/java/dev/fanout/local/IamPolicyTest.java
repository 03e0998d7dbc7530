package dev.fanout.local;

import dev.fanout.local.iam.SmallTemplates;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Least privilege in template.yaml: no grant of any kind (function and state machine policies,
 * SAM policy templates, connectors, bucket policies, IAM resources) has a wildcard action or
 * resource that its own "Wildcard: why" comment does not justify, no managed policy, no
 * NotAction, and no principal may do anything but read the input bucket. The audit itself is
 * tested on small templates, one per way around it, so a passing run means the rules were
 * applied, not skipped.
 */
class IamPolicyTest {

    @Test
    void templateYamlGrantsNoUnjustifiedWildcard() throws Exception {
        String template = Files.readString(TemplateContractTest.ROOT.resolve("template.yaml"));
        assertEquals(List.of(), IamPolicyAudit.violations(template));
        assertTrue(template.contains("events:PutEvents"), "sanity: the audit read the real template");
    }

    @Test
    void nothingMayChangeOrDeleteAnUpload() throws Exception {
        String template = Files.readString(TemplateContractTest.ROOT.resolve("template.yaml"));
        List<IamPolicyAudit.InputAccess> onInput = IamPolicyAudit.inputBucketAccess(template);
        Set<String> readers = onInput.stream().map(IamPolicyAudit.InputAccess::principal).collect(Collectors.toSet());
        assertTrue(readers.containsAll(Set.of("ProbeFunction", "EncodeChunkFunction", "RecordFailureFunction")),
                "the probe, the encoders and the failure record read uploads: " + onInput);
        for (IamPolicyAudit.InputAccess a : onInput) {
            assertTrue(a.readOnly(), a.principal() + " may only read the input bucket, but is granted " + a.action() + " on " + a.resource() + " (" + a.via() + ")");
        }
        assertTrue(onInput.stream().noneMatch(a -> a.principal().startsWith("principal")),
                "no bucket policy allows anyone anything on the input bucket: " + onInput);
    }

    /** A small template with an input and an output bucket and one function whose Policies are given. */
    static String withBuckets(String function, String more) {
        return SmallTemplates.withBuckets("""
                  Worker:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: x.Y::handle
                      Policies:
                """ + function.indent(8) + more);
    }

    static List<String> inputViolations(String template) {
        return IamPolicyAudit.violations(template).stream().filter(v -> v.contains("uploads may only be read")).toList();
    }

    static void assertForbidden(String template, String principal, String action) {
        List<String> v = inputViolations(template);
        assertTrue(v.stream().anyMatch(x -> x.contains(principal + " may " + action + " on ")), "expected " + principal + " may " + action + ": " + v
                + "\nall: " + IamPolicyAudit.violations(template));
    }

    static final String READS_UPLOADS = """
            - Version: "2012-10-17"
              Statement:
                # Reads uploads.
                - Effect: Allow
                  Action: s3:GetObject
                  Resource: !Sub ${InputBucket.Arn}/*
            """;

    @Test
    void aDeleteOnStarIsADeleteOfUploads() {
        assertForbidden(withBuckets("""
                - Version: "2012-10-17"
                  Statement:
                    # Cleans up.
                    # Wildcard: cleanup may touch any object in any bucket of the account.
                    - Effect: Allow
                      Action: s3:DeleteObject
                      Resource: "*"
                """, ""), "Worker", "s3:DeleteObject");
        assertForbidden(withBuckets("""
                - Version: "2012-10-17"
                  Statement:
                    # Cleans up.
                    # Wildcard: cleanup may touch any object in any bucket of the account.
                    - Effect: Allow
                      Action: s3:DeleteObject
                      Resource: arn:aws:s3:::*
                """, ""), "Worker", "s3:DeleteObject");
        assertForbidden(withBuckets("""
                - Version: "2012-10-17"
                  Statement:
                    # Tags uploads.
                    - Effect: Allow
                      Action: s3:PutObjectTagging
                      Resource: !Sub arn:${AWS::Partition}:s3:::${InputBucket}/uploads/*
                """, ""), "Worker", "s3:PutObjectTagging");
    }

    @Test
    void actionWildcardsAreResolved() {
        for (String action : List.of("s3:*", "s3:Delete*", "s3:Put*", "*", "s3:?eleteObject", "S3:DELETEOBJECT")) {
            assertForbidden(withBuckets("""
                    - Version: "2012-10-17"
                      Statement:
                        # Works on uploads.
                        # Wildcard: the worker needs several actions on the uploads it handles.
                        - Effect: Allow
                          Action: "%s"
                          Resource: !Sub ${InputBucket.Arn}/*
                    """.formatted(action), ""), "Worker", action);
        }
        assertEquals(List.of(), inputViolations(withBuckets("""
                - Version: "2012-10-17"
                  Statement:
                    # Reads uploads.
                    # Wildcard: every s3:Get action on uploads is a read of an upload.
                    - Effect: Allow
                      Action: s3:Get*
                      Resource: !Sub ${InputBucket.Arn}/*
                    # Writes outputs anywhere under the output bucket.
                    - Effect: Allow
                      Action: s3:*
                      Resource: !Sub ${OutputBucket.Arn}/work/*
                """, "")), "reads of uploads and writes elsewhere are not writes of uploads");
    }

    @Test
    void aBucketPolicyAllowIsAGrantToItsPrincipal() {
        String template = withBuckets(READS_UPLOADS, """
                  InputBucketPolicy:
                    Type: AWS::S3::BucketPolicy
                    Properties:
                      Bucket: !Ref InputBucket
                      PolicyDocument:
                        Statement:
                          # Refuses plain HTTP.
                          - Effect: Deny
                            Principal: "*"
                            Action: s3:*
                            Resource: !Sub ${InputBucket.Arn}/*
                          - !If
                            - SomeCondition
                            # Lets the account manage the bucket.
                            # Wildcard: the account root administers the bucket and every object in it.
                            - Effect: Allow
                              Principal:
                                AWS: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:root
                              Action: s3:*
                              Resource:
                                - !GetAtt InputBucket.Arn
                                - !Sub ${InputBucket.Arn}/*
                            - !Ref AWS::NoValue
                """);
        assertForbidden(template, "principal AWS arn:${AWS::Partition}:iam::${AWS::AccountId}:root", "s3:*");
        assertTrue(inputViolations(template).stream().allMatch(v -> v.contains(":root may s3:* on ")), "the Deny and the reading function pass: " + inputViolations(template));
    }

    @Test
    void connectorsGrantWhatSamExpandsThemTo() {
        String standalone = withBuckets(READS_UPLOADS, """
                  WorkerWritesUploads:
                    Type: AWS::Serverless::Connector
                    Properties:
                      Source:
                        Id: Worker
                      Destination:
                        Id: InputBucket
                      Permissions: [Read, Write]
                """);
        assertForbidden(standalone, "Worker", "s3:DeleteObject");
        assertForbidden(standalone, "Worker", "s3:PutObject");
        String embedded = withBuckets(READS_UPLOADS, """
                  Other:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: x.Z::handle
                      Connectors:
                        ToUploads:
                          Properties:
                            Destination:
                              - Id: OutputBucket
                              - Type: AWS::S3::Bucket
                                Arn: !GetAtt InputBucket.Arn
                            Permissions: [Write]
                """);
        assertForbidden(embedded, "Other", "s3:DeleteObjectVersion");
        assertTrue(inputViolations(embedded).stream().noneMatch(v -> v.contains("${OutputBucket}")), "the output bucket is not the input: " + inputViolations(embedded));
        assertEquals(List.of(), inputViolations(withBuckets(READS_UPLOADS, """
                  ReadsOnly:
                    Type: AWS::Serverless::Connector
                    Properties:
                      Source: {Id: Worker}
                      Destination: {Id: InputBucket}
                      Permissions: [Read]
                """)), "a Read connector only reads");
    }

    @Test
    void samPolicyTemplatesAreExpandedToWhatTheyGrant() {
        String crud = withBuckets("""
                - S3CrudPolicy:
                    BucketName: !Ref InputBucket
                """, "");
        assertForbidden(crud, "Worker", "s3:DeleteObject");
        assertForbidden(crud, "Worker", "s3:PutLifecycleConfiguration");
        assertForbidden(withBuckets("""
                - S3WritePolicy:
                    BucketName: !Ref InputBucket
                """, ""), "Worker", "s3:PutObjectAcl");
        assertForbidden(withBuckets("""
                - !If
                  - SomeCondition
                  - S3FullAccessPolicy:
                      BucketName: !Ref InputBucket
                  - !Ref AWS::NoValue
                """, ""), "Worker", "s3:PutObjectTagging");
        assertEquals(List.of(), IamPolicyAudit.violations(withBuckets("""
                - S3ReadPolicy:
                    BucketName: !Ref InputBucket
                - S3CrudPolicy:
                    BucketName: !Ref OutputBucket
                - SQSSendMessagePolicy:
                    QueueName: !GetAtt FailedJobs.QueueName
                - LambdaInvokePolicy:
                    FunctionName: !Ref Worker
                """, "")), "read-only on uploads, anything on the output bucket, a queue and a function");
        List<String> v = IamPolicyAudit.violations(withBuckets("""
                - S3ReadPolicy:
                    BucketName: "*"
                - DynamoDBCrudPolicy:
                    TableName: t
                """, ""));
        assertTrue(v.stream().anyMatch(x -> x.contains("passes the wildcard * as BucketName")), v::toString);
        assertTrue(v.stream().anyMatch(x -> x.contains("DynamoDBCrudPolicy, which this audit cannot expand")), v::toString);
    }

    @Test
    void whichResourcesCanBeTheInputBucket() {
        for (String r : List.of("*", "arn:${AWS::Partition}:s3:::*", "arn:${AWS::Partition}:s3:::${InputBucket}", "arn:${AWS::Partition}:s3:::${InputBucket}/a/*",
                "arn:*:s3:::*/uploads/x.mp4", "arn:${AWS::Partition}:s3:::${AWS::StackName}-*", "arn:${AWS::Partition}:s3:::*bucket*/*", "arn:*")) {
            assertTrue(IamPolicyAudit.touchesInputBucket(r), r);
        }
        for (String r : List.of("arn:${AWS::Partition}:s3:::${OutputBucket}/*", "arn:${AWS::Partition}:s3:::some-other-bucket/*",
                "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:*", "arn:${AWS::Partition}:sqs:*")) {
            assertFalse(IamPolicyAudit.touchesInputBucket(r), r);
        }
    }

    static String function(String policies) {
        return """
                Resources:
                  Worker:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: x.Y::handle
                      Policies:
                """ + policies.indent(8);
    }

    @Test
    void flagsAWildcardActionWithoutAJustification() {
        List<String> v = IamPolicyAudit.violations(function("""
                - Version: "2012-10-17"
                  Statement:
                    # Writes the outputs.
                    - Effect: Allow
                      Action: s3:*
                      Resource: !Sub ${OutputBucket.Arn}/*
                """));
        assertEquals(1, v.size(), v::toString);
        assertTrue(v.get(0).contains("wildcard action s3:*"), v::toString);
        assertTrue(v.get(0).startsWith("line 10:"), "points at the statement: " + v);
    }

    @Test
    void flagsResourceStarAndForeignArnWildcardsButNotOwnObjectKeys() {
        List<String> v = IamPolicyAudit.violations(function("""
                - Version: "2012-10-17"
                  Statement:
                    # Everything.
                    - Effect: Allow
                      Action: s3:GetObject
                      Resource: "*"
                    # Any function.
                    - Effect: Allow
                      Action: lambda:InvokeFunction
                      Resource: !Sub arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:*
                    # Work files of any job.
                    - Effect: Allow
                      Action: [s3:GetObject, s3:PutObject]
                      Resource:
                        - !Sub ${OutputBucket.Arn}/work/*
                        - !Sub ${OutputBucket.Arn}/jobs/*/job.json
                """));
        assertEquals(2, v.size(), v::toString);
        assertTrue(v.get(0).contains("wildcard resource *"), v::toString);
        assertTrue(v.get(1).contains("function:*"), v::toString);
    }

    @Test
    void acceptsAWildcardThatItsOwnCommentJustifies() {
        assertEquals(List.of(), IamPolicyAudit.violations(function("""
                - Version: "2012-10-17"
                  Statement:
                    # Log delivery.
                    # Wildcard: these log actions support no resource-level permissions, so AWS requires Resource "*".
                    - Effect: Allow
                      Action: logs:CreateLogDelivery
                      Resource: "*"
                    # Follows child executions.
                    # Wildcard: child executions have unknown names, so any execution under this machine.
                    - Effect: Allow
                      Action: states:DescribeExecution
                      Resource: !Sub arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:m/*
                    # Its own log group, every logs action.
                    # Wildcard: the function creates, writes and describes its own log streams and events.
                    - Effect: Allow
                      Action: logs:*
                      Resource: !GetAtt WorkerLogs.Arn
                    # Failed jobs go to the stack's queue.
                    - Effect: Allow
                      Action: sqs:SendMessage
                      Resource: !GetAtt FailedJobs.Arn
                """)));
    }

    @Test
    void aCommentThatMerelyMentionsAWildcardJustifiesNothing() {
        for (String comment : List.of("# \"*\"", "# wildcard", "# Uses a wildcard resource \"*\" here.", "# Wildcard:", "# Wildcard: needed.",
                "# Wildcard \"*\" because AWS requires it for these actions")) {
            List<String> v = IamPolicyAudit.violations(function("""
                    - Version: "2012-10-17"
                      Statement:
                        # Log delivery.
                        %s
                        - Effect: Allow
                          Action: logs:CreateLogDelivery
                          Resource: "*"
                    """.formatted(comment)));
            assertEquals(1, v.size(), comment + ": " + v);
            assertTrue(v.get(0).contains("wildcard resource * is not justified"), comment + ": " + v);
        }
        List<String> v = IamPolicyAudit.violations(function("""
                - Version: "2012-10-17"
                  Statement:
                    # Log delivery.
                    # Wildcard: these log actions support no resource-level permissions, so AWS requires Resource "*".
                    - Effect: Allow
                      Action: logs:CreateLogDelivery
                      Resource: "*"
                    # Reads any object anywhere.
                    - Effect: Allow
                      Action: s3:GetObject
                      Resource: "*"
                """));
        assertEquals(1, v.size(), "the justification above one statement does not cover the next: " + v);
        assertTrue(v.get(0).startsWith("line 15:"), v::toString);
    }

    @Test
    void flagsManagedPoliciesBroadSamTemplatesUncommentedStatementsAndNotAction() {
        List<String> v = IamPolicyAudit.violations(function("""
                - AmazonS3FullAccess
                - DynamoDBCrudPolicy:
                    TableName: any
                - LambdaInvokePolicy:
                    FunctionName: !Ref Other
                - Version: "2012-10-17"
                  Statement:
                    - Effect: Allow
                      Action: s3:GetObject
                      Resource: !Sub ${InputBucket.Arn}/*
                    # Everything but deleting.
                    - Effect: Allow
                      NotAction: s3:DeleteObject
                      Resource: !Sub ${InputBucket.Arn}/*
                    # A deny only narrows what others allow.
                    - Effect: Deny
                      Action: "*"
                      Resource: "*"
                """));
        assertEquals(6, v.size(), v::toString);
        assertTrue(v.get(0).contains("managed policy [AmazonS3FullAccess]"), v::toString);
        assertTrue(v.get(1).contains("DynamoDBCrudPolicy"), v::toString);
        assertTrue(v.get(2).contains("no comment above it"), v::toString);
        assertTrue(v.get(3).contains("NotAction"), v::toString);
        assertTrue(v.get(4).contains("wildcard action * is not justified"), "NotAction reads as every action: " + v);
        assertTrue(v.get(5).contains("Worker may * on arn:${AWS::Partition}:s3:::${InputBucket}/*"), "...including deleting uploads: " + v);
    }
}
