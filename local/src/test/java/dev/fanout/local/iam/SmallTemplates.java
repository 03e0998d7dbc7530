package dev.fanout.local.iam;

/** Small template.yaml texts for the policy tests: the stack's two buckets, then what a test is about. */
public final class SmallTemplates {
    private SmallTemplates() {}

    /**
     * "Resources:" with an InputBucket and an OutputBucket (the names template.yaml gives them), then
     * {@code resources}: YAML at a resource's indent (two spaces), e.g. the functions under test.
     */
    public static String withBuckets(String resources) {
        return """
                Resources:
                  InputBucket:
                    Type: AWS::S3::Bucket
                  OutputBucket:
                    Type: AWS::S3::Bucket
                """ + resources;
    }
}
