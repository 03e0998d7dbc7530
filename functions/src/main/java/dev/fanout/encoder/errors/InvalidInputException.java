package dev.fanout.encoder.errors;

/** The uploaded file cannot be encoded; retrying will not help. Names start with {@code InvalidInput.}. */
public final class InvalidInputException extends PipelineException {
    public InvalidInputException(String reason, String detail) {
        super("InvalidInput." + reason, detail, null);
    }

    @Override
    public boolean retryable() { return false; }
}
