package dev.fanout.encoder.stages;

import dev.fanout.encoder.model.SegmentOutput;
import dev.fanout.encoder.plan.ThumbnailPlanner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import dev.fanout.encoder.errors.EncodeFailedException;
import dev.fanout.encoder.errors.PipelineException;
import dev.fanout.encoder.model.JobRecord;
import dev.fanout.encoder.media.AudioPieceEncoder;
import dev.fanout.encoder.media.Ffmpeg;
import dev.fanout.encoder.media.FfmpegCommands;
import dev.fanout.encoder.media.FragmentedMp4;
import dev.fanout.encoder.media.TrackSegmenter;
import dev.fanout.encoder.model.ChunkOutput;
import dev.fanout.encoder.model.ChunkSpec;
import dev.fanout.encoder.model.JobLayout;
import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.Rendition;
import dev.fanout.encoder.model.TrackOutput;
import dev.fanout.encoder.plan.AudioPieces;
import dev.fanout.encoder.plan.AudioRenditions;
import dev.fanout.encoder.plan.ChunkPlanner;
import dev.fanout.encoder.plan.PipelineConfig;
import dev.fanout.encoder.source.SourceServer;
import dev.fanout.encoder.runtime.Invocation;
import dev.fanout.encoder.stages.Messages.EncodeChunkRequest;
import dev.fanout.encoder.stages.Messages.EncodeChunkResult;
import dev.fanout.encoder.storage.ObjectStore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Stage 2 (fanned out): encode one chunk into every rendition with a single ffmpeg, then the
 * chunk's piece of the audio track ({@link AudioPieceEncoder}, when the source has audio), check
 * every track against the plan, cut it into numbered DASH segments ({@link TrackSegmenter}),
 * upload them straight to their final keys, and record what was uploaded. A retry encodes the chunk again and rewrites
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
        long started = System.nanoTime();
        JobPlan plan = store.getJson(request.outputBucket(), request.planKey(), JobPlan.class);
        try {
            return encode(plan, request.chunkIndex(), started);
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

    private EncodeChunkResult encode(JobPlan plan, int chunkIndex, long started) {
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
            long videoBytesRead;
            long audioBytesRead = 0;
            List<AudioPieceEncoder.EncodedPiece> audio = List.of();
            List<AudioRenditions.AudioRendition> audioRenditions = AudioRenditions.of(plan.sourceInfo());
            double videoSeconds;
            try (SourceServer source = SourceServer.start(store.client(), plan.source())) {
                Ffmpeg.runEncode("encoding chunk " + chunk.index() + " (frames " + chunk.startFrame() + "–"
                                + (chunk.startFrame() + chunk.frameCount() - 1) + ")",
                        FfmpegCommands.encodeChunk(config.ffmpeg(), source.url(), plan, chunk, dir, stills), config.ffmpegTimeout(), source);
                videoSeconds = (System.nanoTime() - t0) / 1e9;
                videoBytesRead = source.reads().bytesServed();
                // this chunk's slice of every audio track, through the same server: piece k is chunk k's
                // (docs/audio-pieces.md: ~0.14 CPU s a piece and track, cheaper than an invocation of its own)
                if (!audioRenditions.isEmpty()) {
                    audio = AudioPieceEncoder.encodeAll(config.ffmpeg(), config.ffmpegTimeout(), source, plan, AudioPieces.of(plan),
                            chunk.index(), audioRenditions, dir);
                    audioBytesRead = source.reads().bytesServed() - videoBytesRead;
                }
            }
            double encodeSeconds = (System.nanoTime() - t0) / 1e9;

            long t1 = System.nanoTime();
            List<TrackOutput> tracks = new ArrayList<>();
            List<TrackOutput> audioTracks = new ArrayList<>();
            List<String> written = new ArrayList<>();
            boolean firstChunk = chunk.index() == 0;
            List<ChunkOutput.Still> tileStills = new ArrayList<>();
            ChunkOutput.Still poster = null;
            try (Uploader uploader = new Uploader(store, layout.bucket())) {
                for (Rendition r : plan.renditions()) {
                    TrackSegmenter.Cut cut = TrackSegmenter.cut(FfmpegCommands.chunkOutput(dir, r), r.id(), videoRules(plan, chunk, r), dir, r.id());
                    tracks.add(uploader.submitTrack(cut, firstChunk, layout.videoInitKey(r.id()), n -> layout.videoSegmentKey(r.id(), n), "video", written));
                }
                for (int i = 0; i < audio.size(); i++) {
                    AudioPieceEncoder.EncodedPiece piece = audio.get(i);
                    String id = audioRenditions.get(i).id();
                    TrackSegmenter.Cut cut = new TrackSegmenter.Cut(piece.init(), piece.track(), piece.segmentFiles());
                    audioTracks.add(uploader.submitTrack(cut, firstChunk, layout.audioInitKey(id), n -> layout.audioSegmentKey(id, n), "audio", written));
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
            ChunkOutput.AudioPiece audioPiece = audio.isEmpty() ? null
                    : new ChunkOutput.AudioPiece(round(audio.get(0).encodeSeconds()), audioTracks.get(0), audioBytesRead,
                            audioTracks.subList(1, audioTracks.size()));
            ChunkOutput output = new ChunkOutput(chunk.index(), chunk.startFrame(), chunk.frameCount(), encodeSeconds, uploadSeconds, tracks,
                    videoBytesRead, round(videoSeconds), audioPiece, tileStills, poster,
                    round(Invocation.current().elapsedSeconds(started)));
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

    /** A video rendition of a chunk: every frame of the chunk, one segment per GOP, each on the frame grid. */
    static TrackSegmenter.Rules videoRules(JobPlan plan, ChunkSpec chunk, Rendition r) {
        return new TrackSegmenter.Rules() {
            @Override public String where() { return "chunk " + chunk.index() + " rendition " + r.id(); }
            @Override public void check(FragmentedMp4 mp4) {
                int frames = mp4.fragments().stream().mapToInt(FragmentedMp4.Fragment::sampleCount).sum();
                if (frames != chunk.frameCount()) {
                    throw new EncodeFailedException("FrameCountMismatch", where() + " has " + frames + " frames; the plan says "
                            + chunk.frameCount() + " (the source has fewer decodable frames than its header claims?)");
                }
            }
            @Override public int firstSegmentNumber() { return chunk.firstSegmentNumber(); }
            @Override public int segmentCount() { return chunk.segmentCount(); }
            @Override public long presentationOffset(FragmentedMp4 mp4) { return mp4.editMediaTime(); }
            @Override public long expectedStart(int number, long timescale) {
                return plan.frameRate().secondsFor((long) (number - 1) * plan.segmentFrames()).toTicks(timescale);
            }
        };
    }

    private static double round(double v) { return Math.round(v * 1000) / 1000.0; }
}
