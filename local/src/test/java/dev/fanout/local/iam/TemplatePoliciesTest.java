package dev.fanout.local.iam;

import dev.fanout.local.LocalStateMachine;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the local run decides an S3 request from the template's policies: actions, resources, conditions, Deny. */
class TemplatePoliciesTest {
    private static final Map<String, String> LOCAL = Map.of("InputBucket", "input", "OutputBucket", "output");
    private static final Map<String, String> SECURE = S3Access.baseContext();

    private static TemplatePolicies real() throws Exception {
        return TemplatePolicies.read(Files.readString(LocalStateMachine.findTemplate()), LOCAL);
    }

    private static boolean allowed(TemplatePolicies p, String principal, String action, String arn) {
        return p.decide(principal, action, arn, SECURE).allowed();
    }

    private static Map<String, String> listing(String prefix) {
        Map<String, String> c = new java.util.HashMap<>(SECURE);
        c.put("s3:prefix", prefix);
        return c;
    }

    @Test
    void theTemplatesGrantsResolveToTheLocalBuckets() throws Exception {
        TemplatePolicies p = real();
        assertTrue(allowed(p, "RecordFailureFunction", "s3:DeleteObject", "arn:aws:s3:::output/work/job-1/plan.json"));
        assertTrue(allowed(p, "ProbeFunction", "s3:GetObject", "arn:aws:s3:::input/uploads/a b+c.mp4"));
        assertTrue(allowed(p, "EncodeChunkFunction", "s3:PutObject", "arn:aws:s3:::output/jobs/job-1/video/720p/seg-00001.m4s"));
        // the Distributed Map's ItemReader reads chunks.json with the state machine's role
        assertTrue(allowed(p, "EncodeStateMachine", "s3:GetObject", "arn:aws:s3:::output/work/job-1/chunks.json"));
        assertFalse(allowed(p, "EncodeStateMachine", "s3:PutObject", "arn:aws:s3:::output/work/job-1/chunks.json"));
        // uploads are only ever read, by every function
        for (String f : p.principals()) {
            for (String a : new String[] {"s3:PutObject", "s3:DeleteObject"}) assertFalse(allowed(p, f, a, "arn:aws:s3:::input/uploads/x.mp4"), f + " " + a);
        }
        // IAM compares actions without case, resources with it
        assertTrue(allowed(p, "PackageFunction", "S3:getobject", "arn:aws:s3:::output/work/j/plan.json"));
        assertFalse(allowed(p, "PackageFunction", "s3:GetObject", "arn:aws:s3:::output/WORK/j/plan.json"));
        // a bucket the template does not have
        assertFalse(allowed(p, "ProbeFunction", "s3:GetObject", "arn:aws:s3:::other/uploads/x.mp4"));
        assertEquals(new TemplatePolicies.Decision(false, false, null),
                p.decide("EncodeChunkFunction", "s3:PutObject", "arn:aws:s3:::output/work", SECURE), "work itself is not under work/*");
    }

