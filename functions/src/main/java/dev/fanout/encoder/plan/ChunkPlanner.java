package dev.fanout.encoder.plan;

import dev.fanout.encoder.model.ChunkSpec;
import dev.fanout.encoder.model.Rational;

import java.util.ArrayList;
import java.util.List;

/**
 * The frame grid: a segment is {@code segmentFrames} frames (and one GOP), a chunk is a whole
 * number of segments. Boundaries are frame numbers, so they are exact at any frame rate
 * (29.97 fps included); times are derived from them as exact fractions.
 */
public final class ChunkPlanner {
    private ChunkPlanner() {}

    /** Frames per segment: the target seconds rounded to whole frames (2 s at 30000/1001 → 60 frames). */
    public static int segmentFrames(Rational frameRate, double segmentSeconds) {
        return (int) Math.max(1, Math.round(segmentSeconds * frameRate.toDouble()));
    }

    /** Frames per chunk: the target chunk length rounded to whole segments, at least one. */
    public static int chunkFrames(int segmentFrames, Rational frameRate, double chunkSeconds) {
        double segSeconds = segmentFrames / frameRate.toDouble();
        long segments = Math.max(1, Math.round(chunkSeconds / segSeconds));
        return Math.toIntExact(segments * segmentFrames);
    }

    public static int chunkCount(long totalFrames, int chunkFrames) {
        return Math.toIntExact((totalFrames + chunkFrames - 1) / chunkFrames);
    }

    public static int segmentCount(long totalFrames, int segmentFrames) {
        return Math.toIntExact((totalFrames + segmentFrames - 1) / segmentFrames);
    }

    public static ChunkSpec chunk(int index, long totalFrames, int segmentFrames, int chunkFrames) {
        int count = chunkCount(totalFrames, chunkFrames);
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("chunk " + index + " is outside 0.." + (count - 1));
        }
        long start = (long) index * chunkFrames;
        int frames = (int) Math.min(chunkFrames, totalFrames - start);
        int segmentsPerChunk = chunkFrames / segmentFrames;
        return new ChunkSpec(index, start, frames, index * segmentsPerChunk + 1, (frames + segmentFrames - 1) / segmentFrames);
    }

    public static List<ChunkSpec> chunks(long totalFrames, int segmentFrames, int chunkFrames) {
        List<ChunkSpec> out = new ArrayList<>();
        for (int i = 0; i < chunkCount(totalFrames, chunkFrames); i++) out.add(chunk(i, totalFrames, segmentFrames, chunkFrames));
        return out;
    }
}
