package dev.fanout.local.bench;

import dev.fanout.encoder.media.FfmpegCommands;
import dev.fanout.encoder.model.JobPlan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The reference the audio pieces are measured against: the whole track in one ffmpeg run, with
 * the pipeline's encoder settings, padded or trimmed to the video's duration, in fragments of one
 * segment. (The pipeline itself no longer encodes a track in one pass.) Reads the test's own
 * loopback source server only.
 */
public final class SinglePassAudio {
    private SinglePassAudio() {}

    public static List<String> command(Path ffmpeg, String sourceUrl, JobPlan plan, Path out) {
        if (!sourceUrl.startsWith("http://127.0.0.1:")) throw new IllegalArgumentException("the reference reads a loopback source server, not " + sourceUrl);
        double segmentSeconds = plan.frameRate().secondsFor(plan.segmentFrames()).toDouble();
        List<String> c = new ArrayList<>(List.of(ffmpeg.toString(), "-nostdin", "-hide_banner", "-v", "error", "-y",
                "-protocol_whitelist", FfmpegCommands.PROTOCOL_WHITELIST, "-f", "mov", "-enable_drefs", "0",
                "-ss", String.format(Locale.ROOT, "%.6f", plan.sourceInfo().video().startSeconds()), "-i", sourceUrl,
                "-map", "0:a:0", "-vn", "-sn", "-dn", "-map_metadata", "-1", "-map_chapters", "-1"));
        c.addAll(FfmpegCommands.audioEncoderOptions(plan));
        c.addAll(List.of("-af", "apad", "-t", String.format(Locale.ROOT, "%.6f", plan.durationSeconds().toDouble()),
                "-f", "mp4", "-movflags", "+dash+delay_moov+skip_trailer",
                "-frag_duration", Long.toString(Math.max(1, Math.round(segmentSeconds * 1_000_000))), out.toString()));
        return c;
    }
}
