package dev.fanout.encoder.stages;

import dev.fanout.encoder.errors.EncodeFailedException;
import dev.fanout.encoder.errors.PipelineException;
import dev.fanout.encoder.model.JobRecord;
import dev.fanout.encoder.media.Ffmpeg;
import dev.fanout.encoder.media.FfmpegCommands;
import dev.fanout.encoder.media.FragmentedMp4;
import dev.fanout.encoder.model.ChunkOutput;
import dev.fanout.encoder.model.ChunkSpec;
import dev.fanout.encoder.model.JobLayout;
import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.Rendition;
import dev.fanout.encoder.model.SegmentOutput;
import dev.fanout.encoder.model.TrackOutput;
import dev.fanout.encoder.plan.ChunkPlanner;
import dev.fanout.encoder.plan.ThumbnailPlanner;
import dev.fanout.encoder.plan.PipelineConfig;
import dev.fanout.encoder.source.SourceServer;
import dev.fanout.encoder.stages.Messages.EncodeChunkRequest;
import dev.fanout.encoder.stages.Messages.EncodeChunkResult;
import dev.fanout.encoder.storage.ObjectStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Stage 2 (fanned out): encode one chunk into every rendition with a single ffmpeg, check the
 * result against the frame grid, cut it into numbered DASH segments, upload them straight to
 * their final keys, and record what was uploaded. A retry encodes the chunk again and rewrites
 * the same keys, then the record: the record is written last, so it always describes the last
 * complete attempt. (An existing record is not taken as done: a retry only follows an attempt
 * that failed before or while writing it, so reuse would save almost nothing, and a record of an
 * earlier run may name segments that are gone.) After a failed job, its uploads are removed again
 * ({@link FailedJobCleanup}).
 */
public final class EncodeChunkStage {
    private final ObjectStore store;
    private final PipelineConfig config;

    public EncodeChunkStage(ObjectStore store, PipelineConfig config) {
        this.store = store;
        this.config = config;
    }

    public EncodeChunkResult run(EncodeChunkRequest request) {
        JobPlan plan = store.getJson(request.outputBucket(), request.planKey(), JobPlan.class);
        try {
            return encode(plan, request.chunkIndex());
        } catch (PipelineException e) {
            if (!e.retryable()) recordFailure(plan.layout(), request.chunkIndex(), e);
            throw e;
        }
    }

    /** Best effort: the job's failure record then names this error instead of "a Map item failed". */
    private void recordFailure(JobLayout layout, int index, PipelineException e) {
        try {
            store.putJson(layout.bucket(), layout.chunkFailureKey(index), new JobRecord.Failure(e.errorName(), "chunk " + index + ": " + e.detail()));
            // a worker failing after the job was already recorded FAILED leaves nothing behind either
            FailedJobCleanup.deleteIfJobFailed(store, layout, List.of(layout.chunkFailureKey(index)));
        } catch (RuntimeException ignored) {
            // the original error matters more
        }
    }

    private EncodeChunkResult encode(JobPlan plan, int chunkIndex) {
        JobLayout layout = plan.layout();
        ChunkSpec chunk = ChunkPlanner.chunk(chunkIndex, plan.totalFrames(), plan.segmentFrames(), plan.chunkFrames());
        ThumbnailPlanner.Layout grid = ThumbnailPlanner.layout(plan);
        List<ThumbnailPlanner.Tile> tiles = ThumbnailPlanner.tilesIn(ThumbnailPlanner.tiles(grid, plan.frameRate(), plan.totalFrames()),
                chunk.startFrame(), chunk.frameCount());
        boolean hasPoster = grid.posterFrame() >= chunk.startFrame() && grid.posterFrame() < chunk.startFrame() + chunk.frameCount();
        FfmpegCommands.Stills stills = new FfmpegCommands.Stills(tiles.stream().map(t -> (int) (t.frame() - chunk.startFrame())).toList(),
                grid.tileWidth(), grid.tileHeight(), hasPoster ? (int) (grid.posterFrame() - chunk.startFrame()) : -1,
                grid.posterWidth(), grid.posterHeight());
        Path dir = Scratch.create(config.workDir(), "chunk-" + chunk.index() + "-");
        try {
            long t0 = System.nanoTime();
            long sourceBytesRead;
            try (SourceServer source = SourceServer.start(store.client(), plan.source())) {
                Ffmpeg.runEncode("encoding chunk " + chunk.index() + " (frames " + chunk.startFrame() + "–"
                                + (chunk.startFrame() + chunk.frameCount() - 1) + ")",
                        FfmpegCommands.encodeChunk(config.ffmpeg(), source.url(), plan, chunk, dir, stills), config.ffmpegTimeout(), source);
                sourceBytesRead = source.reads().bytesServed();
            }
            double encodeSeconds = (System.nanoTime() - t0) / 1e9;

            long t1 = System.nanoTime();
            List<TrackOutput> tracks = new ArrayList<>();
            List<String> written = new ArrayList<>();
            List<ChunkOutput.Still> tileStills = new ArrayList<>();
            ChunkOutput.Still poster = null;
            try (Uploader uploader = new Uploader(store, layout.bucket())) {
                for (Rendition r : plan.renditions()) {
                    tracks.add(cutAndUpload(plan, chunk, r, dir, uploader, written));
                }
                for (int n = 0; n < tiles.size(); n++) {
                    ThumbnailPlanner.Tile t = tiles.get(n);
                    Path file = requireStill(FfmpegCommands.tileFile(dir, n + 1), chunk, "tile " + t.index() + " (frame " + t.frame() + ")");
                    uploader.submit(file, layout.tileKey(t.index()), "image/jpeg");
                    written.add(layout.tileKey(t.index()));
                    tileStills.add(new ChunkOutput.Still(t.index(), t.frame(), layout.tileKey(t.index())));
                }
                if (hasPoster) {
                    Path file = requireStill(FfmpegCommands.posterFile(dir), chunk, "the poster (frame " + grid.posterFrame() + ")");
                    uploader.submit(file, layout.posterKey(), "image/jpeg");
                    written.add(layout.posterKey());
                    poster = new ChunkOutput.Still(0, grid.posterFrame(), layout.posterKey());
                }
            } // waits for every upload
            double uploadSeconds = (System.nanoTime() - t1) / 1e9;
            ChunkOutput output = new ChunkOutput(chunk.index(), chunk.startFrame(), chunk.frameCount(), encodeSeconds, uploadSeconds, tracks,
                    sourceBytesRead, tileStills, poster);
            store.putJson(layout.bucket(), layout.chunkResultKey(chunk.index()), output);
            written.add(layout.chunkResultKey(chunk.index()));
            FailedJobCleanup.deleteIfJobFailed(store, layout, written);
            return new EncodeChunkResult(chunk.index(), chunk.frameCount(), chunk.segmentCount(), encodeSeconds);
        } finally {
            Scratch.delete(dir);
        }
    }

