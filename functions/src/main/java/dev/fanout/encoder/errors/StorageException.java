package dev.fanout.encoder.errors;

/**
 * S3 refused a request for a reason a retry cannot cure: access denied (a missing IAM permission,
 * a wrong key), a bucket or key that does not exist, a request S3 calls bad. Permanent: the state
 * machine's Retry matches only {@link TransientException}, so the job fails at once with a name a
 * person can act on ({@code Storage.AccessDenied}, {@code Storage.NoSuchBucket}, {@code Storage.NoSuchKey},
 * {@code Storage.BadRequest}). {@link #statusCode()} is S3's HTTP status (e.g. 412 for a failed precondition).
 */
public final class StorageException extends PipelineException {
    private final int statusCode;

    public StorageException(String reason, String detail, int statusCode, Throwable cause) {
        super("Storage." + reason, detail, cause);
        this.statusCode = statusCode;
    }

    public int statusCode() { return statusCode; }

    @Override
    public boolean retryable() { return false; }
}
