package dev.fanout.encoder.media;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.model.SourceInfo;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Every audio stream of ffprobe's {@code -show_streams} output, as the tracks the output delivers
 * and the ones it leaves out (docs/audio-pieces.md, "Several audio tracks"). Pure.
 * <ul>
 *   <li>A track with no samples is left out with the warning {@code Audio.NoSamples}: ffprobe
 *       gives no {@code nb_frames} for it while the video's sample count is in the header. (A
 *       fragmented MP4 has no sample counts in its header, so there an empty track cannot be told
 *       apart and is delivered as silence, as the single track always was.)</li>
 *   <li>At most {@link #MAX_AUDIO_TRACKS} tracks are delivered; the rest are left out with
 *       {@code Audio.TooManyTracks}.</li>
 *   <li>A track the source does not mark default is delivered all the same, as a non-default
 *       rendition: ffmpeg's MP4 demuxer reads the track's enabled flag as the default
 *       disposition, and muxers commonly enable one track per kind, so "disabled" is how a second
 *       language is usually stored.</li>
 * </ul>
 */
public final class AudioStreams {
    private AudioStreams() {}

    public record Parsed(List<SourceInfo.Audio> delivered, List<SourceInfo.SkippedAudio> skipped) {}

    /**
     * Audio tracks delivered at most; later ones are left out with {@code Audio.TooManyTracks}. Each
     * track adds an output to every chunk's audio encode (≈0.5 CPU s per 10 s chunk), a cut and its
     * uploads: this keeps a chunk's invocation bounded whatever the file claims.
     */
    public static final int MAX_AUDIO_TRACKS = 8;

    /** Longest title kept (code points): a label in a menu, not a description. */
    static final int MAX_TITLE = 64;

    private static final Pattern ISO_639 = Pattern.compile("[a-z]{2,3}");

    public static Parsed parse(JsonNode root, double formatStart, double formatDuration, boolean sampleCountsInHeader) {
        List<SourceInfo.Audio> delivered = new ArrayList<>();
        List<SourceInfo.SkippedAudio> skipped = new ArrayList<>();
        int audioIndex = 0;
        for (JsonNode s : root.path("streams")) {
            if (!s.path("codec_type").asText().equals("audio")) continue;
            int streamIndex = s.path("index").asInt(-1);
            String language = language(tag(s, "language"));
            String track = "audio track " + (audioIndex + 1) + " (" + language + ", stream #0:" + streamIndex + ")";
            if (sampleCountsInHeader && s.path("nb_frames").asLong(0) <= 0) {
                skipped.add(new SourceInfo.SkippedAudio(streamIndex, audioIndex, language, "Audio.NoSamples", track + " has no samples; it is left out"));
            } else if (delivered.size() == MAX_AUDIO_TRACKS) {
                skipped.add(new SourceInfo.SkippedAudio(streamIndex, audioIndex, language, "Audio.TooManyTracks",
                        track + " is left out: at most " + MAX_AUDIO_TRACKS + " audio tracks are delivered"));
            } else {
                String title = title(tag(s, "title"));
                if (title.isEmpty()) title = handlerTitle(tag(s, "handler_name"));
                delivered.add(new SourceInfo.Audio(s.path("codec_name").asText("unknown"), s.path("sample_rate").asInt(0),
                        s.path("channels").asInt(0), s.path("start_time").asDouble(formatStart) - formatStart,
                        s.path("duration").asDouble(formatDuration), streamIndex, audioIndex, language, title,
                        s.path("disposition").path("default").asInt(0) == 1));
            }
            audioIndex++;
        }
        return new Parsed(delivered, skipped);
    }

    /** A tag's value whatever the case of its key (MOV and Matroska write LANGUAGE, MP4 language). */
    private static String tag(JsonNode stream, String key) {
        for (Iterator<Map.Entry<String, JsonNode>> it = stream.path("tags").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(key)) return e.getValue().asText("");
        }
        return "";
    }

    /** The ISO 639 code as tagged (lower case), or "und" for anything that is not one. */
    static String language(String tag) {
        String t = tag.strip().toLowerCase(Locale.ROOT);
        return ISO_639.matcher(t).matches() ? t : "und";
    }

    /**
     * A tag as a one-line label: line breaks and other control characters become spaces, double
     * quotes go (HLS quoted-strings can hold neither), at most {@value #MAX_TITLE} code points.
     */
    static String title(String tag) {
        StringBuilder b = new StringBuilder();
        tag.codePoints().filter(c -> c != '"' && Character.isDefined(c)).map(c -> Character.isISOControl(c) ? ' ' : c).forEach(b::appendCodePoint);
        String one = b.toString().strip().replaceAll("\\s+", " ");
        return one.codePointCount(0, one.length()) <= MAX_TITLE ? one : one.substring(0, one.offsetByCodePoints(0, MAX_TITLE)).strip();
    }

    /**
     * A {@code handler_name} only when a person wrote it: muxers fill it with their own name
     * ("SoundHandler" from ffmpeg, "Core Media Audio" from Apple, "… Sound Media Handler", "GPAC
     * ISO Audio Handler", "ISO Media file produced by Google Inc.").
     */
    static String handlerTitle(String tag) {
        String t = title(tag);
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.contains("handler") || lower.startsWith("core media") || lower.contains("produced by") || lower.contains("gpac")) return "";
        return t;
    }
}
