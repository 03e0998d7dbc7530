package dev.fanout.encoder.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * The record a chunk worker writes after all its segments are uploaded. {@code sourceBytesRead}:
 * what its video ffmpeg read of the source (from the keyframe before the chunk to its end, plus
 * the moov). {@code encodeSeconds} covers the video and the audio piece;
 * {@code videoSeconds} the video alone. {@code tiles}: the thumbnail tiles among its frames,
 * uploaded under {@code work/<jobId>/tiles/} for Package to lay out in sheets (usually none, one
 * or a few); {@code poster}: the poster, when its frame is in this chunk, uploaded to its
 * published key.
 *
 * @param audio the chunk's piece of the audio tracks (null when the source has none)
 * @param invocationSeconds the whole invocation up to this record: plan read, encodes, uploads
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChunkOutput(int chunkIndex, long startFrame, int frameCount, double encodeSeconds,
                          double uploadSeconds, List<TrackOutput> renditions, long sourceBytesRead,
                          double videoSeconds, AudioPiece audio, List<Still> tiles, Still poster,
                          double invocationSeconds) {

    /** A chunk that took no still (no tile or poster frame among its frames). */
    public ChunkOutput(int chunkIndex, long startFrame, int frameCount, double encodeSeconds, double uploadSeconds,
                       List<TrackOutput> renditions, long sourceBytesRead, double videoSeconds, AudioPiece audio) {
        this(chunkIndex, startFrame, frameCount, encodeSeconds, uploadSeconds, renditions, sourceBytesRead, videoSeconds, audio, List.of(), null, 0);
    }

    public ChunkOutput {
        tiles = tiles == null ? List.of() : List.copyOf(tiles);
    }

    /**
     * Audio piece k = chunk k of every audio track, made by one encode: each track's segments in
     * its joined track's numbering (docs/audio-pieces.md).
     *
     * @param track       the first audio rendition's piece ({@code trackId} "audio")
     * @param otherTracks the other renditions' pieces, in rendition order (plan/AudioRenditions)
     */
    public record AudioPiece(double encodeSeconds, TrackOutput track, long sourceBytesRead, List<TrackOutput> otherTracks) {

        /** A source with one audio track. */
        public AudioPiece(double encodeSeconds, TrackOutput track, long sourceBytesRead) {
            this(encodeSeconds, track, sourceBytesRead, List.of());
        }

        public AudioPiece {
            otherTracks = otherTracks == null ? List.of() : List.copyOf(otherTracks);
        }

        /** Every rendition's piece, in rendition order. */
        public List<TrackOutput> tracks() {
            List<TrackOutput> all = new java.util.ArrayList<>(List.of(track));
            all.addAll(otherTracks);
            return all;
        }
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
