package dev.fanout.local;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Least privilege in template.yaml: no function or state machine gets a wildcard action or
 * resource that a comment does not justify, no managed policy, no NotAction. The audit itself is
 * tested on small templates, so a passing run means the rules were applied, not skipped.
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
        List<IamPolicyAudit.Grant> onInput = IamPolicyAudit.grants(template).stream()
                .filter(g -> g.resources().stream().anyMatch(r -> r.contains("InputBucket"))).toList();
        assertTrue(onInput.size() >= 3, "the probe, the encoders and the thumbnails read uploads: " + onInput);
        for (IamPolicyAudit.Grant g : onInput) {
            assertTrue(List.of("s3:GetObject", "s3:ListBucket").containsAll(g.actions()),
                    g.owner() + " may only read the input bucket, but is granted " + g.actions() + " on " + g.resources());
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
                    # Reads the uploads.
                    - Effect: Allow
                      Action: s3:*
                      Resource: !Sub ${InputBucket.Arn}/*
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
    void acceptsAWildcardThatItsCommentJustifies() {
        assertEquals(List.of(), IamPolicyAudit.violations(function("""
                - Version: "2012-10-17"
                  Statement:
                    # These log actions support no resource-level permissions, so AWS requires Resource "*".
                    - Effect: Allow
                      Action: logs:CreateLogDelivery
                      Resource: "*"
                    # Child executions have unknown names: a wildcard under this machine's executions.
                    - Effect: Allow
                      Action: states:DescribeExecution
                      Resource: !Sub arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:m/*
                """)));
    }

    @Test
    void flagsManagedPoliciesBroadSamTemplatesUncommentedStatementsAndNotAction() {
        List<String> v = IamPolicyAudit.violations(function("""
                - AmazonS3FullAccess
                - S3CrudPolicy:
                    BucketName: any
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
        assertEquals(4, v.size(), v::toString);
        assertTrue(v.get(0).contains("managed policy AmazonS3FullAccess"), v::toString);
        assertTrue(v.get(1).contains("S3CrudPolicy"), v::toString);
        assertTrue(v.get(2).contains("no comment above it"), v::toString);
        assertTrue(v.get(3).contains("NotAction"), v::toString);
    }
}
