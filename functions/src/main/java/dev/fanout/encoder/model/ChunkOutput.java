package dev.fanout.encoder.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * The record a chunk worker writes after all its segments are uploaded. {@code sourceBytesRead}:
 * what its ffmpeg read of the source (from the keyframe before the chunk to its end, plus the moov).
 * {@code tiles}: the thumbnail tiles among its frames, uploaded under {@code work/<jobId>/tiles/}
 * for Package to lay out in sheets (usually none, one or a few); {@code poster}: the poster, when
 * its frame is in this chunk, uploaded to its published key.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChunkOutput(int chunkIndex, long startFrame, int frameCount, double encodeSeconds,
                          double uploadSeconds, List<TrackOutput> renditions, long sourceBytesRead,
                          List<Still> tiles, Still poster) {

    public ChunkOutput(int chunkIndex, long startFrame, int frameCount, double encodeSeconds, double uploadSeconds,
                       List<TrackOutput> renditions, long sourceBytesRead) {
        this(chunkIndex, startFrame, frameCount, encodeSeconds, uploadSeconds, renditions, sourceBytesRead, List.of(), null);
    }

    public ChunkOutput {
        tiles = tiles == null ? List.of() : List.copyOf(tiles);
    }

    /**
     * One picture a worker took from its frames.
     *
     * @param index the tile's number (from 0; 0 for the poster)
     * @param frame its frame on the output's grid (from the video's first)
     * @param key   where it is in the output bucket
     */
    public record Still(int index, long frame, String key) {}
}
