package dev.fanout.encoder.model;

/**
 * A published subtitle track: one WebVTT file in the job's output, made from a text track of the
 * source or from a sidecar file uploaded beside it.
 *
 * @param id       the track's name in the output (its language, "-2" and so on when two share one): file and playlist names
 * @param language BCP 47 tag as DASH {@code @lang} and HLS {@code LANGUAGE} want it ("en", "pt-BR", "und")
 * @param label    what the player's menu shows, e.g. "English" or the source track's title
 * @param origin   where it came from: "source stream 2" or the sidecar's key
 * @param key      the WebVTT file's key in the output bucket
 * @param cues     cues in the file
 * @param bytes    size of the file
 */
public record SubtitleTrack(String id, String language, String label, String origin, String key, int cues, long bytes) {}