    /** The trigger's HEAD of an upload is granted by an AWS::IAM::Policy on its SAM-made role, not by its Policies. */
    @Test
    void aPolicyAttachedToAFunctionsRoleIsThatFunctions() throws Exception {
        TemplatePolicies p = real();
        assertTrue(allowed(p, "StartExecutionFunction", "s3:GetObject", "arn:aws:s3:::input/uploads/film.mp4"));
        assertTrue(allowed(p, "StartExecutionFunction", "s3:ListBucket", "arn:aws:s3:::input"));
        assertFalse(allowed(p, "StartExecutionFunction", "s3:GetObject", "arn:aws:s3:::output/jobs/j/job.json"));
        assertFalse(allowed(p, "PackageFunction", "s3:GetObject", "arn:aws:s3:::input/uploads/film.mp4"), "attached to one role only");

        String template = """
                Resources:
                  InputBucket:
                    Type: AWS::S3::Bucket
                  OutputBucket:
                    Type: AWS::S3::Bucket
                  Reader:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: x.Y::handle
                  Other:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: x.Y::handle
                  ReaderReads:
                    Type: AWS::IAM::Policy
                    Properties:
                      PolicyName: reads
                      Roles: [!Ref ReaderRole]
                      PolicyDocument:
                        Statement:
                          - Effect: Allow
                            Action: s3:GetObject
                            Resource: !Sub ${InputBucket.Arn}/*
                """;
        TemplatePolicies small = TemplatePolicies.read(template, LOCAL);
        assertTrue(allowed(small, "Reader", "s3:GetObject", "arn:aws:s3:::input/a.mp4"));
        assertFalse(allowed(small, "Other", "s3:GetObject", "arn:aws:s3:::input/a.mp4"));
        IllegalStateException unknownRole = assertThrows(IllegalStateException.class,
                () -> TemplatePolicies.read(template.replace("!Ref ReaderRole", "!Ref SomeRole"), LOCAL));
        assertTrue(unknownRole.getMessage().contains("not the role of a function"), unknownRole.getMessage());
    }

    @Test
    void listingsStayUnderTheirPrefixesAndAMissingKeyCheckHasNone() throws Exception {
        TemplatePolicies p = real();
        String bucket = "arn:aws:s3:::output";
        assertTrue(p.decide("ProbeFunction", "s3:ListBucket", bucket, listing("work/job-1/")).allowed());
        assertTrue(p.decide("PackageFunction", "s3:ListBucket", bucket, listing("jobs/job-1/")).allowed());
        assertFalse(p.decide("PackageFunction", "s3:ListBucket", bucket, listing("uploads/")).allowed());
        // a list from the start of the bucket has s3:prefix "", which work/* and jobs/* do not match
        assertFalse(p.decide("PackageFunction", "s3:ListBucket", bucket, listing("")).allowed());
        // StringLikeIfExists: the check S3 makes for a GET of a missing key carries no s3:prefix, so it passes
        assertTrue(p.decide("PackageFunction", "s3:ListBucket", bucket, SECURE).allowed());
        // the state machine's role may not list the output bucket at all: a missing key reads as 403 for it
        assertFalse(p.decide("EncodeStateMachine", "s3:ListBucket", bucket, SECURE).allowed());
        // a late chunk worker lists its job's prefixes to clean up after a failure
        assertTrue(p.decide("EncodeChunkFunction", "s3:ListBucket", bucket, listing("jobs/job-1/")).allowed());
    }

    @Test
    void theBucketPoliciesDenyPlainHttpAndTheLocalRunCountsAsSecure() throws Exception {
        TemplatePolicies p = real();
        Map<String, String> insecure = Map.of("aws:securetransport", "false");
        TemplatePolicies.Decision d = p.decide("ProbeFunction", "s3:GetObject", "arn:aws:s3:::input/uploads/x.mp4", insecure);
        assertTrue(d.explicitDeny(), d::toString);
        assertTrue(d.statement().where().contains("InputBucketPolicy"), d::toString);
        assertTrue(p.decide("ProbeFunction", "s3:GetObject", "arn:aws:s3:::input/uploads/x.mp4", SECURE).allowed());
    }

    private static final String SMALL = """
            Resources:
              Bucket:
                Type: AWS::S3::Bucket
              Worker:
                Type: AWS::Serverless::Function
                Properties:
                  Policies:
                    - Version: "2012-10-17"
                      Statement:
                        - Effect: Allow
                          Action: s3:*
                          Resource: !Sub ${Bucket.Arn}/*
                        - Effect: Deny
                          Action: s3:Delete*
                          Resource: !Sub ${Bucket.Arn}/keep/*
                        - Effect: Allow
                          Action: s3:GetObject
                          Resource: !Sub arn:${AWS::Partition}:s3:::${Bucket}/seg-0000?.m4s
                        - Effect: Allow
                          Action: s3:ListBucket
                          Resource: !GetAtt Bucket.Arn
                          Condition:
                            StringNotLike:
                              s3:prefix: secret/*
                    - S3ReadPolicy:
                        BucketName: other
              Reader:
                Type: AWS::Serverless::Function
                Properties:
                  Policies:
                    - Version: "2012-10-17"
                      Statement:
                        - Effect: Allow
                          Action: s3:GetObject
                          Resource: !Sub ${Bucket.Arn}/seg-0000?.m4s
            """;

