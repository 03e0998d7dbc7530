package dev.fanout.encoder.model;

import java.util.List;

/**
 * What the probe made of the upload's subtitles ({@code work/<jobId>/subtitles.json}): the tracks
 * it published as WebVTT files, in menu order, and what it dropped on the way (job.json warnings).
 */
public record SubtitleSet(List<SubtitleTrack> tracks, List<JobRecord.Warning> warnings) {
    public SubtitleSet {
        tracks = tracks == null ? List.of() : List.copyOf(tracks);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }
}
