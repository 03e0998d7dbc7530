package dev.fanout.local.asl;

/** The definition uses something this executor does not implement; it refuses rather than guess. */
public final class UnsupportedAslException extends RuntimeException {
    public UnsupportedAslException(String what) {
        super("the local state machine executor does not support " + what);
    }
}
