package dev.fanout.encoder.plan;

import dev.fanout.encoder.model.ChunkSpec;
import dev.fanout.encoder.model.LadderRung;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.Rendition;
import dev.fanout.encoder.model.SourceInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The frame grid and the ladder at their edges: exact multiples, one past, orders and half pixels. */
class FrameGridBoundariesTest {
    @Test
    void aSourceOfExactlyNChunksOrSegmentsHasNoEmptyOneAfterThem() {
        assertEquals(3, ChunkPlanner.chunkCount(900, 300));
        assertEquals(4, ChunkPlanner.chunkCount(901, 300), "one frame more needs a chunk of its own");
        assertEquals(3, ChunkPlanner.chunkCount(899, 300));
        assertEquals(1, ChunkPlanner.chunkCount(1, 300));
        assertEquals(15, ChunkPlanner.segmentCount(900, 60));
        assertEquals(16, ChunkPlanner.segmentCount(901, 60));
        assertEquals(15, ChunkPlanner.segmentCount(899, 60));

        List<ChunkSpec> chunks = ChunkPlanner.chunks(900, 60, 300);
        assertEquals(3, chunks.size());
        assertEquals(new ChunkSpec(2, 600, 300, 11, 5), chunks.get(2), "the last chunk is a full one");
        assertEquals(new ChunkSpec(3, 900, 1, 16, 1), ChunkPlanner.chunk(3, 901, 60, 300), "the frame past them is a one-frame chunk");
    }

    @Test
    void aChunkOutsideThePlanIsRefusedWithTheRange() {
        var e = assertThrows(IllegalArgumentException.class, () -> ChunkPlanner.chunk(3, 900, 60, 300));
        assertEquals("chunk 3 is outside 0..2", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ChunkPlanner.chunk(-1, 900, 60, 300));
    }

    @Test
    void aNegativeDenominatorMovesItsSignToTheNumerator() {
        assertEquals(new Rational(-1, 2), Rational.of(3, -6));
        assertEquals(-1, Rational.of(3, -6).num());
        assertEquals(2, Rational.of(3, -6).den());
        assertEquals(Rational.of(1, 2), Rational.of(-3, -6));
        assertEquals(false, Rational.of(1, -30).isPositive());
        assertEquals("-1/30", Rational.of(1, -30).toString());
    }

    static SourceInfo.Video video(int w, int h, int rotation, Rational sar) {
        return new SourceInfo.Video("h264", w, h, rotation, sar, Rational.of(30, 1), 300, "yuv420p", 0, "progressive", "bt709", true);
    }

    @Test
    void theDisplaySizeAppliesPixelAspectThenRotation() {
        SourceInfo.Video ntscWide = video(720, 480, 0, Rational.of(32, 27));
        assertEquals(853.33, ntscWide.displayWidth(), 0.01);
        assertEquals(480, ntscWide.displayHeight());
        SourceInfo.Video turned = video(720, 480, 90, Rational.of(32, 27));
        assertEquals(480, turned.displayWidth());
        assertEquals(853.33, turned.displayHeight(), 0.01);
        SourceInfo.Video upsideDown = video(1920, 1080, 180, Rational.of(1, 1));
        assertEquals(1920, upsideDown.displayWidth(), "half a turn keeps landscape landscape");
        assertEquals(1080, upsideDown.displayHeight());
        SourceInfo.Video threeQuarters = video(1920, 1080, 270, Rational.of(1, 1));
        assertEquals(1080, threeQuarters.displayWidth());
        assertEquals(1920, threeQuarters.displayHeight());
    }

    @Test
    void theLadderIsPlannedLargestFirstWhateverOrderItIsConfiguredIn() {
        List<Rendition> rs = LadderPlanner.plan(video(1280, 720, 0, Rational.of(1, 1)), LadderRung.parseList("360@1000,720@3500,480@1800"));
        assertEquals(List.of("720p", "480p", "360p"), rs.stream().map(Rendition::id).toList());
        // a source below every rung gets the cap of the smallest rung, wherever it is listed
        List<Rendition> tiny = LadderPlanner.plan(video(320, 180, 0, Rational.of(1, 1)), LadderRung.parseList("360@1000,240@400,720@3500"));
        assertEquals(List.of("180p"), tiny.stream().map(Rendition::id).toList());
        assertEquals(400, tiny.get(0).maxrateKbps());
    }

    @Test
    void everyRenditionBuffersTwoSecondsAtItsCap() {
        for (Rendition r : LadderPlanner.plan(video(1920, 1080, 0, Rational.of(1, 1)), LadderRung.parseList(LadderRung.DEFAULT_LADDER))) {
            assertEquals(2 * r.maxrateKbps(), r.bufsizeKbps(), r.id());
        }
        assertEquals(7000, LadderPlanner.plan(video(1280, 720, 0, Rational.of(1, 1)), List.of(new LadderRung(720, 3500))).get(0).bufsizeKbps());
    }

    @Test
    void aRungHalfAPixelAboveTheSourceIsNotAnUpscale() {
        // 1439x1080 with 1:2 pixels shows 719.5 wide: its short side
        SourceInfo.Video v = video(1439, 1080, 0, Rational.of(1, 2));
        assertEquals(719.5, v.displayWidth());
        List<Rendition> rs = LadderPlanner.plan(v, LadderRung.parseList("720@3500,360@1000"));
        assertEquals("720p", rs.get(0).id(), "719.5 rounds to 720");
        SourceInfo.Video narrower = video(1437, 1080, 0, Rational.of(1, 2));
        assertEquals("360p", LadderPlanner.plan(narrower, LadderRung.parseList("720@3500,360@1000")).get(0).id(), "718.5 is an upscale to 720");
    }

    @Test
    void ladderRungsAreBoundedAtTheirLimitsInclusive() {
        assertEquals(List.of(new LadderRung(2, 1)), LadderRung.parseList("2@1"));
        assertEquals(List.of(new LadderRung(4320, 80000)), LadderRung.parseList("4320@80000"));
        for (String bad : List.of("1@1000", "4321@1000", "720@0", "720@-5")) {
            var e = assertThrows(IllegalArgumentException.class, () -> LadderRung.parseList(bad), bad);
            assertTrue(e.getMessage().contains("is out of range"), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> LadderRung.parseList("720:3500"));
        assertTrue(e.getMessage().contains("must look like 720@3500"), e.getMessage());
    }
}
