package dev.fanout.encoder.plan;

import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.plan.ThumbnailPlanner.Layout;
import dev.fanout.encoder.plan.ThumbnailPlanner.Tile;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sheets that are exactly full, cue times at 29.97 fps, and tile times past the end. */
class ThumbnailEdgesTest {
    static final Rational NTSC = Rational.of(30000, 1001);

    static Layout layout(int maxTiles, int columns, int rows) {
        return new Layout(1, maxTiles, 160, 90, columns, rows, 0, 1280, 720);
    }

    @Test
    void exactlyFullSheetsNeedNoExtraSheet() {
        Layout l = layout(300, 10, 10);
        assertEquals(1, l.sheetsFor(100));
        assertEquals(2, l.sheetsFor(101));
        assertEquals(3, l.sheetsFor(300));
        assertEquals(1, l.sheetsFor(1));
    }

    @Test
    void cueTimesAreFrameStartsAt2997FramesASecond() {
        assertEquals(1001, ThumbnailPlanner.frameMillis(30, NTSC), "frame 30 starts at 1.001 s");
        assertEquals(33, ThumbnailPlanner.frameMillis(1, NTSC), "33.37 ms rounds to 33");
        assertEquals(30030, ThumbnailPlanner.frameMillis(900, NTSC));
    }

    @Test
    void aTileTimePastTheLastFrameShowsTheLastFrame() {
        Layout l = layout(3, 3, 1);
        List<Tile> tiles = ThumbnailPlanner.tiles(l, List.of(Rational.of(0, 1), Rational.of(1, 1), Rational.of(2, 1)), 0, Rational.of(30, 1), 90);
        assertEquals(List.of(0L, 30L, 60L), tiles.stream().map(Tile::frame).toList());
        assertEquals(3000, tiles.get(2).endMillis(), "the last cue ends at the end of the video");
        // the decoder's clock can put a keyframe past the last frame of the stream's own count:
        // 2.9 s is frame 87 of an 80-frame video, so the tile shows frame 79, the last
        List<Tile> clamped = ThumbnailPlanner.tiles(l, List.of(Rational.of(0, 1), Rational.of(29, 10)), 0, Rational.of(30, 1), 80);
        assertEquals(79L, clamped.get(1).frame());
        assertEquals(2633, clamped.get(1).startMillis(), "frame 79 starts at 2.633 s");
        assertEquals(105L, ThumbnailPlanner.tiles(l, List.of(Rational.of(0, 1), Rational.of(7, 2)), 0, Rational.of(30, 1), 120).get(1).frame(),
                "inside the video: 3.5 s is frame 105");
    }

    @Test
    void twoTilesOnOneFrameAreRefused() {
        // a 1-frame video: 1 s is past its end, so the second tile would show frame 0 again
        Layout l = layout(3, 3, 1);
        var e = assertThrows(IllegalArgumentException.class,
                () -> ThumbnailPlanner.tiles(l, List.of(Rational.of(0, 1), Rational.of(1, 1)), 0, Rational.of(30, 1), 1));
        assertTrue(e.getMessage().contains("not increasing"), e.getMessage());
    }
}
