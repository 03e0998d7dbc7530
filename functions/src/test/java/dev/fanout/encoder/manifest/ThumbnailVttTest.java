package dev.fanout.encoder.manifest;

import dev.fanout.encoder.model.JobLayout;
import dev.fanout.encoder.plan.ThumbnailPlanner.Tile;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ThumbnailVttTest {
    @Test
    void oneCuePerTileWithItsSpriteRectangle() {
        String vtt = ThumbnailVtt.render(List.of(
                new Tile(0, 1, 0, 0, 160, 90, 0, 0, 1233),
                new Tile(1, 1, 160, 0, 160, 90, 37, 1233, 2000),
                new Tile(2, 2, 0, 90, 160, 90, 60, 2000, 3_723_004)), JobLayout::spriteFile);
        assertEquals("""
                WEBVTT

                00:00:00.000 --> 00:00:01.233
                sprite-001.jpg#xywh=0,0,160,90

                00:00:01.233 --> 00:00:02.000
                sprite-001.jpg#xywh=160,0,160,90

                00:00:02.000 --> 01:02:03.004
                sprite-002.jpg#xywh=0,90,160,90
                """, vtt);
    }

    @Test
    void timestampsAlwaysHaveHours() {
        assertEquals("00:00:00.000", ThumbnailVtt.timestamp(0));
        assertEquals("00:00:59.999", ThumbnailVtt.timestamp(59_999));
        assertEquals("04:00:00.000", ThumbnailVtt.timestamp(4 * 3_600_000));
        assertEquals("123:00:00.001", ThumbnailVtt.timestamp(123L * 3_600_000 + 1));
    }
}
