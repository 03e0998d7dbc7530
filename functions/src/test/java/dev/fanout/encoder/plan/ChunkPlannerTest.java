package dev.fanout.encoder.plan;

import dev.fanout.encoder.model.ChunkSpec;
import dev.fanout.encoder.model.Rational;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ChunkPlannerTest {
    @Test
    void segmentsAreWholeFramesAndChunksWholeSegments() {
        assertEquals(60, ChunkPlanner.segmentFrames(Rational.of(30000, 1001), 2));
        assertEquals(48, ChunkPlanner.segmentFrames(Rational.of(24000, 1001), 2));
        assertEquals(50, ChunkPlanner.segmentFrames(Rational.of(25, 1), 2));
        assertEquals(300, ChunkPlanner.chunkFrames(60, Rational.of(30000, 1001), 10));
        assertEquals(60, ChunkPlanner.chunkFrames(60, Rational.of(30, 1), 0.5), "at least one segment per chunk");
    }

    @Test
    void chunksCoverEveryFrameOnceWithGlobalSegmentNumbers() {
        List<ChunkSpec> chunks = ChunkPlanner.chunks(330, 60, 120);
        assertEquals(3, chunks.size());
        assertEquals(new ChunkSpec(0, 0, 120, 1, 2), chunks.get(0));
        assertEquals(new ChunkSpec(1, 120, 120, 3, 2), chunks.get(1));
        assertEquals(new ChunkSpec(2, 240, 90, 5, 2), chunks.get(2), "last chunk: 90 frames = one full and one half segment");
        assertEquals(330, chunks.stream().mapToInt(ChunkSpec::frameCount).sum());
        assertEquals(6, ChunkPlanner.segmentCount(330, 60));
        assertThrows(IllegalArgumentException.class, () -> ChunkPlanner.chunk(3, 330, 60, 120));
    }

    @Test
    void aSourceShorterThanOneSegmentIsOneChunk() {
        assertEquals(List.of(new ChunkSpec(0, 0, 45, 1, 1)), ChunkPlanner.chunks(45, 60, 300));
    }
}
