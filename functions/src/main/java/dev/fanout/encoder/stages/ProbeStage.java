package dev.fanout.encoder.stages;

import dev.fanout.encoder.errors.InvalidInputException;
import dev.fanout.encoder.errors.StorageException;
import dev.fanout.encoder.errors.TransientException;
import dev.fanout.encoder.media.Ffmpeg;
import dev.fanout.encoder.media.FfmpegCommands;
import dev.fanout.encoder.media.FfprobeParser;
import dev.fanout.encoder.media.FragmentIndex;
import dev.fanout.encoder.media.ProcessRunner;
import dev.fanout.encoder.model.JobLayout;
import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.JobRecord;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.Rendition;
import dev.fanout.encoder.model.SourceInfo;
import dev.fanout.encoder.model.SourceRef;
import dev.fanout.encoder.plan.ChunkPlanner;
import dev.fanout.encoder.plan.FrameRates;
import dev.fanout.encoder.plan.JobIds;
import dev.fanout.encoder.plan.LadderPlanner;
import dev.fanout.encoder.plan.PipelineConfig;
import dev.fanout.encoder.plan.SourceValidator;
import dev.fanout.encoder.plan.UploadSettings;
import dev.fanout.encoder.source.SourceServer;
import dev.fanout.encoder.source.SourceView;
import dev.fanout.encoder.runtime.Invocation;
import dev.fanout.encoder.stages.Messages.ChunkItem;
import dev.fanout.encoder.stages.Messages.ProbeRequest;
import dev.fanout.encoder.stages.Messages.ProbeResult;
import dev.fanout.encoder.storage.ObjectStore;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stage 1: look at the upload, reject what we cannot encode (cheap checks first), choose the
 * ladder, plan chunks on the segment grid, and store the plan and the chunk list in the work prefix.
 */
public final class ProbeStage {
    /** Top-level box types an ISO BMFF (MP4/MOV) file can start with. */
    private static final Set<String> BMFF_FIRST_BOXES = Set.of("ftyp", "moov", "mdat", "free", "skip", "wide", "pnot", "styp", "sidx", "moof");
    /** Seconds decoded at the end of the file to prove its media data is all there. */
    private static final double TAIL_CHECK_SECONDS = 1.0;

    private final ObjectStore store;
    private final PipelineConfig config;

    public ProbeStage(ObjectStore store, PipelineConfig config) {
        this.store = store;
        this.config = config;
    }

