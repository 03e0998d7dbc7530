package dev.fanout.encoder.errors;

/**
 * A failure with a stable, dotted name (e.g. {@code InvalidInput.Truncated}) and a cause a person
 * can act on. The message is {@code "<name>: <detail>"}, which is what Lambda reports as
 * errorMessage; the Java class (errorType) tells the state machine whether a retry can help.
 */
public abstract class PipelineException extends RuntimeException {
    private final String errorName;
    private final String detail;

    protected PipelineException(String errorName, String detail, Throwable cause) {
        super(errorName + ": " + detail, cause);
        this.errorName = errorName;
        this.detail = detail;
    }

    public String errorName() { return errorName; }

    public String detail() { return detail; }

    /** True when running the same step again may succeed. */
    public abstract boolean retryable();
}
