package dev.fanout.encoder.model;

import java.util.Locale;

/**
 * Where a job's objects live in the output bucket.
 * <pre>
 *   jobs/&lt;jobId&gt;/manifest.mpd, master.m3u8, index.html, job.json, video/&lt;rendition&gt;/init.mp4, video/&lt;rendition&gt;/seg-00001.m4s,
 *                 video/&lt;rendition&gt;/playlist.m3u8, audio/init.mp4, audio/seg-00001.m4s, audio/playlist.m3u8,
 *                 poster.jpg, thumbnails/thumbnails.vtt, thumbnails/sprite-001.jpg   (published output)
 *   work/&lt;jobId&gt;/plan.json, chunks.json, chunks/00000.json, tiles/00000.jpg, failures/…  (intermediate, expires)
 * </pre>
 * Keys are formatted with {@link Locale#ROOT}: the default locale may use other digits (ar-SA: Arabic-Indic),
 * and every stage, manifest and playlist must spell a key the same way.
 */
public record JobLayout(String bucket, String outputPrefix, String workPrefix) {

    public static JobLayout of(String bucket, String jobId) {
        return new JobLayout(bucket, "jobs/" + jobId + "/", "work/" + jobId + "/");
    }

    public String planKey() { return workPrefix + "plan.json"; }
    public String chunkListKey() { return workPrefix + "chunks.json"; }
    public String chunkResultKey(int index) { return workPrefix + "chunks/" + String.format(Locale.ROOT, "%05d", index) + ".json"; }
    /** Where a worker records why its chunk failed (a Distributed Map reports only that items failed). */
    public String chunkFailureKey(int index) { return workPrefix + "failures/chunk-" + String.format(Locale.ROOT, "%05d", index) + ".json"; }
    public String failurePrefix() { return workPrefix + "failures/"; }
    /** Thumbnail tile n (from 0), made by the chunk whose frames hold it, laid out in sheets by Package. */
    public String tileKey(int index) { return workPrefix + "tiles/" + String.format(Locale.ROOT, "%05d", index) + ".jpg"; }
    public String posterKey() { return outputPrefix + "poster.jpg"; }
    public String thumbnailTrackKey() { return outputPrefix + "thumbnails/thumbnails.vtt"; }
    public String spriteKey(int number) { return outputPrefix + "thumbnails/" + spriteFile(number); }
    public String manifestKey() { return outputPrefix + "manifest.mpd"; }
    public String masterPlaylistKey() { return outputPrefix + MASTER_PLAYLIST_PATH; }
    public String playerPageKey() { return outputPrefix + "index.html"; }
    public String jobRecordKey() { return outputPrefix + "job.json"; }
    public String videoInitKey(String renditionId) { return outputPrefix + videoInitPath(renditionId); }
    public String videoSegmentKey(String renditionId, int number) { return outputPrefix + videoSegmentPath(renditionId, number); }
    public String audioInitKey() { return audioInitKey("audio"); }
    public String audioSegmentKey(int number) { return audioSegmentKey("audio", number); }
    /** An audio rendition's files are in a folder named by its id (plan/AudioRenditions: "audio" for the first track). */
    public String audioInitKey(String audioId) { return outputPrefix + audioId + "/" + INIT_FILE; }
    public String audioSegmentKey(String audioId, int number) { return outputPrefix + audioId + "/" + segmentFile(number); }

    /** What the probe made of the subtitles, for Package. */
    public String subtitleSetKey() { return workPrefix + "subtitles.json"; }
    /** A subtitle track's WebVTT file, written by the probe. */
    public String subtitleKey(String trackId) { return outputPrefix + subtitlePath(trackId); }
    public static String subtitlePath(String trackId) { return "subtitles/" + trackId + ".vtt"; }
    public static String subtitlePlaylistPath(String trackId) { return "subtitles/" + trackId + ".m3u8"; }

    public static final String INIT_FILE = "init.mp4";
    public static final String MASTER_PLAYLIST_PATH = "master.m3u8";
    public static final String AUDIO_PLAYLIST_PATH = "audio/playlist.m3u8";

    /** HLS media playlist of an audio rendition, beside its segments. */
    public static String audioPlaylistPath(String audioId) { return audioId + "/playlist.m3u8"; }
    public static String videoInitPath(String renditionId) { return "video/" + renditionId + "/" + INIT_FILE; }
    /** HLS media playlist of a rendition, beside its segments. */
    public static String videoPlaylistPath(String renditionId) { return "video/" + renditionId + "/playlist.m3u8"; }
    public static String videoSegmentPath(String renditionId, int number) { return "video/" + renditionId + "/" + segmentFile(number); }
    /** Sprite sheet n (from 1), as the thumbnail track names it (relative to the track). */
    public static String spriteFile(int number) { return String.format(Locale.ROOT, "sprite-%03d.jpg", number); }
    public static String segmentFile(int number) { return String.format(Locale.ROOT, "seg-%05d.m4s", number); }
}