    public ProbeResult run(ProbeRequest request) {
        long started = System.nanoTime();
        long startedMillis = System.currentTimeMillis();
        String outputBucket = config.requireOutputBucket();
        HeadObjectResponse head = store.head(request.bucket(), request.key()).orElseThrow(() ->
                new InvalidInputException("Missing", "s3://" + request.bucket() + "/" + request.key() + " does not exist (deleted before encoding started?)"));
        // A blank ETag (a start by hand) means "the object's": RecordFailure reads it the same way,
        // so both name the same job.
        String etag = normalizeEtag(request.etag() != null && !request.etag().isBlank() ? request.etag() : head.eTag());
        SourceRef source = new SourceRef(request.bucket(), request.key(), etag, head.contentLength());
        // The upload's settings (its S3 user metadata, read with the HEAD) are part of the job's
        // identity: the same bytes with other settings are another job (UploadSettings.digest).
        SortedMap<String, String> given = UploadSettings.given(head.metadata(), config.ignoredMetadataKeys());
        String jobId = JobIds.of(request.bucket(), request.key(), etag, UploadSettings.digest(given));
        JobRecord finished = store.getJsonIfExists(outputBucket, JobLayout.of(outputBucket, jobId).jobRecordKey(), JobRecord.class);
        if (finished != null && JobRecord.SUCCEEDED.equals(finished.status())) {
            // A re-run of a finished job (a console re-run, or a start after the execution name
            // expired): its published output stays exactly as it is.
            return new ProbeResult(jobId, outputBucket, null, null, finished.chunkCount(), finished.segmentCount(),
                    finished.source().hasAudio(), finished.ladder().stream().map(JobRecord.LadderEntry::id).toList(),
                    finished.durationSeconds(), true);
        }
        // This run owns the job's keys from now on: a worker of an earlier, failed run that is
        // still running sees RUNNING, not FAILED, and so leaves them alone (FailedJobCleanup).
        store.putJson(outputBucket, JobLayout.of(outputBucket, jobId).jobRecordKey(), JobRecord.running(jobId, request.runId(), source));

        String objectEtag = normalizeEtag(head.eTag());
        if (!etag.equals(objectEtag)) {
            throw new InvalidInputException("SourceChanged", "s3://" + request.bucket() + "/" + request.key() + " was replaced after this job "
                    + "started (the job was named from ETag " + etag + ", the object now has ETag " + objectEtag
                    + "); the newer upload is encoded by its own job");
        }
        // Settings before any look at the media: a bad one fails the job at once, naming the key.
        UploadSettings.Resolved settings = UploadSettings.resolve(given, config);
        if (head.contentLength() == 0) {
            throw new InvalidInputException("Empty", "the uploaded file is empty (0 bytes)");
        }
        SourceInfo sizeOnly = new SourceInfo("", head.contentLength(), 0, null, null);
        if (head.contentLength() > config.limits().maxInputBytes()) {
            SourceValidator.validate(sizeOnly, config.limits()); // throws TooLarge
        }
        checkSignature(store.readPrefix(request.bucket(), request.key(), 16));

        Probed probed = probeSource(source);
        SourceInfo info = probed.info();
        SourceInfo.Video video = info.video();

        Rational fps = FrameRates.output(video); // a variable-rate source: its nominal rate, not the average
        List<Rendition> renditions = LadderPlanner.plan(video, settings.ladder(), settings.encode().codecs());
        int segmentFrames = ChunkPlanner.segmentFrames(fps, settings.settings().segmentSeconds());
        int chunkFrames = ChunkPlanner.chunkFrames(segmentFrames, fps, config.chunkSeconds());
        long totalFrames = FrameRates.outputFrames(video);
        int chunkCount = ChunkPlanner.chunkCount(totalFrames, chunkFrames);
        int segmentCount = ChunkPlanner.segmentCount(totalFrames, segmentFrames);
        JobLayout layout = JobLayout.of(outputBucket, jobId);
        // the subtitle tracks and sidecars become WebVTT files now: a sidecar that is not subtitles fails before any encoding
        ProbeSubtitles.Result subtitles = new ProbeSubtitles(store).run(source, info, timelineStart(probed.ffprobeJson()),
                Math.round(fps.secondsFor(totalFrames).toDouble() * 1000), layout);
        store.putJson(outputBucket, layout.subtitleSetKey(), subtitles.set());
        long sourceBytesRead = probed.bytes().total() + subtitles.sourceBytesRead();
        double probeSeconds = Invocation.current().elapsedSeconds(started); // the invocation so far; the plan's two PUTs follow
        JobPlan plan = new JobPlan(jobId, source, info, fps, totalFrames, segmentFrames, chunkFrames, chunkCount,
                segmentCount, renditions, settings.encode(), layout, startedMillis, probeSeconds, sourceBytesRead, settings.settings());

        List<ChunkItem> items = ChunkPlanner.chunks(totalFrames, segmentFrames, chunkFrames).stream()
                .map(c -> new ChunkItem(c.index(), c.startFrame(), c.frameCount())).toList();
        store.putJson(outputBucket, layout.planKey(), plan);
        store.putJson(outputBucket, layout.chunkListKey(), items);
        return new ProbeResult(jobId, outputBucket, layout.planKey(), layout.chunkListKey(), chunkCount, segmentCount,
                info.hasAudio(), renditions.stream().map(Rendition::id).toList(), plan.durationSeconds().toDouble(), false);
    }

    static String normalizeEtag(String etag) {
        return etag == null ? "" : etag.replace("\"", "");
    }

    static void checkSignature(byte[] first) {
        if (first.length < 8) {
            throw new InvalidInputException("NotMp4", "the file is only " + first.length + " bytes long; it is not an MP4");
        }
        String type = new String(first, 4, 4, StandardCharsets.ISO_8859_1);
        if (!BMFF_FIRST_BOXES.contains(type)) {
            throw new InvalidInputException("NotMp4", "the file does not start like an MP4/MOV (ISO BMFF) file; it starts with "
                    + printable(first) + " — upload an .mp4 or .mov video");
        }
    }

    /**
     * Bytes of the source each probe step read: ffprobe's look at the header, the box walk (the
     * top-level box headers of every file; every moof of a fragmented MP4), and the tail check.
     */
    public record StepBytes(long header, long fragmentIndex, long tailCheck) {
        public long total() { return header + fragmentIndex + tailCheck; }
    }

