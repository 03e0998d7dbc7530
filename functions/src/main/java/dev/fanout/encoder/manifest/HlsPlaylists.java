package dev.fanout.encoder.manifest;

import dev.fanout.encoder.model.JobLayout;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes the HLS playlists (RFC 8216) of a presentation: a media playlist per video rendition and
 * one per audio rendition, each beside its segments and pointing at the very same fMP4 init ({@code EXT-X-MAP})
 * and media segments as the MPD, and a master playlist with one variant per rendition sharing one
 * audio group (and, with subtitles, one subtitles group). Each codec has its own variants (codec by codec, the first codec of the ladder first),
 * each with the CODECS its init segment says, so a client skips those it cannot decode (RFC 8216
 * 4.3.4.2: every variant must list its codecs). HEVC and AV1 are in fMP4, as HLS allows them
 * (Apple's HLS authoring specification: HEVC in fMP4, never in MPEG-TS). Pure: the same presentation always gives the same text.
 */
public final class HlsPlaylists {
    private HlsPlaylists() {}

    /** fMP4 segments ({@code EXT-X-MAP} without I-frames-only) need version 6; 7 is what fMP4 HLS declares. */
    static final int VERSION = 7;
    static final String AUDIO_GROUP = "audio";
    static final String SUBTITLES_GROUP = "subs";
    public static final String CONTENT_TYPE = "application/vnd.apple.mpegurl";

    /** A playlist's path relative to the job's output prefix, and its text. */
    public record Playlist(String path, String text) {}

    /** Every playlist, media playlists first and the master last: publishing in this order never exposes a dangling reference. */
    public static List<Playlist> render(Presentation p) {
        List<Playlist> out = new ArrayList<>();
        for (Presentation.Representation r : p.video().representations()) {
            out.add(new Playlist(JobLayout.videoPlaylistPath(r.id()), media(p.video().timescale(), p.video().timeline())));
        }
        for (Presentation.AudioSet a : p.audio()) out.add(new Playlist(JobLayout.audioPlaylistPath(a.id()), media(a.timescale(), a.timeline())));
        for (Presentation.TextTrack t : p.text()) out.add(new Playlist(JobLayout.subtitlePlaylistPath(t.id()), subtitles(p.durationSeconds(), t.id() + ".vtt")));
        out.add(new Playlist(JobLayout.MASTER_PLAYLIST_PATH, master(p)));
        return out;
    }

    static String master(Presentation p) {
        StringBuilder m = new StringBuilder(1024);
        m.append("#EXTM3U\n#EXT-X-VERSION:").append(VERSION).append('\n');
        m.append("#EXT-X-INDEPENDENT-SEGMENTS\n");
        // one rendition per audio track in one group that every variant names (RFC 8216 4.3.4.1.1: at
        // most one DEFAULT=YES, distinct NAMEs; DEFAULT=YES needs AUTOSELECT=YES); LANGUAGE is an
        // RFC 5646 tag, left out when the source did not say
        for (Presentation.AudioSet a : p.audio()) {
            m.append("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"").append(AUDIO_GROUP).append('"');
            if (!a.language().equals("und")) m.append(",LANGUAGE=\"").append(a.language()).append('"');
            m.append(",NAME=\"").append(a.name()).append("\",DEFAULT=").append(a.main() ? "YES" : "NO").append(",AUTOSELECT=YES,CHANNELS=\"")
                    .append(a.channels()).append("\",URI=\"").append(JobLayout.audioPlaylistPath(a.id())).append("\"\n");
        }
        for (Presentation.TextTrack t : p.text()) {
            // RFC 8216 §4.3.4.1: TYPE=SUBTITLES with a URI; NAME and LANGUAGE are quoted strings; a
            // variant names the group with SUBTITLES (§4.3.4.2). DEFAULT=NO: subtitles show when the
            // viewer (or AUTOSELECT, from the viewer's language settings) asks; muxers mark the first
            // subtitle stream "default" whatever it is, so the source's flag is not followed.
            m.append("#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"").append(SUBTITLES_GROUP).append("\",NAME=\"").append(quoted(t.label()))
                    .append("\",LANGUAGE=\"").append(quoted(t.language())).append("\",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI=\"").append(JobLayout.subtitlePlaylistPath(t.id()))
                    .append("\"\n");
        }
        Presentation.VideoSet v = p.video();
        boolean audio = !p.audio().isEmpty();
        // a variant plays with any one rendition of its group: its bit rates are those of the highest one
        long audioPeak = p.audio().stream().mapToLong(Presentation.AudioSet::bandwidth).max().orElse(0);
        long audioAverage = p.audio().stream().mapToLong(a -> averageBandwidth(a.bytes(), a.timescale(), a.timeline())).max().orElse(0);
        String audioCodecs = String.join(",", p.audio().stream().map(Presentation.AudioSet::codecs).distinct().toList());
        for (Presentation.Representation r : v.representations()) {
            m.append("#EXT-X-STREAM-INF:BANDWIDTH=").append(r.bandwidth() + audioPeak)
                    .append(",AVERAGE-BANDWIDTH=").append(averageBandwidth(r.bytes(), v.timescale(), v.timeline()) + audioAverage)
                    .append(",CODECS=\"").append(r.codecs()).append(audio ? "," + audioCodecs : "").append('"')
                    .append(",RESOLUTION=").append(r.width()).append('x').append(r.height())
                    .append(",FRAME-RATE=").append(String.format(Locale.ROOT, "%.3f", v.frameRate().toDouble()));
            if (audio) m.append(",AUDIO=\"").append(AUDIO_GROUP).append('"');
            if (!p.text().isEmpty()) m.append(",SUBTITLES=\"").append(SUBTITLES_GROUP).append('"');
            m.append('\n').append(JobLayout.videoPlaylistPath(r.id())).append('\n');
        }
        return m.toString();
    }

    /**
     * A VOD media playlist in the segments' own folder. Each EXTINF is the difference of the
     * segment's start and end times rounded to microseconds, so the durations add up exactly to the
     * timeline's length and none is more than a microsecond off.
     */
    static String media(long timescale, List<Presentation.TimelineRun> timeline) {
        StringBuilder m = new StringBuilder(64 + 40 * segmentCount(timeline));
        m.append("#EXTM3U\n#EXT-X-VERSION:").append(VERSION).append('\n');
        m.append("#EXT-X-TARGETDURATION:").append(targetDurationSeconds(timescale, timeline)).append('\n');
        m.append("#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        m.append("#EXT-X-MAP:URI=\"").append(JobLayout.INIT_FILE).append("\"\n");
        int number = 1;
        for (Presentation.TimelineRun run : timeline) {
            for (int i = 0; i <= run.r(); i++, number++) {
                long start = run.t() + i * run.d();
                long micros = micros(start + run.d(), timescale) - micros(start, timescale);
                m.append("#EXTINF:").append(micros / 1_000_000).append('.').append(String.format(Locale.ROOT, "%06d", micros % 1_000_000)).append(",\n");
                m.append(JobLayout.segmentFile(number)).append('\n');
            }
        }
        m.append("#EXT-X-ENDLIST\n");
        return m.toString();
    }

    /**
     * A subtitle track's media playlist: its one WebVTT file (beside the playlist) as the only
     * segment, lasting the whole presentation. RFC 8216 §4.3.3.1: each EXTINF rounded to the
     * nearest integer must not exceed EXT-X-TARGETDURATION, so the target is the duration rounded
     * up; §3.5: a WebVTT segment holds every cue shown during it, which one file does. Version 3
     * suffices (decimal EXTINF); no EXT-X-MAP, the segment is plain WebVTT.
     */
    static String subtitles(double durationSeconds, String vttFile) {
        long micros = Math.round(durationSeconds * 1_000_000);
        long target = Math.max(1, (micros + 999_999) / 1_000_000);
        return "#EXTM3U\n#EXT-X-VERSION:" + VERSION + "\n#EXT-X-TARGETDURATION:" + target + "\n#EXT-X-PLAYLIST-TYPE:VOD\n"
                + "#EXTINF:" + micros / 1_000_000 + "." + String.format(Locale.ROOT, "%06d", micros % 1_000_000) + ",\n"
                + vttFile + "\n#EXT-X-ENDLIST\n";
    }

    /** A quoted-string attribute value: RFC 8216 §4.2 allows no double quote, CR or LF in one. */
    private static String quoted(String s) {
        return s.replaceAll("[\"\r\n]", "");
    }

    static int targetDurationSeconds(long timescale, List<Presentation.TimelineRun> timeline) {
        return targetDurationSeconds(timescale, timeline.stream().mapToLong(Presentation.TimelineRun::d).max().orElse(0));
    }

    /** EXT-X-TARGETDURATION: the longest segment rounded up to whole seconds (never less than 1). */
    public static int targetDurationSeconds(long timescale, long longestSegment) {
        return (int) Math.max(1, (longestSegment + timescale - 1) / timescale);
    }

    /** Total media bits over the playlist's duration, rounded up: AVERAGE-BANDWIDTH's definition (RFC 8216, 4.3.4.2). */
    static long averageBandwidth(long bytes, long timescale, List<Presentation.TimelineRun> timeline) {
        Presentation.TimelineRun last = timeline.get(timeline.size() - 1);
        long end = last.t() + (last.r() + 1L) * last.d();
        return (long) Math.ceil(bytes * 8.0 * timescale / (end - timeline.get(0).t()));
    }

    private static int segmentCount(List<Presentation.TimelineRun> timeline) {
        return timeline.stream().mapToInt(r -> r.r() + 1).sum();
    }

    private static long micros(long ticks, long timescale) {
        return Math.floorDiv(Math.multiplyExact(ticks, 1_000_000L) + timescale / 2, timescale);
    }
}
