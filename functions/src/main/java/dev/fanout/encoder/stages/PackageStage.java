package dev.fanout.encoder.stages;

import dev.fanout.encoder.errors.EncodeFailedException;
import dev.fanout.encoder.errors.StorageException;
import dev.fanout.encoder.manifest.AudioPieceJoin;
import dev.fanout.encoder.manifest.DashManifest;
import dev.fanout.encoder.manifest.HlsPlaylists;
import dev.fanout.encoder.manifest.Presentation;
import dev.fanout.encoder.manifest.PresentationAssembler;
import dev.fanout.encoder.manifest.SpriteSheets;
import dev.fanout.encoder.manifest.ThumbnailVtt;
import dev.fanout.encoder.model.ChunkOutput;
import dev.fanout.encoder.model.JobLayout;
import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.JobRecord;
import dev.fanout.encoder.model.JobTimings;
import dev.fanout.encoder.model.Rendition;
import dev.fanout.encoder.model.SegmentOutput;
import dev.fanout.encoder.model.SubtitleSet;
import dev.fanout.encoder.model.SubtitleTrack;
import dev.fanout.encoder.model.TrackOutput;
import dev.fanout.encoder.model.ThumbnailsOutput;
import dev.fanout.encoder.plan.AudioPieces;
import dev.fanout.encoder.plan.AudioRenditions;
import dev.fanout.encoder.plan.PipelineConfig;
import dev.fanout.encoder.plan.ThumbnailPlanner;
import dev.fanout.encoder.player.PlayerPage;
import dev.fanout.encoder.runtime.Invocation;
import dev.fanout.encoder.stages.Messages.PackageRequest;
import dev.fanout.encoder.stages.Messages.PackageResult;
import dev.fanout.encoder.storage.ObjectStore;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.awt.image.BufferedImage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Stage 3, the reducer: reads every chunk's record (never the media — the workers already
 * uploaded numbered segments), proves the timeline continuous, checks that every object the
 * presentation names is in the bucket with its recorded size, and publishes the HLS playlists and
 * manifest.mpd over the same segments, the thumbnail sprite sheets and track (from the tiles the
 * workers took from their frames), the player page index.html, then job.json. A job is
 * published complete or not at all.
 */
public final class PackageStage {
    private static final int PARALLEL_READS = 16;

    private final ObjectStore store;
    private final PipelineConfig config;

    public PackageStage(ObjectStore store, PipelineConfig config) {
        this.store = store;
        this.config = config;
    }

    public PackageResult run(PackageRequest request) {
        long t0 = System.nanoTime();
        JobPlan plan = store.getJsonIfExists(request.outputBucket(), request.planKey(), JobPlan.class);
        if (plan == null) return resultOfFinishedJob(request);
        JobLayout layout = plan.layout();
        List<ChunkOutput> chunks = readChunkRecords(plan);
        List<TrackOutput> audio = joinedAudio(plan, chunks);
        SubtitleSet subtitles = readSubtitles(layout);
        Presentation presentation = PresentationAssembler.assemble(plan, chunks, audio, subtitles.tracks());
        Map<String, Long> stored = new HashMap<>();
        for (S3Object o : store.list(layout.bucket(), layout.outputPrefix())) stored.put(o.key(), o.size());
        Map<String, Long> expected = expectedMedia(layout, plan, chunks, audio);
        for (SubtitleTrack t : subtitles.tracks()) expected.put(t.key(), t.bytes()); // the probe wrote them
        requireMedia(expected, stored);
        ThumbnailsOutput thumbnails = thumbnails(plan, chunks, stored);
        // Playlists and the MPD only reference segments that exist; job.json, written last, announces them.
        for (HlsPlaylists.Playlist playlist : HlsPlaylists.render(presentation)) {
            store.putText(layout.bucket(), layout.outputPrefix() + playlist.path(), playlist.text(), HlsPlaylists.CONTENT_TYPE);
        }
        store.putText(layout.bucket(), layout.manifestKey(), DashManifest.render(presentation), "application/dash+xml");
        store.putText(layout.bucket(), layout.playerPageKey(), playerPage(plan, presentation, thumbnails), "text/html; charset=utf-8");

        double packageSeconds = Invocation.current().elapsedSeconds(t0); // the invocation so far; job.json's PUT and the cleanup follow
        JobRecord running = store.getJsonIfExists(layout.bucket(), layout.jobRecordKey(), JobRecord.class);
        JobRecord record = withSubtitles(successRecord(plan, running == null ? null : running.runId(), presentation, chunks, thumbnails,
                packageSeconds, urls(layout)), subtitles);
        store.putJson(layout.bucket(), layout.jobRecordKey(), record);
        // The job is published: its intermediate records go now (the bucket's lifecycle rule
        // expires what a crash leaves). plan.json goes last, so a retry after a partial cleanup
        // still finds either the plan or the finished job.json.
        store.deletePrefix(layout.bucket(), layout.workPrefix(), layout.planKey()::equals);
        store.deletePrefix(layout.bucket(), layout.workPrefix(), key -> false);
        return result(plan.jobId(), layout, plan.renditions().size(), plan.segmentCount(), presentation.durationSeconds());
    }