    /** What the probe learnt of the source, what it read to learn it, and ffprobe's own report. */
    public record Probed(SourceInfo info, StepBytes bytes, String ffprobeJson) {}

    private static double timelineStart(String ffprobeJson) {
        try {
            return FfprobeParser.videoStartSeconds(ffprobeJson);
        } catch (IOException e) {
            throw new InvalidInputException("Unreadable", "ffprobe output could not be parsed: " + e.getMessage());
        }
    }

    /**
     * Reads what the plan needs of {@code source} (codecs, rate, frame count, rotation, colour,
     * audio), validates it against the limits and proves its last second is there. Public for the
     * probe benchmark, which measures each step's bytes on large files.
     *
     * <p>A fragmented MP4 is never shown whole to ffmpeg: on a seekable input its mov demuxer
     * walks every moof when it opens the file (unless a sidx or mfra says the index is complete),
     * and over HTTP each mdat it skips is a dropped connection and the read-ahead it wasted. So
     * ffprobe sees the moov and the first fragment, the tail check the moov and the last
     * fragments, the rest hidden as one free box ({@link SourceView}); the frames come from the
     * moof walk ({@link FragmentIndex}).
     */
    public Probed probeSource(SourceRef source) {
        FragmentIndex.RangeReader reader = rangeReader(source);
        FragmentIndex.Layout layout = FragmentIndex.layout(reader, source.sizeBytes());
        if (!layout.fragmented()) {
            // ffprobe and ffmpeg read the source from a loopback server pinned to the job's ETag
            try (SourceServer server = SourceServer.start(store.client(), source)) {
                String ffprobeJson = probeHeader(server, FfmpegCommands.probe(config.ffprobe(), server.url()));
                long header = server.reads().bytesServed();
                SourceInfo info = parse(ffprobeJson, source.sizeBytes());
                SourceValidator.validate(info, config.limits());
                checkTail(info.video(), server);
                return new Probed(info, new StepBytes(header, layout.bytesRead(), server.reads().bytesServed() - header), ffprobeJson);
            }
        }
        // the moof walk first: when it finds a constant rate, ffprobe (shown the file up to its
        // second moof) need not read frames to guess one
        FragmentIndex.VideoTiming timing = FragmentIndex.readFirstVideoTrack(reader, source.sizeBytes());
        FirstLook first = firstLook(source, layout, timing == null || !timing.uniform());
        SourceInfo info = first.info();
        long index = layout.bytesRead() + (timing == null ? 0 : timing.bytesRead());
        if (info.video() != null) {
            if (timing == null || timing.trackId() != first.videoTrackId()) {
                // ffprobe's first video stream is another track than the first 'vide' trak: walk that one
                timing = FragmentIndex.read(reader, source.sizeBytes(), first.videoTrackId());
                index += timing.bytesRead();
            }
            info = FfprobeParser.withFrameRate(info, timing.frames(), timing.frameRate(), timing.uniform());
            if (timing.startDelayTicks() > 0) {
                // the first frame held by the muxer in place of an edit list: the constant-rate video
                // (and the audio taken beside it) starts where the second frame's time says
                info = info.withVideo(info.video().withStartSeconds(info.video().startSeconds() + timing.startDelaySeconds()));
            }
        }
        SourceValidator.validate(info, config.limits());
        SourceInfo.Video video = info.video();
        // the last fragment that starts on a keyframe: decoding it proves the end is there
        long tailFrom = timing.tailFrom(video.frameRate().secondsFor(video.frameCount()).toDouble());
        if (tailFrom < 0) {
            // no fragment to start from (no keyframe, no tfdt): the whole file, decoded from the last second
            try (SourceServer server = SourceServer.start(store.client(), source)) {
                checkTail(video, server);
                return new Probed(info, new StepBytes(first.bytes(), index, server.reads().bytesServed()), first.ffprobeJson());
            }
        }
        try (SourceServer server = SourceServer.start(store.client(), source, SourceView.hiding(timing.firstMoof(), tailFrom))) {
            checkLastFragments(server, timing.moovSamples() + timing.samplesFrom(tailFrom));
            return new Probed(info, new StepBytes(first.bytes(), index, server.reads().bytesServed()), first.ffprobeJson());
        }
    }

