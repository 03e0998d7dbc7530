package dev.fanout.encoder.stages;

import dev.fanout.encoder.errors.EncodeFailedException;
import dev.fanout.encoder.media.Ffmpeg;
import dev.fanout.encoder.media.FfmpegCommands;
import dev.fanout.encoder.media.FragmentedMp4;
import dev.fanout.encoder.media.SegmentFiles;
import dev.fanout.encoder.model.AudioOutput;
import dev.fanout.encoder.model.JobLayout;
import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.SegmentOutput;
import dev.fanout.encoder.model.TrackOutput;
import dev.fanout.encoder.plan.PipelineConfig;
import dev.fanout.encoder.source.SourceServer;
import dev.fanout.encoder.stages.Messages.EncodeAudioRequest;
import dev.fanout.encoder.stages.Messages.EncodeAudioResult;
import dev.fanout.encoder.storage.ObjectStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Stage 2 (beside the chunks): the whole audio track once — it is cheap — as AAC in fragments of
 * one segment length, cut and uploaded like the video. The first segment starts at 0: the AAC
 * encoder's priming samples are hidden by the init's edit list.
 */
public final class EncodeAudioStage {
    private final ObjectStore store;
    private final PipelineConfig config;

    public EncodeAudioStage(ObjectStore store, PipelineConfig config) {
        this.store = store;
        this.config = config;
    }

    public EncodeAudioResult run(EncodeAudioRequest request) {
        JobPlan plan = store.getJson(request.outputBucket(), request.planKey(), JobPlan.class);
        if (!plan.sourceInfo().hasAudio()) return new EncodeAudioResult(false, 0, 0);
        JobLayout layout = plan.layout();
        Path dir = Scratch.create(config.workDir(), "audio-");
        try {
            Path out = dir.resolve("audio.mp4");
            long t0 = System.nanoTime();
            long sourceBytesRead;
            try (SourceServer source = SourceServer.start(store.client(), plan.source())) {
                Ffmpeg.runEncode("encoding the audio track", FfmpegCommands.encodeAudio(config.ffmpeg(), source.url(), plan, out),
                        config.ffmpegTimeout(), source);
                sourceBytesRead = source.reads().bytesServed();
            }
            double encodeSeconds = (System.nanoTime() - t0) / 1e9;

            long t1 = System.nanoTime();
            FragmentedMp4 mp4 = FragmentedMp4.read(out);
            if (mp4.fragments().isEmpty()) throw new EncodeFailedException("EmptyAudio", "the audio track produced no samples");
            List<SegmentOutput> segments = new ArrayList<>();
            Path init = dir.resolve("init.mp4");
            SegmentFiles.writeInit(out, mp4, init);
            // a last fragment under half a segment joins the one before it
            long halfSegment = Math.round(plan.frameRate().secondsFor(plan.segmentFrames()).toDouble() * mp4.timescale() / 2);
            List<FragmentedMp4.Fragment> fragments = mp4.segmentsJoiningShortTail(halfSegment);
            List<String> written = new ArrayList<>();
            try (Uploader uploader = new Uploader(store, layout.bucket())) {
                uploader.submit(init, layout.audioInitKey(), "audio/mp4");
                written.add(layout.audioInitKey());
                for (int i = 0; i < fragments.size(); i++) {
                    FragmentedMp4.Fragment f = fragments.get(i);
                    int number = i + 1;
                    long start = f.earliestCompositionTime() - mp4.editMediaTime();
                    long duration = f.duration();
                    if (i == 0 && start < 0) { duration += start; start = 0; } // priming samples are not presented
                    Path seg = dir.resolve("seg-" + number + ".m4s");
                    SegmentFiles.writeSegment(out, f, seg);
                    segments.add(new SegmentOutput(number, start, duration, f.sampleCount(), Files.size(seg)));
                    uploader.submit(seg, layout.audioSegmentKey(number), "audio/iso.segment");
                    written.add(layout.audioSegmentKey(number));
                }
            } // waits for every upload
            double uploadSeconds = (System.nanoTime() - t1) / 1e9;
            TrackOutput track = new TrackOutput("audio", Scratch.sha256(init), mp4.codecs(), 0, 0, mp4.sampleRate(), mp4.channels(), mp4.timescale(), segments);
            store.putJson(layout.bucket(), layout.audioResultKey(), new AudioOutput(encodeSeconds, uploadSeconds, track, sourceBytesRead));
            written.add(layout.audioResultKey());
            FailedJobCleanup.deleteIfJobFailed(store, layout, written); // the video branch may have failed the job meanwhile
            return new EncodeAudioResult(true, segments.size(), encodeSeconds);
        } catch (FragmentedMp4.MalformedMp4Exception e) {
            throw new EncodeFailedException("BadEncoderOutput", "audio: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            Scratch.delete(dir);
        }
    }
}
