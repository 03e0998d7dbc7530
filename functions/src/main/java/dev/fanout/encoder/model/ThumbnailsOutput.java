package dev.fanout.encoder.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * The thumbnails of a job, as job.json's {@code thumbnails}: the poster and tiles the chunk workers
 * took from their frames, laid out in sprite sheets by the package stage. Keys are relative to the
 * output bucket. Sheets that cannot be made do not fail the job: then {@code status} is FAILED,
 * {@code error} says why, and {@code poster} is there when the poster is.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ThumbnailsOutput(String status, Poster poster, Sprites sprites, Double seconds, JobRecord.Failure error, Long sourceBytesRead) {

    /** @param seconds the poster frame's time on the presentation timeline */
    public record Poster(String key, int width, int height, double seconds) {}

    /**
     * @param track            the WebVTT track, one cue per tile
     * @param sheets           sprite sheet keys, in order
     * @param intervalSeconds  distance between two tiles' cue starts (see ThumbnailPlanner)
     * @param columns, rows    grid of every sheet
     */
    public record Sprites(String track, List<String> sheets, int tileCount, int intervalSeconds, int tileWidth, int tileHeight,
                          int columns, int rows) {}

    /**
     * {@code seconds}: what laying out the sheets took in Package. Nothing is read of the source
     * for them ({@code sourceBytesRead} stays null: the tiles come with the chunk workers' reads).
     */
    public static ThumbnailsOutput succeeded(Poster poster, Sprites sprites, double seconds) {
        return new ThumbnailsOutput(JobRecord.SUCCEEDED, poster, sprites, seconds, null, null);
    }

    public static ThumbnailsOutput failed(JobRecord.Failure error) {
        return failed(error, null);
    }

    /** The sprites could not be made; the poster (a chunk's, independent of them) may still be there. */
    public static ThumbnailsOutput failed(JobRecord.Failure error, Poster poster) {
        return new ThumbnailsOutput(JobRecord.FAILED, poster, null, null, error, null);
    }
}