    private PackageResult result(String jobId, JobLayout layout, int renditions, int segments, double durationSeconds) {
        return new PackageResult(jobId, layout.bucket(), layout.outputPrefix(), layout.manifestKey(), layout.masterPlaylistKey(),
                layout.playerPageKey(), config.publicUrl(layout.playerPageKey()), layout.jobRecordKey(), renditions, segments, durationSeconds);
    }

    private JobRecord.Urls urls(JobLayout layout) {
        if (config.publicBaseUrl() == null) return null;
        return new JobRecord.Urls(config.publicUrl(layout.playerPageKey()), config.publicUrl(layout.manifestKey()),
                config.publicUrl(layout.masterPlaylistKey()));
    }

    /** What the probe made of the subtitles; every plan has it (the probe writes it before the plan). */
    private SubtitleSet readSubtitles(JobLayout layout) {
        SubtitleSet set = store.getJsonIfExists(layout.bucket(), layout.subtitleSetKey(), SubtitleSet.class);
        if (set == null) {
            throw new EncodeFailedException("MissingPlan", "s3://" + layout.bucket() + "/" + layout.subtitleSetKey()
                    + " does not exist; the work files were deleted before packaging");
        }
        return set;
    }

    /** The record with the published subtitle tracks in its outputs and what was left out as its warnings. */
    static JobRecord withSubtitles(JobRecord r, SubtitleSet subtitles) {
        JobRecord.Outputs o = r.outputs();
        JobRecord.Outputs outputs = new JobRecord.Outputs(o.bucket(), o.prefix(), o.manifest(), o.masterPlaylist(), o.playerPage(),
                o.totalBytes() + subtitles.tracks().stream().mapToLong(SubtitleTrack::bytes).sum(), o.urls(),
                subtitles.tracks().isEmpty() ? null : subtitles.tracks());
        return new JobRecord(r.status(), r.jobId(), r.runId(), r.input(), r.source(), r.ladder(), r.segmentSeconds(), r.chunkSeconds(),
                r.chunkCount(), r.segmentCount(), r.durationSeconds(), r.timings(), outputs, r.thumbnails(), r.error(), r.finishedAt(),
                r.settings(), subtitles.warnings().isEmpty() ? null : subtitles.warnings());
    }

    /** A retry after this stage published the job and removed its plan: answer from job.json. */
    private PackageResult resultOfFinishedJob(PackageRequest request) {
        JobLayout layout = JobLayout.of(request.outputBucket(), request.jobId());
        JobRecord done = store.getJsonIfExists(layout.bucket(), layout.jobRecordKey(), JobRecord.class);
        if (done == null || !JobRecord.SUCCEEDED.equals(done.status())) {
            throw new EncodeFailedException("MissingPlan", "s3://" + request.outputBucket() + "/" + request.planKey()
                    + " does not exist and the job has not been published; the work files were deleted before packaging");
        }
        return result(done.jobId(), layout, done.ladder().size(), done.segmentCount(), done.durationSeconds());
    }

    /** The page names the files beside it; the poster and thumbnail previews only when the thumbnail stage made them. */
    private static String playerPage(JobPlan plan, Presentation presentation, ThumbnailsOutput thumbnails) {
        return PlayerPage.of(plan.jobId(), presentation, "manifest.mpd", JobLayout.MASTER_PLAYLIST_PATH,
                thumbnails, plan.layout().outputPrefix()).render();
    }

