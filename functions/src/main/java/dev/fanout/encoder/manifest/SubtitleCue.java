package dev.fanout.encoder.manifest;

/**
 * One subtitle cue on the presentation's timeline (0 = the first video frame), in milliseconds,
 * WebVTT's own precision. {@code text} is safe WebVTT cue text as {@link SubtitleText#clean} makes
 * it: one or more non-empty lines, {@code &}, {@code <} and {@code >} escaped, and only the tags
 * {@code <b>}, {@code <i>}, {@code <u>} (balanced) that the cleaner itself wrote.
 */
public record SubtitleCue(long startMillis, long endMillis, String text) {
    public SubtitleCue {
        if (startMillis < 0 || endMillis <= startMillis) {
            throw new IllegalArgumentException("a cue must start at 0 or later and end after it starts: " + startMillis + " → " + endMillis);
        }
        if (text == null || text.isEmpty()) throw new IllegalArgumentException("a cue has text");
    }
}