    /** A still ffmpeg was asked for must be there: every frame of the chunk was decoded (the renditions have them all). */
    private static Path requireStill(Path file, ChunkSpec chunk, String what) {
        try {
            if (Files.isRegularFile(file) && Files.size(file) > 0) return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new EncodeFailedException("Thumbnails", "chunk " + chunk.index() + ": ffmpeg wrote no picture for " + what);
    }

    private TrackOutput cutAndUpload(JobPlan plan, ChunkSpec chunk, Rendition r, Path dir, Uploader uploader, List<String> written) {
        Path file = FfmpegCommands.chunkOutput(dir, r);
        JobLayout layout = plan.layout();
        try {
            FragmentedMp4 mp4 = FragmentedMp4.read(file);
            List<FragmentedMp4.Fragment> fragments = mp4.fragments();
            String where = "chunk " + chunk.index() + " rendition " + r.id();
            int frames = fragments.stream().mapToInt(FragmentedMp4.Fragment::sampleCount).sum();
            if (frames != chunk.frameCount()) {
                throw new EncodeFailedException("FrameCountMismatch", where + " has " + frames + " frames; the plan says "
                        + chunk.frameCount() + " (the source has fewer decodable frames than its header claims?)");
            }
            if (fragments.size() != chunk.segmentCount()) {
                throw new EncodeFailedException("SegmentCountMismatch", where + " produced " + fragments.size()
                        + " fragments; the plan says " + chunk.segmentCount());
            }
            Path init = dir.resolve(r.id() + "-init.mp4");
            dev.fanout.encoder.media.SegmentFiles.writeInit(file, mp4, init);
            String initSha = Scratch.sha256(init);
            if (chunk.index() == 0) {
                uploader.submit(init, layout.videoInitKey(r.id()), "video/mp4");
                written.add(layout.videoInitKey(r.id()));
            }

            List<SegmentOutput> segments = new ArrayList<>();
            for (int i = 0; i < fragments.size(); i++) {
                FragmentedMp4.Fragment f = fragments.get(i);
                int number = chunk.firstSegmentNumber() + i;
                long expectedStart = plan.frameRate().secondsFor((long) (number - 1) * plan.segmentFrames()).toTicks(mp4.timescale());
                long start = f.earliestCompositionTime() - mp4.editMediaTime();
                if (start != expectedStart) {
                    throw new EncodeFailedException("TimestampMismatch", where + " segment " + number + " starts at "
                            + start + "/" + mp4.timescale() + " s; the frame grid says " + expectedStart + "/" + mp4.timescale());
                }
                Path seg = dir.resolve(r.id() + "-" + number + ".m4s");
                dev.fanout.encoder.media.SegmentFiles.writeSegment(file, f, seg);
                segments.add(new SegmentOutput(number, start, f.duration(), f.sampleCount(), Files.size(seg)));
                uploader.submit(seg, layout.videoSegmentKey(r.id(), number), "video/iso.segment");
                written.add(layout.videoSegmentKey(r.id(), number));
            }
            return new TrackOutput(r.id(), initSha, mp4.codecs(), mp4.width(), mp4.height(), 0, 0, mp4.timescale(), segments);
        } catch (FragmentedMp4.MalformedMp4Exception e) {
            throw new EncodeFailedException("BadEncoderOutput", "chunk " + chunk.index() + " rendition " + r.id() + ": " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
