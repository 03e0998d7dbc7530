package dev.fanout.encoder.manifest;

import java.util.List;
import java.util.Locale;

/**
 * Writes a subtitle track as one WebVTT file (W3C WebVTT): the signature, a blank line, then each
 * cue as a timing line and its text, in start order. No cue identifiers, settings, STYLE or NOTE:
 * everything in the file is written here from {@link SubtitleCue}s whose text is already safe.
 *
 * <p>No {@code X-TIMESTAMP-MAP} header: RFC 8216 §3.5 makes it a SHOULD and says a client without
 * one maps cue time 0 to media time 0, which is exactly our timeline (every track starts at 0,
 * tfdt 0); the same file also serves DASH, where the header means nothing. Pure.
 */
public final class SubtitleVtt {
    private SubtitleVtt() {}

    public static final String CONTENT_TYPE = "text/vtt; charset=utf-8";

    public static String render(List<SubtitleCue> cues) {
        StringBuilder b = new StringBuilder(64 + cues.size() * 64);
        b.append("WEBVTT\n");
        for (SubtitleCue c : cues) {
            b.append('\n').append(timestamp(c.startMillis())).append(" --> ").append(timestamp(c.endMillis())).append('\n');
            b.append(c.text()).append('\n');
        }
        return b.toString();
    }

    /** hh:mm:ss.ttt (hours always written: WebVTT allows that, and players agree on it). */
    static String timestamp(long ms) {
        return String.format(Locale.ROOT, "%02d:%02d:%02d.%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    }
}
