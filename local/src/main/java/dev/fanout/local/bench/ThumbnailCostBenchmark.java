package dev.fanout.local.bench;

import dev.fanout.encoder.media.FfmpegCommands;
import dev.fanout.encoder.media.ProcessRunner;
import dev.fanout.encoder.model.ChunkSpec;
import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.plan.ChunkPlanner;
import dev.fanout.encoder.plan.ThumbnailPlanner;
import dev.fanout.encoder.source.SourceServer;
import dev.fanout.local.LayerBinaries;
import dev.fanout.local.LocalS3;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the thumbnail tiles cost a chunk: the same chunk's video ffmpeg run (the one command that
 * also writes the tiles and the poster, via one more {@code split} branch) with its stills and
 * without, repeated and alternated, each run's CPU seconds from the kernel's accounting of the
 * waited-for child (exact, whatever else runs on the machine). The plan comes from a real run of
 * the pipeline on the source.
 *
 * <pre>java -cp local/target/fanout-local.jar dev.fanout.local.bench.ThumbnailCostBenchmark SOURCE [--ladder 360@1000] [--chunk 1] [--repeats 5] [--out DIR]</pre>
 */
public final class ThumbnailCostBenchmark {
    public static void main(String[] args) throws Exception {
        Path source = Path.of(args[0]);
        String ladder = "360@1000";
        int chunkIndex = 1, repeats = 5;
        Path out = Path.of("bench-out/thumbnail-cost");
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--ladder" -> ladder = args[++i];
                case "--chunk" -> chunkIndex = Integer.parseInt(args[++i]);
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        LayerBinaries bin = LayerBinaries.locate();
        ChunkingBenchmark.deleteTree(out);
        Files.createDirectories(out);
        try (LocalS3 s3 = LocalS3.start(out.resolve("s3"))) {
            s3.createBucket("input");
            s3.createBucket("output");
            JobPlan[] plan = new JobPlan[1];
            ScaleBenchmark.runPipeline(bin, s3, s3.objectStore(), source, 0,
                    Map.of("LADDER", ladder), 2, out, plan);
            JobPlan p = plan[0];
            ChunkSpec chunk = ChunkPlanner.chunk(chunkIndex, p.totalFrames(), p.segmentFrames(), p.chunkFrames());
            FfmpegCommands.Stills withStills = stills(p, chunk);
            List<Double> with = new ArrayList<>(), without = new ArrayList<>();
            for (int r = 0; r < repeats; r++) {
                // alternated, so a drift of the machine (thermal, caches, neighbours) touches both alike
                with.add(cpuOf(bin, s3, p, chunk, withStills, out.resolve("with-" + r)));
                without.add(cpuOf(bin, s3, p, chunk, FfmpegCommands.Stills.NONE, out.resolve("without-" + r)));
            }
            System.out.printf(Locale.ROOT, "chunk %d (%d frames, ladder %s), %d tiles%s, %d repeats%n", chunkIndex, chunk.frameCount(), ladder,
                    withStills.tileFrames().size(), withStills.posterFrame() >= 0 ? " and the poster" : "", repeats);
            System.out.println("with stills    CPU s: " + summary(with));
            System.out.println("without stills CPU s: " + summary(without));
            double dm = mean(with) - mean(without);
            System.out.printf(Locale.ROOT, "difference of the means: %+.3f CPU s (%+.1f%%)%n", dm, 100 * dm / mean(without));
        }
    }

    /** The chunk's stills exactly as EncodeChunkStage.encode asks for them. */
    static FfmpegCommands.Stills stills(JobPlan plan, ChunkSpec chunk) {
        ThumbnailPlanner.Layout grid = ThumbnailPlanner.layout(plan);
        List<ThumbnailPlanner.Tile> tiles = ThumbnailPlanner.tilesIn(ThumbnailPlanner.tiles(grid, plan.frameRate(), plan.totalFrames()),
                chunk.startFrame(), chunk.frameCount());
        boolean hasPoster = grid.posterFrame() >= chunk.startFrame() && grid.posterFrame() < chunk.startFrame() + chunk.frameCount();
        return new FfmpegCommands.Stills(tiles.stream().map(t -> (int) (t.frame() - chunk.startFrame())).toList(),
                grid.tileWidth(), grid.tileHeight(), hasPoster ? (int) (grid.posterFrame() - chunk.startFrame()) : -1,
                grid.posterWidth(), grid.posterHeight());
    }

    private static double cpuOf(LayerBinaries bin, LocalS3 s3, JobPlan plan, ChunkSpec chunk, FfmpegCommands.Stills stills, Path dir)
            throws Exception {
        Files.createDirectories(dir);
        try (SourceServer server = SourceServer.start(s3.objectStore().client(), plan.source())) {
            double before = ChildProcessMeter.childCpuSeconds();
            ProcessRunner.Result r = ProcessRunner.run(FfmpegCommands.encodeChunk(bin.ffmpeg(), server.url(), plan, chunk, dir, stills),
                    Duration.ofMinutes(30), 4096);
            if (!r.ok()) throw new IllegalStateException("chunk encode failed: " + r.stderrSummary(5));
            return ChildProcessMeter.childCpuSeconds() - before;
        } finally {
            ChunkingBenchmark.deleteTree(dir);
        }
    }

    private static double mean(List<Double> xs) { return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN); }

    private static String summary(List<Double> xs) {
        return String.format(Locale.ROOT, "mean %.3f, min %.3f, max %.3f, each %s", mean(xs), xs.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                xs.stream().mapToDouble(Double::doubleValue).max().orElse(0), xs.stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).toList());
    }
}
