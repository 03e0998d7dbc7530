package dev.fanout.encoder.errors;

/**
 * ffmpeg or a consistency check failed on input that passed validation. Permanent: the same bytes
 * and settings give the same result.
 */
public final class EncodeFailedException extends PipelineException {
    public EncodeFailedException(String reason, String detail) {
        super("EncodeFailed." + reason, detail, null);
    }

    @Override
    public boolean retryable() { return false; }
}
