package dev.fanout.encoder.plan;

import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.Rendition;
import dev.fanout.encoder.model.SourceInfo;

import java.util.ArrayList;
import java.util.List;

/**
 * Pure thumbnail layout: the poster frame, the tile interval, tile and sheet sizes, and — once the
 * keyframes that became tiles are known — each tile's place in its sprite sheet and its cue time.
 *
 * <p>Rule: the interval N is the smallest of {@link #INTERVALS} seconds that needs at most
 * {@link #MAX_TILES} tiles for the whole video (beyond that, duration / MAX_TILES rounded up). A
 * tile is a keyframe at least N seconds after the previous tile (the first keyframe is always one),
 * so a tile shows exactly the frame at the start of its cue, and there are never more than
 * ceil(duration / N) tiles. Sheets hold up to {@link #MAX_COLUMNS} × {@link #MAX_ROWS} tiles of
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
     * @param intervalSeconds minimum distance between two tiles
     * @param maxTiles        ceil(duration / interval): no more tiles than this can be selected
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
     * One tile: sheet number (from 1), its rectangle in the sheet, the source frame it shows and the
     * cue it stands for, [startMillis, endMillis) on the presentation timeline.
     */
    public record Tile(int sheet, int x, int y, int width, int height, long frame, long startMillis, long endMillis) {}

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
     * Places the selected keyframes in sheets and gives each its cue. The cues are contiguous and
     * cover [0, duration]: a cue starts at its tile's frame (the first at 0) and ends where the next
     * begins, the last at the end of the video.
     *
     * @param tileTimes          times of the selected frames on the decoder's clock, in order
     * @param videoStartSeconds  time of the video's first frame on that clock (0 on the presentation timeline)
     */
    public static List<Tile> tiles(Layout layout, List<Rational> tileTimes, double videoStartSeconds, Rational fps, long totalFrames) {
        if (tileTimes.isEmpty()) throw new IllegalArgumentException("no frame was selected for the thumbnails");
        if (tileTimes.size() > layout.maxTiles()) {
            throw new IllegalArgumentException(tileTimes.size() + " thumbnails selected, at most " + layout.maxTiles() + " expected");
        }
        long durationMillis = frameMillis(totalFrames, fps);
        long[] frames = new long[tileTimes.size()];
        long[] starts = new long[tileTimes.size()];
        for (int i = 0; i < frames.length; i++) {
            double presentation = tileTimes.get(i).toDouble() - videoStartSeconds;
            frames[i] = Math.max(0, Math.min(totalFrames - 1, Math.round(presentation * fps.toDouble())));
            starts[i] = i == 0 ? 0 : frameMillis(frames[i], fps);
            if (i > 0 && starts[i] <= starts[i - 1]) {
                throw new IllegalArgumentException("thumbnail times are not increasing: frame " + frames[i] + " at "
                        + starts[i] + " ms after " + starts[i - 1] + " ms");
            }
        }
        if (starts[starts.length - 1] >= durationMillis) {
            throw new IllegalArgumentException("a thumbnail starts at " + starts[starts.length - 1] + " ms, not before the end (" + durationMillis + " ms)");
        }
        List<Tile> out = new ArrayList<>();
        for (int i = 0; i < frames.length; i++) {
            int cell = i % layout.tilesPerSheet();
            int x = cell % layout.columns() * layout.tileWidth();
            int y = cell / layout.columns() * layout.tileHeight();
            long end = i + 1 < frames.length ? starts[i + 1] : durationMillis;
            out.add(new Tile(i / layout.tilesPerSheet() + 1, x, y, layout.tileWidth(), layout.tileHeight(), frames[i], starts[i], end));
        }
        return out;
    }

    /** Start of a frame on the presentation timeline, in milliseconds (rounded to nearest). */
    static long frameMillis(long frame, Rational fps) {
        return Math.round((double) frame * 1000.0 * fps.den() / fps.num());
    }

    private static long ceilDiv(long a, long b) { return -Math.floorDiv(-a, b); }
}
