package dev.fanout.encoder.manifest;

import dev.fanout.encoder.plan.ThumbnailPlanner.Tile;

import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * The WebVTT thumbnail track: one cue per tile, its payload the sprite file (relative to the track)
 * with a media fragment naming the tile's rectangle, e.g. {@code sprite-001.jpg#xywh=160,0,160,90}.
 * Pure.
 */
public final class ThumbnailVtt {
    private ThumbnailVtt() {}

    /** @param spriteFile file name of sheet n (from 1), relative to the track */
    public static String render(List<Tile> tiles, IntFunction<String> spriteFile) {
        StringBuilder vtt = new StringBuilder("WEBVTT\n");
        for (Tile t : tiles) {
            vtt.append('\n').append(timestamp(t.startMillis())).append(" --> ").append(timestamp(t.endMillis())).append('\n')
                    .append(spriteFile.apply(t.sheet())).append("#xywh=")
                    .append(t.x()).append(',').append(t.y()).append(',').append(t.width()).append(',').append(t.height()).append('\n');
        }
        return vtt.toString();
    }

    /** WebVTT timestamp hh:mm:ss.ttt (hours always present, at least two digits). */
    static String timestamp(long millis) {
        return String.format(Locale.ROOT, "%02d:%02d:%02d.%03d", millis / 3_600_000, millis / 60_000 % 60, millis / 1000 % 60, millis % 1000);
    }
}
