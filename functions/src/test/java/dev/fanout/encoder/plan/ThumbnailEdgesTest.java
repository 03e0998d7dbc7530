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


}
