package dev.fanout.encoder.plan;

import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.LadderRung;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.SourceInfo;
import dev.fanout.encoder.model.TestPlans;
import dev.fanout.encoder.plan.ThumbnailPlanner.Layout;
import dev.fanout.encoder.plan.ThumbnailPlanner.Tile;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThumbnailPlannerTest {
    static final Rational FPS30 = Rational.of(30, 1);

    @Test
    void intervalIsTheSmallestCandidateThatKeepsAtMost300Tiles() {
        assertEquals(1, ThumbnailPlanner.intervalSeconds(FPS30, 30 * 5));        // 5 s: 5 tiles
        assertEquals(1, ThumbnailPlanner.intervalSeconds(FPS30, 30 * 300));      // 5 min: 300 tiles
        assertEquals(2, ThumbnailPlanner.intervalSeconds(FPS30, 30 * 300 + 1));  // one frame more: 301 would be too many
        assertEquals(10, ThumbnailPlanner.intervalSeconds(FPS30, 30 * 50 * 60)); // 50 min
        assertEquals(30, ThumbnailPlanner.intervalSeconds(FPS30, 30 * 2 * 3600)); // 2 h: 240 tiles
        assertEquals(60, ThumbnailPlanner.intervalSeconds(FPS30, 30 * 4 * 3600)); // 4 h: 240 tiles
        assertEquals(72, ThumbnailPlanner.intervalSeconds(FPS30, 30 * 6 * 3600)); // beyond every candidate: duration / 300
        for (long frames : new long[]{1, 29, 30 * 301, 30000L * 60 * 97 / 1001, 30L * 6 * 3600}) {
            Rational fps = Rational.of(30000, 1001);
            int n = ThumbnailPlanner.intervalSeconds(fps, frames);
            assertTrue(Math.ceil(fps.secondsFor(frames).toDouble() / n) <= ThumbnailPlanner.MAX_TILES, frames + " frames at " + n + " s");
        }
    }

    @Test
    void layoutKeepsTheDisplayAspectAndSizesTheGridToTheTileBound() {
        Layout l = ThumbnailPlanner.layout(TestPlans.ntsc720()); // 900 frames at 29.97: 30.03 s
        assertEquals(1, l.intervalSeconds());
        assertEquals(31, l.maxTiles());
        assertEquals(160, l.tileWidth());
        assertEquals(90, l.tileHeight());
        assertEquals(10, l.columns());
        assertEquals(4, l.rows());
        assertEquals(1600, l.sheetWidth());
        assertEquals(360, l.sheetHeight());
        assertEquals(90, l.posterFrame(), "10% into the video");
        assertEquals(1280, l.posterWidth(), "the poster has the largest rendition's size");
        assertEquals(720, l.posterHeight());
        assertEquals(1, l.sheetsFor(31));

        assertEquals(284, ThumbnailPlanner.tileHeight(720, 1280), "portrait (a rotated phone video)");
        SourceInfo.Video dvd = new SourceInfo.Video("mpeg2video", 720, 480, 0, Rational.of(8, 9), FPS30, 1, "yuv420p", 0, "progressive", "bt709", true);
        assertEquals(120, ThumbnailPlanner.tileHeight(dvd.displayWidth(), dvd.displayHeight()), "non-square pixels: 720x480 at 8:9 shows 640x480");
        assertEquals(2, ThumbnailPlanner.tileHeight(10000, 10), "never below 2 pixels");
    }

    @Test
    void layoutOfAShortVideoHasOneRowAndOfALongOneFullSheets() {
        JobPlan shortPlan = planOf(FPS30, 30 * 5, 426, 240, 0);
        Layout s = ThumbnailPlanner.layout(shortPlan);
        assertEquals(5, s.maxTiles());
        assertEquals(5, s.columns());
        assertEquals(1, s.rows());
        JobPlan rotated = planOf(FPS30, 30 * 60 * 20, 1920, 1080, 90); // 20 min, shown portrait
        Layout r = ThumbnailPlanner.layout(rotated);
        assertEquals(5, r.intervalSeconds());
        assertEquals(240, r.maxTiles());
        assertEquals(10, r.columns());
        assertEquals(10, r.rows());
        assertEquals(3, r.sheetsFor(240));
        assertEquals(284, r.tileHeight(), "rotation applied to the tile");
    }

    @Test
    void tileIIsTheFrameOnScreenAtIIntervalsAndTheCuesCoverTheVideo() {
        Layout l = ThumbnailPlanner.layout(planOf(FPS30, 150, 426, 240, 0)); // 5 s, 5x1 grid
        assertEquals(List.of(
                new Tile(0, 1, 0, 0, 160, 90, 0, 0, 1000),
                new Tile(1, 1, 160, 0, 160, 90, 30, 1000, 2000),
                new Tile(2, 1, 320, 0, 160, 90, 60, 2000, 3000),
                new Tile(3, 1, 480, 0, 160, 90, 90, 3000, 4000),
                new Tile(4, 1, 640, 0, 160, 90, 120, 4000, 5000)), ThumbnailPlanner.tiles(l, FPS30, 150));
    }

    @Test
    void atNtscRatesATileIsTheFrameWhoseDisplayIntervalHoldsTheCueStart() {
        Rational ntsc = Rational.of(30000, 1001);
        Layout l = ThumbnailPlanner.layout(planOf(ntsc, 135, 426, 240, 0)); // 4.5045 s
        List<Tile> tiles = ThumbnailPlanner.tiles(l, ntsc, 135);
        // 2 s is 59.94 frames in: frame 59 (1.9686 s to 2.0020 s) is on screen, not frame 60
        assertEquals(List.of(0L, 29L, 59L, 89L, 119L), tiles.stream().map(Tile::frame).toList());
        assertEquals(4505, tiles.get(4).endMillis(), "the last cue ends with the video");
        // and at 2 h the arithmetic stays exact: 240 tiles of 30 s, the last at 7170 s = frame 214,885.1 → 214,885
        Layout film = ThumbnailPlanner.layout(planOf(ntsc, 215_784, 1920, 1080, 0));
        List<Tile> filmTiles = ThumbnailPlanner.tiles(film, ntsc, 215_784);
        assertEquals(240, filmTiles.size());
        assertEquals(214_885, filmTiles.get(239).frame());
    }

    @Test
    void tilesFillSheetsRowByRowAndMoveToTheNextSheet() {
        Layout l = ThumbnailPlanner.layout(planOf(FPS30, 30 * 250, 1280, 720, 0)); // 250 s, 1 s interval, 10x10 sheets
        List<Tile> tiles = ThumbnailPlanner.tiles(l, FPS30, 30 * 250);
        assertEquals(250, tiles.size());
        assertEquals(3, l.sheetsFor(tiles.size()));
        Tile t = tiles.get(123); // sheet 2, cell 23: row 2, column 3
        assertEquals(new Tile(123, 2, 480, 180, 160, 90, 123 * 30, 123_000, 124_000), t);
        assertEquals(3, tiles.get(249).sheet());
        for (int i = 1; i < tiles.size(); i++) assertEquals(tiles.get(i - 1).endMillis(), tiles.get(i).startMillis());
        assertEquals(250_000, tiles.get(249).endMillis());
    }

    @Test
    void aChunkMakesTheTilesAmongItsOwnFramesFromItsFirstToItsLast() {
        Layout l = ThumbnailPlanner.layout(planOf(FPS30, 300, 426, 240, 0)); // 10 s: tiles at 0, 30, …, 270
        List<Tile> all = ThumbnailPlanner.tiles(l, FPS30, 300);
        assertEquals(List.of(60L, 90L), ThumbnailPlanner.tilesIn(all, 60, 60).stream().map(Tile::frame).toList(), "its first frame, not the next chunk's");
        assertEquals(List.of(), ThumbnailPlanner.tilesIn(all, 91, 29));
        assertEquals(List.of(30L), ThumbnailPlanner.tilesIn(all, 1, 30).stream().map(Tile::frame).toList(), "its last frame");
    }

    static JobPlan planOf(Rational fps, long frames, int width, int height, int rotation) {
        JobPlan base = TestPlans.ntsc720();
        SourceInfo.Video v = new SourceInfo.Video("h264", width, height, rotation, Rational.of(1, 1), fps, frames, "yuv420p", 0, "progressive", "bt709", true);
        SourceInfo info = new SourceInfo("mov", 1, fps.secondsFor(frames).toDouble(), v, null);
        return new JobPlan(base.jobId(), base.source(), info, fps, frames, base.segmentFrames(), base.chunkFrames(), base.chunkCount(),
                base.segmentCount(), LadderPlanner.plan(v, LadderRung.parseList("720@3000,360@1000")), base.encode(), base.layout(), 0, 0, 0);
    }
}
