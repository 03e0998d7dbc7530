package dev.fanout.encoder.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * What the thumbnail stage produced ({@code work/<jobId>/thumbnails.json}), copied by the package
 * stage into job.json as {@code thumbnails}. Keys are relative to the output bucket. A failed
 * thumbnail stage does not fail the job: then {@code status} is FAILED and {@code error} says why.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ThumbnailsOutput(String status, Poster poster, Sprites sprites, Double seconds, JobRecord.Failure error, Long sourceBytesRead) {

    /** @param seconds the poster frame's time on the presentation timeline */
    public record Poster(String key, int width, int height, double seconds) {}

    /**
     * @param track            the WebVTT track, one cue per tile
     * @param sheets           sprite sheet keys, in order
     * @param intervalSeconds  minimum distance between two tiles (see ThumbnailPlanner)
     * @param columns, rows    grid of every sheet
     */
    public record Sprites(String track, List<String> sheets, int tileCount, int intervalSeconds, int tileWidth, int tileHeight,
                          int columns, int rows) {}

    /** @param sourceBytesRead what the poster and sprite runs read of the source */
    public static ThumbnailsOutput succeeded(Poster poster, Sprites sprites, double seconds, long sourceBytesRead) {
        return new ThumbnailsOutput(JobRecord.SUCCEEDED, poster, sprites, seconds, null, sourceBytesRead);
    }

    public static ThumbnailsOutput failed(JobRecord.Failure error) {
        return new ThumbnailsOutput(JobRecord.FAILED, null, null, null, error, null);
    }
}