    private List<ChunkOutput> readChunkRecords(JobPlan plan) {
        JobLayout layout = plan.layout();
        List<Callable<ChunkOutput>> reads = new ArrayList<>();
        for (int i = 0; i < plan.chunkCount(); i++) {
            String key = layout.chunkResultKey(i);
            reads.add(() -> store.getJsonIfExists(layout.bucket(), key, ChunkOutput.class));
        }
        List<ChunkOutput> out = readInParallel(reads);
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i) == null) {
                throw new EncodeFailedException("MissingChunk", "chunk " + i + " of " + plan.chunkCount()
                        + " has no output record (" + layout.chunkResultKey(i) + "); its encode did not finish");
            }
        }
        return out;
    }

    /**
     * Runs small reads {@value #PARALLEL_READS} at a time and returns their results in order (null
     * where a read found nothing); a read's own runtime error is thrown as it is.
     */
    private static <T> List<T> readInParallel(List<Callable<T>> reads) {
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_READS);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> r : reads) futures.add(pool.submit(r));
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) out.add(f.get());
            return out;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The chunks' audio pieces as one track per audio rendition, in rendition order (empty without
     * audio); the pieces' media stay where the workers put them.
     */
    static List<TrackOutput> joinedAudio(JobPlan plan, List<ChunkOutput> chunks) {
        List<AudioRenditions.AudioRendition> renditions = AudioRenditions.of(plan.sourceInfo());
        List<TrackOutput> joined = new ArrayList<>();
        for (AudioRenditions.AudioRendition r : renditions) {
            List<TrackOutput> pieces = new ArrayList<>();
            for (ChunkOutput c : chunks) {
                TrackOutput piece = c.audio() == null ? null
                        : c.audio().tracks().stream().filter(t -> t.trackId().equals(r.id())).findFirst().orElse(null);
                if (piece == null) {
                    throw new EncodeFailedException("InconsistentChunks", "chunk " + c.chunkIndex() + " recorded no audio piece of "
                            + r.id() + "; the source has " + renditions.size() + " audio track(s)");
                }
                pieces.add(piece);
            }
            joined.add(AudioPieceJoin.join(AudioPieces.of(plan), r.id(), pieces));
        }
        return joined;
    }

    /** Largest tile Package reads: a 160 px JPEG is a few KB; anything near this is not one of ours. */
    static final int MAX_TILE_BYTES = 1 << 20;

    /**
     * The sprite sheets and their WebVTT track, from the tiles the chunk workers uploaded (their
     * records list them) and the poster one of them uploaded. Never fails the job: a missing or
     * broken tile is recorded as FAILED with a named error ({@code Thumbnails.Missing},
     * {@code Thumbnails.BadTile}); only a transient storage error is thrown, for the retry.
     */
    private ThumbnailsOutput thumbnails(JobPlan plan, List<ChunkOutput> chunks, Map<String, Long> stored) {
        long t0 = System.nanoTime();
        JobLayout layout = plan.layout();
        ThumbnailPlanner.Layout grid = ThumbnailPlanner.layout(plan);
        List<ThumbnailPlanner.Tile> tiles = ThumbnailPlanner.tiles(grid, plan.frameRate(), plan.totalFrames());
        Map<Integer, String> tileKeys = new HashMap<>();
        ChunkOutput.Still posterStill = null;
        for (ChunkOutput c : chunks) {
            for (ChunkOutput.Still t : c.tiles()) tileKeys.put(t.index(), t.key());
            if (c.poster() != null) posterStill = c.poster();
        }
        ThumbnailsOutput.Poster poster = posterStill != null && stored.containsKey(posterStill.key())
                ? new ThumbnailsOutput.Poster(posterStill.key(), grid.posterWidth(), grid.posterHeight(),
                        plan.frameRate().secondsFor(posterStill.frame()).toDouble())
                : null;
        List<String> missing = tiles.stream().filter(t -> !tileKeys.containsKey(t.index())).map(t -> "tile " + t.index()).toList();
        if (poster == null) missing = java.util.stream.Stream.concat(missing.stream(), java.util.stream.Stream.of("the poster")).toList();
        if (!missing.isEmpty()) {
            return ThumbnailsOutput.failed(new JobRecord.Failure("Thumbnails.Missing", "the chunk records do not name "
                    + String.join(", ", missing.subList(0, Math.min(3, missing.size()))) + (missing.size() > 3 ? ", …" : "")), poster);
        }
        List<BufferedImage> images;
        try {
            images = readTiles(layout, tiles, tileKeys);
        } catch (SpriteSheets.BadTileException e) {
            return ThumbnailsOutput.failed(new JobRecord.Failure("Thumbnails.BadTile", e.getMessage()), poster);
        }
        List<String> sheetKeys = new ArrayList<>();
        for (int n = 1; n <= grid.sheetsFor(tiles.size()); n++) {
            store.putBytes(layout.bucket(), layout.spriteKey(n), SpriteSheets.render(grid, n, tiles, images), "image/jpeg");
            sheetKeys.add(layout.spriteKey(n));
        }
        store.putText(layout.bucket(), layout.thumbnailTrackKey(), ThumbnailVtt.render(tiles, JobLayout::spriteFile), "text/vtt");
        double seconds = Math.round((System.nanoTime() - t0) / 1e6) / 1000.0;
        return ThumbnailsOutput.succeeded(poster, new ThumbnailsOutput.Sprites(layout.thumbnailTrackKey(), sheetKeys, tiles.size(),
                grid.intervalSeconds(), grid.tileWidth(), grid.tileHeight(), grid.columns(), grid.rows()), seconds);
    }

    /** Every tile's picture, read in parallel (at most 300 small JPEGs), in the tiles' order. */
    private List<BufferedImage> readTiles(JobLayout layout, List<ThumbnailPlanner.Tile> tiles, Map<Integer, String> keys)
            throws SpriteSheets.BadTileException {
        List<Callable<byte[]>> reads = new ArrayList<>();
        for (ThumbnailPlanner.Tile t : tiles) reads.add(() -> readTile(layout, keys.get(t.index())));
        List<byte[]> jpegs = readInParallel(reads);
        List<BufferedImage> images = new ArrayList<>();
        for (int i = 0; i < tiles.size(); i++) {
            byte[] jpeg = jpegs.get(i);
            ThumbnailPlanner.Tile t = tiles.get(i);
            if (jpeg == null) throw new SpriteSheets.BadTileException("tile " + t.index() + " (" + keys.get(t.index()) + ") is not in the bucket");
            if (jpeg.length >= MAX_TILE_BYTES) throw new SpriteSheets.BadTileException("tile " + t.index() + " is larger than " + MAX_TILE_BYTES + " bytes");
            images.add(SpriteSheets.decodeTile(t, jpeg));
        }
        return images;
    }

    /** A tile's bytes (at most MAX_TILE_BYTES), or null when it is not there. */
    private byte[] readTile(JobLayout layout, String key) {
        try {
            return store.readPrefix(layout.bucket(), key, MAX_TILE_BYTES);
        } catch (StorageException e) {
            if (e.statusCode() == 404) return null;
            throw e;
        }
    }

    /**
     * Every media object the presentation references, by key, with its size ({@code -1}: any size;
     * an init's size is not recorded). Inits come from chunk 0 (the others' are byte-identical and
     * never uploaded); the audio's too.
     */
    static Map<String, Long> expectedMedia(JobLayout layout, JobPlan plan, List<ChunkOutput> chunks, List<TrackOutput> audio) {
        Map<String, Long> expected = new LinkedHashMap<>();
        for (Rendition r : plan.renditions()) expected.put(layout.videoInitKey(r.id()), -1L);
        for (ChunkOutput c : chunks) {
            for (TrackOutput t : c.renditions()) {
                for (SegmentOutput s : t.segments()) expected.put(layout.videoSegmentKey(t.trackId(), s.number()), s.bytes());
            }
        }
        for (TrackOutput a : audio) {
            expected.put(layout.audioInitKey(a.trackId()), -1L);
            for (SegmentOutput s : a.segments()) expected.put(layout.audioSegmentKey(a.trackId(), s.number()), s.bytes());
        }
        return expected;
    }

    /**
     * Fails with {@code EncodeFailed.MissingSegment} unless every expected object is stored with
     * its size. Guards against segments lost between the workers' uploads and publishing (e.g. a
     * worker of an earlier failed run deleting its late uploads after a new run wrote the same keys).
     */
    static void requireMedia(Map<String, Long> expected, Map<String, Long> stored) {
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            Long size = stored.get(e.getKey());
            if (size == null) wrong.add(e.getKey() + " is missing");
            else if (e.getValue() >= 0 && size.longValue() != e.getValue()) wrong.add(e.getKey() + " has " + size + " bytes, its worker recorded " + e.getValue());
        }
        if (!wrong.isEmpty()) {
            throw new EncodeFailedException("MissingSegment", wrong.size() + " of " + expected.size() + " media objects are not as the workers recorded them ("
                    + String.join("; ", wrong.subList(0, Math.min(3, wrong.size()))) + (wrong.size() > 3 ? "; …" : "")
                    + "); nothing was published, start the job again");
        }
    }

    static JobRecord successRecord(JobPlan plan, String runId, Presentation p, List<ChunkOutput> chunks, ThumbnailsOutput thumbnails,
                                   double packageSeconds, JobRecord.Urls urls) {
        List<JobRecord.LadderEntry> ladder = new ArrayList<>();
        for (int i = 0; i < plan.renditions().size(); i++) {
            Rendition r = plan.renditions().get(i);
            Presentation.Representation rep = p.video().representations().get(i);
            ladder.add(new JobRecord.LadderEntry(r.id(), r.width(), r.height(), rep.codecs(), r.maxrateKbps(), rep.bandwidth(), rep.bytes()));
        }
        double encodeSum = chunks.stream().mapToDouble(ChunkOutput::encodeSeconds).sum();
        double encodeMax = chunks.stream().mapToDouble(ChunkOutput::encodeSeconds).max().orElse(0);
        double uploadSum = chunks.stream().mapToDouble(ChunkOutput::uploadSeconds).sum();
        double wall = (System.currentTimeMillis() - plan.createdAtEpochMillis()) / 1000.0;
        long bytes = p.video().representations().stream().mapToLong(Presentation.Representation::bytes).sum()
                + p.audio().stream().mapToLong(Presentation.AudioSet::bytes).sum();
        // every stage's invocations from their records: the probe, the chunks side by side, this one
        JobTimings stages = new JobTimings().then("probe", plan.probeSeconds())
                .then(Map.of("chunks", chunks.stream().map(ChunkOutput::invocationSeconds).toList()))
                .then("package", packageSeconds);
        JobRecord.Timings timings = new JobRecord.Timings(stages.stages(), stages.criticalPathSeconds(), round(encodeSum), round(encodeMax),
                round(uploadSum), audioSeconds(chunks), round(wall), sourceBytesRead(plan, chunks, thumbnails));
        JobLayout layout = plan.layout();
        return new JobRecord(JobRecord.SUCCEEDED, plan.jobId(), runId, plan.source(), plan.sourceInfo(), ladder,
                round(p.segmentSeconds()), round(plan.frameRate().secondsFor(plan.chunkFrames()).toDouble()),
                plan.chunkCount(), plan.segmentCount(), round(p.durationSeconds()), timings,
                new JobRecord.Outputs(layout.bucket(), layout.outputPrefix(), layout.manifestKey(), layout.masterPlaylistKey(),
                layout.playerPageKey(), bytes, urls), thumbnails, null, Instant.now().toString(), plan.settings());
    }

    /** The chunks' audio pieces' encode seconds in all (a part of their encode seconds); null without audio. */
    static Double audioSeconds(List<ChunkOutput> chunks) {
        if (chunks.stream().allMatch(c -> c.audio() == null)) return null;
        return round(chunks.stream().filter(c -> c.audio() != null).mapToDouble(c -> c.audio().encodeSeconds()).sum());
    }

    static JobRecord.SourceBytesRead sourceBytesRead(JobPlan plan, List<ChunkOutput> chunks, ThumbnailsOutput thumbnails) {
        long chunkBytes = chunks.stream().mapToLong(ChunkOutput::sourceBytesRead).sum();
        Long audioBytes = chunks.stream().allMatch(c -> c.audio() == null) ? null
                : chunks.stream().filter(c -> c.audio() != null).mapToLong(c -> c.audio().sourceBytesRead()).sum();
        Long thumbnailBytes = thumbnails == null ? null : thumbnails.sourceBytesRead();
        long total = plan.sourceBytesRead() + chunkBytes + (audioBytes == null ? 0 : audioBytes) + (thumbnailBytes == null ? 0 : thumbnailBytes);
        return new JobRecord.SourceBytesRead(plan.sourceBytesRead(), chunkBytes, audioBytes, thumbnailBytes, total);
    }

    private static double round(double v) { return Math.round(v * 1000) / 1000.0; }
}
