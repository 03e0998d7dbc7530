package dev.fanout.encoder.plan;

import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.Rendition;
import dev.fanout.encoder.model.SourceInfo;

import java.util.ArrayList;
import java.util.List;

/**
 * Pure thumbnail layout: the poster frame, the tile interval, tile and sheet sizes, each tile's
 * frame, its place in its sprite sheet and its cue time.
 *
 * <p>Rule: the interval N is the smallest of {@link #INTERVALS} seconds that needs at most
 * {@link #MAX_TILES} tiles for the whole video (beyond that, duration / MAX_TILES rounded up). Tile
 * i's cue starts at i × N and the tile is the output frame on screen at that instant (made by the
 * chunk worker whose frames hold it, see {@link #tiles}), so there are ceil(duration / N) tiles. Sheets hold up to {@link #MAX_COLUMNS} × {@link #MAX_ROWS} tiles of
 * {@link #TILE_WIDTH} pixels wide, the height following the display aspect ratio.
 */
public final class ThumbnailPlanner {
    private ThumbnailPlanner() {}

    public static final int TILE_WIDTH = 160;
    public static final int MAX_COLUMNS = 10;
    public static final int MAX_ROWS = 10;
    public static final int MAX_TILES = 300;
    /** Candidate tile intervals in seconds, smallest first. */
    static final int[] INTERVALS = {1, 2, 5, 10, 15, 30, 60};
    /** The poster is the frame at this fraction of the duration: past black leaders and titles. */
    static final int POSTER_PERCENT = 10;

    /**
     * @param intervalSeconds distance between two tiles' cue starts
     * @param maxTiles        ceil(duration / interval): the number of tiles
     * @param columns, rows   grid of every sprite sheet (the last one may have empty cells)
     * @param posterFrame     frame number of the poster; {@code posterWidth}×{@code posterHeight} its size
     */
    public record Layout(int intervalSeconds, int maxTiles, int tileWidth, int tileHeight, int columns, int rows,
                         long posterFrame, int posterWidth, int posterHeight) {
        public int tilesPerSheet() { return columns * rows; }

        public int sheetWidth() { return columns * tileWidth; }

        public int sheetHeight() { return rows * tileHeight; }

        public int sheetsFor(int tiles) { return (tiles + tilesPerSheet() - 1) / tilesPerSheet(); }
    }

    /**
     * One tile: its number (from 0), sheet number (from 1), its rectangle in the sheet, the output
     * frame it shows and the cue it stands for, [startMillis, endMillis) on the presentation timeline.
     */
    public record Tile(int index, int sheet, int x, int y, int width, int height, long frame, long startMillis, long endMillis) {}

    public static Layout layout(JobPlan plan) {
        long frames = plan.totalFrames();
        Rational fps = plan.frameRate();
        int interval = intervalSeconds(fps, frames);
        int maxTiles = (int) ceilDiv(Math.multiplyExact(frames, fps.den()), Math.multiplyExact(fps.num(), (long) interval));
        SourceInfo.Video video = plan.sourceInfo().video();
        int tileHeight = tileHeight(video.displayWidth(), video.displayHeight());
        int columns = Math.min(MAX_COLUMNS, maxTiles);
        int rows = (int) Math.min(MAX_ROWS, ceilDiv(maxTiles, columns));
        Rendition largest = plan.renditions().get(0);
        return new Layout(interval, maxTiles, TILE_WIDTH, tileHeight, columns, rows, frames * POSTER_PERCENT / 100,
                largest.width(), largest.height());
    }

    /** The smallest candidate interval that keeps the tile count at or below {@link #MAX_TILES}. */
    static int intervalSeconds(Rational fps, long frames) {
        long numerator = Math.multiplyExact(frames, fps.den()); // duration = numerator / fps.num seconds
        for (int n : INTERVALS) {
            if (ceilDiv(numerator, Math.multiplyExact(fps.num(), (long) n)) <= MAX_TILES) return n;
        }
        return (int) ceilDiv(numerator, Math.multiplyExact(fps.num(), (long) MAX_TILES));
    }

    /** Tile height for {@link #TILE_WIDTH}, keeping the display aspect ratio; even, at least 2. */
    static int tileHeight(double displayWidth, double displayHeight) {
        return Math.max(2, (int) Math.round(TILE_WIDTH * displayHeight / displayWidth / 2.0) * 2);
    }

    /**
     * The tiles on a grid fixed by time: tile i's cue starts at i × interval and shows the frame on
     * screen at that instant on the output's constant-rate grid, floor(i × interval × fps) — the
     * frame whose display interval holds the cue's start, so it is what a player shows when it
     * seeks there (at 29.97 fps, rounding would show the next frame for cues just before it).
     * Cues are contiguous and cover [0, duration]: each ends where the next starts, the last at the
     * end of the video. There are exactly {@code layout.maxTiles()} = ceil(duration / interval).
     */
    public static List<Tile> tiles(Layout layout, Rational fps, long totalFrames) {
        long durationMillis = frameMillis(totalFrames, fps);
        List<Tile> out = new ArrayList<>();
        for (int i = 0; i < layout.maxTiles(); i++) {
            long frame = tileFrame(i, layout.intervalSeconds(), fps);
            if (frame >= totalFrames) throw new IllegalStateException("tile " + i + " at frame " + frame + " is past the video's " + totalFrames);
            int cell = i % layout.tilesPerSheet();
            int x = cell % layout.columns() * layout.tileWidth();
            int y = cell / layout.columns() * layout.tileHeight();
            long start = (long) i * layout.intervalSeconds() * 1000;
            long end = i + 1 < layout.maxTiles() ? (long) (i + 1) * layout.intervalSeconds() * 1000 : durationMillis;
            out.add(new Tile(i, i / layout.tilesPerSheet() + 1, x, y, layout.tileWidth(), layout.tileHeight(), frame, start, end));
        }
        return out;
    }

    /** floor(i × interval × fps), exactly. */
    static long tileFrame(int i, int intervalSeconds, Rational fps) {
        return Math.floorDiv(Math.multiplyExact((long) i * intervalSeconds, fps.num()), fps.den());
    }

    /** The tiles whose frames are in [startFrame, startFrame + frameCount): what one chunk worker makes. */
    public static List<Tile> tilesIn(List<Tile> tiles, long startFrame, int frameCount) {
        return tiles.stream().filter(t -> t.frame() >= startFrame && t.frame() < startFrame + frameCount).toList();
    }

    /** Start of a frame on the presentation timeline, in milliseconds (rounded to nearest). */
    static long frameMillis(long frame, Rational fps) {
        return Math.round((double) frame * 1000.0 * fps.den() / fps.num());
    }

    private static long ceilDiv(long a, long b) { return -Math.floorDiv(-a, b); }
}