    /**
     * Decodes every video sample the view shows (those of the moov, then the fragments from the
     * last one starting on a keyframe): a damaged end fails here. By count, not time:
     * ffmpeg offsets -ss by the start time of what it is shown, which here is the hidden part's end.
     */
    private void checkLastFragments(SourceServer server, long samples) {
        ProcessRunner.Result r = decodeEnd(FfmpegCommands.tailCheckOfFragments(config.ffmpeg(), server.url()), server);
        DecodedSpan decoded = DecodedSpan.of(r.stdout());
        String err = r.stderrSummary(3);
        if (r.exitCode() != 0 || decoded.frames() != samples) {
            throw new InvalidInputException("Truncated", "the last fragments of the video hold " + samples + " frames but "
                    + decoded.frames() + " decode; the file was cut off (incomplete upload?) or is damaged" + (err.isEmpty() ? "" : " (" + err + ")"));
        }
    }

    /** ffprobe's view of a fragmented MP4, the video track's id in it, the bytes it took, and its report. */
    private record FirstLook(SourceInfo info, long videoTrackId, long bytes, String ffprobeJson) {}

    /**
     * ffprobe on the file up to the end of its first fragment (the rest a free box): streams,
     * codecs and the first frames are all in the moov and that fragment. Frames for a rate guess
     * only when {@code rateGuess} (a variable-rate source's nominal rate).
     */
    private FirstLook firstLook(SourceRef source, FragmentIndex.Layout layout, boolean rateGuess) {
        SourceView view = layout.secondMoof() < 0 ? SourceView.WHOLE : SourceView.hiding(layout.secondMoof(), source.sizeBytes());
        try (SourceServer server = SourceServer.start(store.client(), source, view)) {
            String ffprobeJson = probeHeader(server, FfmpegCommands.probeFirstFragment(config.ffprobe(), server.url(), rateGuess));
            long trackId;
            try {
                trackId = FfprobeParser.videoTrackId(ffprobeJson);
            } catch (IOException e) {
                throw new InvalidInputException("Unreadable", "ffprobe output could not be parsed: " + e.getMessage());
            }
            return new FirstLook(parse(ffprobeJson, source.sizeBytes()), trackId, server.reads().bytesServed(), ffprobeJson);
        }
    }

    /** ffprobe's {@code -show_format -show_streams} JSON of the source. */
    private String probeHeader(SourceServer server, List<String> command) {
        ProcessRunner.Result r = ProcessRunner.run(command, config.ffprobeTimeout(), 4 * 1024 * 1024);
        Ffmpeg.failIfNotAboutTheMedia("reading the file's structure", command, r, server);
        if (r.timedOut()) {
            throw new InvalidInputException("ProbeTimeout", "reading the file's structure took longer than "
                    + config.ffprobeTimeout().toSeconds() + " s; the file is damaged or crafted");
        }
        if (r.exitCode() != 0 || r.stdoutTruncated()) {
            String err = r.stderrSummary(3);
            if (err.contains("moov atom not found")) {
                throw new InvalidInputException("Truncated", "the MP4 has no movie header (moov box): the upload is incomplete or the file was cut off ("
                        + err + ")");
            }
            throw new InvalidInputException("Unreadable", "ffprobe cannot read the file as MP4/MOV: " + (err.isEmpty() ? "exit " + r.exitCode() : err));
        }
        String skipped = skippedExternalReference(r.stderrTail());
        if (skipped != null) {
            throw new InvalidInputException("ExternalReference", "the file is a reference movie: its media data is in another file ("
                    + skipped + "), which is never opened; export a self-contained MP4");
        }
        return r.stdout();
    }

    private static SourceInfo parse(String ffprobeJson, long size) {
        try {
            return FfprobeParser.parse(ffprobeJson, size);
        } catch (IOException e) {
            throw new InvalidInputException("Unreadable", "ffprobe output could not be parsed: " + e.getMessage());
        }
    }

    /**
     * Small ranged GETs of the source pinned to the job's ETag, for the box walks: a moof is
     * read by its offset, never by demuxing the packets around it.
     */
    private FragmentIndex.RangeReader rangeReader(SourceRef source) {
        return (offset, length) -> {
            try {
                return readRangeRidingOutTransients(source, offset, length);
            } catch (StorageException e) {
                if (e.statusCode() != 412) throw e;
                throw new InvalidInputException("SourceChanged", "s3://" + source.bucket() + "/" + source.key()
                        + " was replaced while it was probed (its ETag is no longer " + source.etag() + "); the newer upload is encoded by its own job");
            }
        };
    }

