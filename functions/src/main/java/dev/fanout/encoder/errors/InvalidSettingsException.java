package dev.fanout.encoder.errors;

/**
 * An upload's job settings (its S3 user metadata) cannot be used; retrying will not help. Names
 * start with {@code InvalidSettings.} and say which setting: Ladder, Codecs, SegmentSeconds,
 * Quality, Preset, UnknownKey.
 */
public final class InvalidSettingsException extends PipelineException {
    public InvalidSettingsException(String setting, String detail) {
        super("InvalidSettings." + setting, detail, null);
    }

    @Override
    public boolean retryable() { return false; }
}