    @Test
    void anExplicitDenyWinsWildcardsMatchAndSamTemplatesExpand() {
        TemplatePolicies p = TemplatePolicies.read(SMALL, Map.of("Bucket", "b"));
        assertTrue(allowed(p, "Worker", "s3:DeleteObject", "arn:aws:s3:::b/x"));
        TemplatePolicies.Decision d = p.decide("Worker", "s3:DeleteObject", "arn:aws:s3:::b/keep/x", SECURE);
        assertFalse(d.allowed());
        assertTrue(d.explicitDeny(), "the Deny decided, not a missing Allow");
        assertTrue(allowed(p, "Worker", "s3:PutObject", "arn:aws:s3:::b/keep/x"), "the Deny is about deletes only");
        // ? is one character; a * or ? inside a key is only a character of it
        assertTrue(allowed(p, "Reader", "s3:GetObject", "arn:aws:s3:::b/seg-00001.m4s"));
        assertFalse(allowed(p, "Reader", "s3:GetObject", "arn:aws:s3:::b/seg-000012.m4s"));
        assertFalse(allowed(p, "Reader", "s3:GetObject", "arn:aws:s3:::b/seg-0000.m4s"));
        assertTrue(IamGlobs.matches("a/*", "a/*"));
        assertFalse(IamGlobs.matches("a/b", "a/?"));
        // StringNotLike with the key absent holds ("Condition operators": negated operators are true then)
        assertTrue(p.decide("Worker", "s3:ListBucket", "arn:aws:s3:::b", SECURE).allowed());
        assertTrue(p.decide("Worker", "s3:ListBucket", "arn:aws:s3:::b", listing("public/")).allowed());
        assertFalse(p.decide("Worker", "s3:ListBucket", "arn:aws:s3:::b", listing("secret/x")).allowed());
        // S3ReadPolicy as SAM expands it: the bucket and its objects, read only
        assertTrue(allowed(p, "Worker", "s3:GetObject", "arn:aws:s3:::other/any/key"));
        assertTrue(allowed(p, "Worker", "s3:ListBucket", "arn:aws:s3:::other"));
        assertFalse(allowed(p, "Worker", "s3:PutObject", "arn:aws:s3:::other/any/key"));
        assertFalse(allowed(p, "Reader", "s3:ListBucket", "arn:aws:s3:::b"));
    }

    @Test
    void whatItCannotEnforceIsRefusedByNameWithItsLine() {
        String managed = SMALL.replace("- S3ReadPolicy:\n            BucketName: other", "- AmazonS3FullAccess");
        assertFalse(managed.contains("S3ReadPolicy"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TemplatePolicies.read(managed, Map.of("Bucket", "b")));
        assertTrue(e.getMessage().contains("managed policy AmazonS3FullAccess") && e.getMessage().startsWith("template.yaml line 25:"), e.getMessage());
        String arnLike = SMALL.replace("StringNotLike:", "ArnLike:");
        e = assertThrows(IllegalStateException.class, () -> TemplatePolicies.read(arnLike, Map.of("Bucket", "b")));
        assertTrue(e.getMessage().contains("condition operator ArnLike"), e.getMessage());
        String unknownBucket = SMALL.replace("!Sub ${Bucket.Arn}/seg", "!Sub ${Elsewhere.Arn}/seg");
        e = assertThrows(IllegalStateException.class, () -> TemplatePolicies.read(unknownBucket, Map.of("Bucket", "b")));
        assertTrue(e.getMessage().contains("${Elsewhere.Arn}"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TemplatePolicies.read(SMALL, Map.of()), "every bucket needs a local name");
    }
}
