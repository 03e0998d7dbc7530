package dev.fanout.local.asl;

/** A failure inside the state machine, named as Step Functions names it (Error) with its Cause. */
public final class StatesError extends RuntimeException {
    private final String error;
    private final String cause;

    public StatesError(String error, String cause) {
        super(error + ": " + cause);
        this.error = error;
        this.cause = cause;
    }

    public String error() { return error; }

    public String cause() { return cause; }
}
