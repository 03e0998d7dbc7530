package dev.fanout.encoder.errors;

/**
 * Something outside the media failed (S3 calls, or ffmpeg reading the source over the network); a retry
 * may succeed. Time limits are not transient: {@code EncodeFailed.Timeout}, {@code InvalidInput.ProbeTimeout}.
 */
public final class TransientException extends PipelineException {
    public TransientException(String reason, String detail, Throwable cause) {
        super("Transient." + reason, detail, cause);
    }

    @Override
    public boolean retryable() { return true; }
}
