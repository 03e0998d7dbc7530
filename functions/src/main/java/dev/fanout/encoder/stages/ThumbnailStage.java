package dev.fanout.encoder.stages;

import dev.fanout.encoder.errors.EncodeFailedException;
import dev.fanout.encoder.manifest.ThumbnailVtt;
import dev.fanout.encoder.media.Ffmpeg;
import dev.fanout.encoder.media.FfmpegCommands;
import dev.fanout.encoder.media.FrameTimes;
import dev.fanout.encoder.media.ProcessRunner;
import dev.fanout.encoder.model.JobLayout;
import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.JobRecord;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.ThumbnailsOutput;
import dev.fanout.encoder.plan.PipelineConfig;
import dev.fanout.encoder.plan.ThumbnailPlanner;
import dev.fanout.encoder.source.SourceServer;
import dev.fanout.encoder.stages.Messages.ThumbnailsRequest;
import dev.fanout.encoder.stages.Messages.ThumbnailsResult;
import dev.fanout.encoder.storage.ObjectStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Beside the encode (a branch of the same Parallel state): a poster JPEG, sprite sheets of
 * keyframe tiles and a WebVTT track pointing into them, then {@code work/<jobId>/thumbnails.json}
 * for the package stage. Failures are named like the encoders' ({@code EncodeFailed.*},
 * {@code Transient.*}); the state machine catches them and calls this stage again with the error,
 * which is then recorded instead — a video that encoded fine is never failed by its thumbnails.
 */
public final class ThumbnailStage {
    private final ObjectStore store;
    private final PipelineConfig config;

    public ThumbnailStage(ObjectStore store, PipelineConfig config) {
        this.store = store;
        this.config = config;
    }

    public ThumbnailsResult run(ThumbnailsRequest request) {
        JobPlan plan = store.getJson(request.outputBucket(), request.planKey(), JobPlan.class);
        JobLayout layout = plan.layout();
        if (request.failedAttempt() != null) {
            JobRecord.Failure failure = RecordFailureStage.describe(request.failedAttempt().error(), request.failedAttempt().cause());
            store.putJson(layout.bucket(), layout.thumbnailsResultKey(), ThumbnailsOutput.failed(failure));
            FailedJobCleanup.deleteIfJobFailed(store, layout, List.of(layout.thumbnailsResultKey()));
            return new ThumbnailsResult(JobRecord.FAILED, 0, 0, 0);
        }
        long t0 = System.nanoTime();
        ThumbnailPlanner.Layout grid = ThumbnailPlanner.layout(plan);
        Path dir = Scratch.create(config.workDir(), "thumbnails-");
        try {
            Path poster = dir.resolve("poster.jpg");
            Path sheetsDir = Files.createDirectories(dir.resolve("sheets"));
            ProcessRunner.Result r;
            long sourceBytesRead;
            try (SourceServer source = SourceServer.start(store.client(), plan.source())) {
                Ffmpeg.runEncode("extracting the poster frame", FfmpegCommands.posterFrame(config.ffmpeg(), source.url(), plan, grid.posterFrame(),
                        grid.posterWidth(), grid.posterHeight(), poster), config.ffmpegTimeout(), source);
                requireFile(poster, "the poster frame (frame " + grid.posterFrame() + ") decoded to nothing");
                r = Ffmpeg.runEncode("making thumbnail sprites", FfmpegCommands.thumbnailSprites(config.ffmpeg(), source.url(),
                        plan.sourceInfo().video(), grid.intervalSeconds(), grid.tileWidth(), grid.tileHeight(), grid.columns(), grid.rows(), sheetsDir),
                        config.ffmpegTimeout(), source);
                sourceBytesRead = source.reads().bytesServed();
            }
            if (r.stdoutTruncated()) throw new EncodeFailedException("Thumbnails", "the list of thumbnail frames is longer than expected");
            List<ThumbnailPlanner.Tile> tiles;
            try {
                List<Rational> times = FrameTimes.fromFramecrc(r.stdout());
                tiles = ThumbnailPlanner.tiles(grid, times, plan.sourceInfo().video().startSeconds(), plan.frameRate(), plan.totalFrames());
            } catch (IllegalArgumentException e) {
                throw new EncodeFailedException("Thumbnails", e.getMessage());
            }
            int sheets = grid.sheetsFor(tiles.size());
            List<Path> sheetFiles = sheetFiles(sheetsDir);
            if (sheetFiles.size() != sheets) {
                throw new EncodeFailedException("Thumbnails", tiles.size() + " tiles should fill " + sheets + " sprite sheet(s), ffmpeg wrote " + sheetFiles.size());
            }
            String vtt = ThumbnailVtt.render(tiles, JobLayout::spriteFile);

            List<String> sheetKeys = new ArrayList<>();
            try (Uploader uploader = new Uploader(store, layout.bucket())) {
                uploader.submit(poster, layout.posterKey(), "image/jpeg");
                for (int n = 1; n <= sheets; n++) {
                    sheetKeys.add(layout.spriteKey(n));
                    uploader.submit(sheetFiles.get(n - 1), layout.spriteKey(n), "image/jpeg");
                }
            } // waits for every upload
            store.putText(layout.bucket(), layout.thumbnailTrackKey(), vtt, "text/vtt");

            double seconds = Math.round((System.nanoTime() - t0) / 1e6) / 1000.0;
            ThumbnailsOutput out = ThumbnailsOutput.succeeded(
                    new ThumbnailsOutput.Poster(layout.posterKey(), grid.posterWidth(), grid.posterHeight(),
                            plan.frameRate().secondsFor(grid.posterFrame()).toDouble()),
                    new ThumbnailsOutput.Sprites(layout.thumbnailTrackKey(), sheetKeys, tiles.size(), grid.intervalSeconds(),
                            grid.tileWidth(), grid.tileHeight(), grid.columns(), grid.rows()),
                    seconds, sourceBytesRead);
            store.putJson(layout.bucket(), layout.thumbnailsResultKey(), out);
            List<String> written = new ArrayList<>(sheetKeys);
            written.addAll(List.of(layout.posterKey(), layout.thumbnailTrackKey(), layout.thumbnailsResultKey()));
            FailedJobCleanup.deleteIfJobFailed(store, layout, written); // the encode may have failed the job meanwhile
            return new ThumbnailsResult(JobRecord.SUCCEEDED, tiles.size(), sheets, seconds);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            Scratch.delete(dir);
        }
    }

    private static void requireFile(Path file, String otherwise) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) == 0) throw new EncodeFailedException("Thumbnails", otherwise);
    }

    /** sprite-001.jpg, sprite-002.jpg, … in order. */
    private static List<Path> sheetFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("sprite-\\d{3}\\.jpg")).sorted().toList();
        }
    }
}
