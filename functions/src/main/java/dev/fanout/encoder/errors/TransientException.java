package dev.fanout.encoder.errors;

/** Something outside the media failed (storage, a killed process, a time limit); a retry may succeed. */
public final class TransientException extends PipelineException {
    public TransientException(String reason, String detail, Throwable cause) {
        super("Transient." + reason, detail, cause);
    }

    @Override
    public boolean retryable() { return true; }
}
