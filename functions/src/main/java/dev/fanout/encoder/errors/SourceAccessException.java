package dev.fanout.encoder.errors;

/**
 * S3 refused to give a stage the job's source for a reason a retry does not change (403 access
 * denied, or another 4xx): a deployment problem, not the upload's. Names start with {@code Source.}.
 */
public final class SourceAccessException extends PipelineException {
    public SourceAccessException(String reason, String detail) {
        super("Source." + reason, detail, null);
    }

    @Override
    public boolean retryable() { return false; }
}
