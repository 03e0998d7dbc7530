package dev.fanout.encoder.errors;

/**
 * A subtitle file of the upload (a sidecar {@code .srt}/{@code .vtt}, or a text track of the
 * source) cannot be used at all; retrying will not help. Names start with {@code InvalidSubtitles.}
 * and the detail names the file. A file with some bad cues is not this: those cues are dropped
 * with a warning in job.json.
 */
public final class InvalidSubtitlesException extends PipelineException {
    public InvalidSubtitlesException(String reason, String detail) {
        super("InvalidSubtitles." + reason, detail, null);
    }

    @Override
    public boolean retryable() { return false; }
}
