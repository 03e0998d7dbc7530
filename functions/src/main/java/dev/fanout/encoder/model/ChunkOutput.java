package dev.fanout.encoder.model;

import java.util.List;

/**
 * The record a chunk worker writes after all its segments are uploaded. {@code sourceBytesRead}:
 * what its video ffmpeg read of the source (from the keyframe before the chunk to its end, plus
 * the moov). {@code encodeSeconds} covers the video and the audio piece;
 * {@code videoSeconds} the video alone.
 *
 * @param audio the chunk's piece of the audio track (null when the source has none)
 */
public record ChunkOutput(int chunkIndex, long startFrame, int frameCount, double encodeSeconds,
                          double uploadSeconds, List<TrackOutput> renditions, long sourceBytesRead,
                          double videoSeconds, AudioPiece audio) {

    /** Audio piece k = chunk k: its segments in the joined track's numbering (docs/audio-pieces.md). */
    public record AudioPiece(double encodeSeconds, TrackOutput track, long sourceBytesRead) {}
}