    /**
     * A ranged read that rides out what ffmpeg's {@code -reconnect} rides out through the source
     * server: S3 failing past the SDK's own retries (throttling, 5xx) is tried again after 1, 2
     * and 4 s before it fails the probe as transient.
     */
    private byte[] readRangeRidingOutTransients(SourceRef source, long offset, int length) {
        for (long delay = 1000; ; delay *= 2) {
            try {
                return store.readRange(source.bucket(), source.key(), source.etag(), offset, length);
            } catch (TransientException e) {
                if (delay > 4000) throw e;
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static final Pattern SKIPPED_DREF = Pattern.compile(
            "Skipped opening external track: stream \\d+, alias: path='([^']*)'(?:, dir='[^']*')?(?:, filename='([^']*)')?");

    /**
     * The file named in ffmpeg's "Skipped opening external track" warning (the mov demuxer's
     * data reference to another file, not followed because of {@code -enable_drefs 0}), or null.
     */
    static String skippedExternalReference(String stderr) {
        Matcher m = SKIPPED_DREF.matcher(stderr);
        if (!m.find()) return null;
        String file = m.group(2) != null && !m.group(2).isEmpty() ? m.group(2) : m.group(1);
        return "'" + file + "'";
    }

    /**
     * Decodes the last second: a file whose media data was cut off fails here, before any chunk is
     * encoded. Judged by time, not frame count, so a variable-frame-rate source (fewer frames than
     * its average rate suggests near the end) passes when its frames reach the end.
     */
    private void checkTail(SourceInfo.Video video, SourceServer server) {
        double end = video.frameRate().secondsFor(video.frameCount()).toDouble();
        double from = Math.max(0, end - TAIL_CHECK_SECONDS);
        ProcessRunner.Result r = decodeEnd(FfmpegCommands.tailCheck(config.ffmpeg(), server.url(), video.startSeconds() + from), server);
        DecodedSpan decoded = DecodedSpan.of(r.stdout());
        double tolerance = 1.5 / video.frameRate().toDouble();
        String err = r.stderrSummary(3);
        if (r.exitCode() != 0 || decoded.frames() == 0 || decoded.endSeconds() < end - from - tolerance) {
            throw new InvalidInputException("Truncated", String.format(java.util.Locale.ROOT,
                    "the video should run to %.2f s but its frames stop at %.2f s (%d decoded in the last %.1f s); "
                            + "the file was cut off (incomplete upload?) or is damaged%s",
                    end, from + decoded.endSeconds(), decoded.frames(), end - from, err.isEmpty() ? "" : " (" + err + ")"));
        }
    }

    /**
     * Runs a decode of the file's end ({@code framecrc} on stdout): a failure that is not about
     * the media (S3, the source server) is raised as such, a decode past the probe's time limit
     * is {@code InvalidInput.ProbeTimeout}.
     */
    private ProcessRunner.Result decodeEnd(List<String> command, SourceServer server) {
        ProcessRunner.Result r = ProcessRunner.run(command, config.ffprobeTimeout(), 1024 * 1024);
        Ffmpeg.failIfNotAboutTheMedia("decoding the end of the file", command, r, server);
        if (r.timedOut()) {
            throw new InvalidInputException("ProbeTimeout", "decoding the end of the file took longer than "
                    + config.ffprobeTimeout().toSeconds() + " s; the file is damaged or crafted");
        }
        return r;
    }

    /** Frames in ffmpeg's framecrc output and where the last one ends, in seconds from the first. */
    record DecodedSpan(long frames, double endSeconds) {
        static DecodedSpan of(String framecrc) {
            double tb = 0;
            long frames = 0;
            double end = 0;
            for (String line : framecrc.split("\n")) {
                if (line.startsWith("#tb 0:")) {
                    tb = Rational.parse(line.substring(6).strip()).toDouble();
                } else if (!line.isBlank() && !line.startsWith("#")) {
                    String[] f = line.split(",");
                    if (f.length < 4) continue;
                    frames++;
                    end = Math.max(end, (Long.parseLong(f[2].strip()) + Long.parseLong(f[3].strip())) * tb);
                }
            }
            return new DecodedSpan(frames, end);
        }
    }

    private static String printable(byte[] b) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < Math.min(12, b.length); i++) {
            int c = b[i] & 0xff;
            sb.append(c >= 32 && c < 127 ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.append('"').toString();
    }
}
