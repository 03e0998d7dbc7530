package dev.fanout.encoder.manifest;

import dev.fanout.encoder.errors.EncodeFailedException;
import dev.fanout.encoder.model.ChunkOutput;
import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.SegmentOutput;
import dev.fanout.encoder.model.SourceInfo;
import dev.fanout.encoder.model.TestPlans;
import dev.fanout.encoder.model.TrackOutput;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PresentationAssemblerTest {
    static final long SEG = 60060; // 60 frames at 30000/1001 in timescale 30000

    /** The plan has 900 frames, 60-frame segments, 300-frame chunks: 3 chunks of 5 segments. */
    static List<ChunkOutput> chunks(JobPlan plan, String init) {
        List<ChunkOutput> out = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            List<TrackOutput> tracks = new ArrayList<>();
            for (var r : plan.renditions()) {
                List<SegmentOutput> segs = new ArrayList<>();
                for (int s = 0; s < 5; s++) {
                    int n = c * 5 + s + 1;
                    segs.add(new SegmentOutput(n, (n - 1) * SEG, SEG, 60, 1000));
                }
                tracks.add(new TrackOutput(r.id(), init, "avc1.64001f", r.width(), r.height(), 0, 0, 30000, segs));
            }
            out.add(new ChunkOutput(c, c * 300L, 300, 1, 1, tracks, 0, 1, null));
        }
        return out;
    }

    @Test
    void joinsChunksIntoOneTimeline() {
        JobPlan plan = TestPlans.ntsc720();
        Presentation p = PresentationAssembler.assemble(plan, chunks(plan, "h"), List.of());
        assertEquals(List.of(new Presentation.TimelineRun(0, SEG, 14)), p.video().timeline());
        assertEquals(30000, p.video().timescale());
        assertEquals((long) Math.ceil(1000 * 8 * 30000.0 / SEG), p.video().representations().get(0).bandwidth());
    }

    @Test
    void refusesGapsMissingChunksAndMixedInits() {
        JobPlan plan = TestPlans.ntsc720();
        List<ChunkOutput> missing = new ArrayList<>(chunks(plan, "h"));
        missing.remove(1);
        assertThrows(EncodeFailedException.class, () -> PresentationAssembler.assemble(plan, missing, List.of()));

        List<ChunkOutput> mixed = new ArrayList<>(chunks(plan, "h"));
        mixed.set(2, chunks(plan, "other").get(2));
        assertTrue(assertThrows(EncodeFailedException.class, () -> PresentationAssembler.assemble(plan, mixed, List.of()))
                .getMessage().contains("different init"));

        List<ChunkOutput> gap = new ArrayList<>(chunks(plan, "h"));
        ChunkOutput c1 = gap.get(1);
        List<TrackOutput> shifted = c1.renditions().stream().map(t -> new TrackOutput(t.trackId(), t.initSha256(), t.codecs(), t.width(), t.height(),
                0, 0, t.timescale(), t.segments().stream().map(s -> new SegmentOutput(s.number(), s.startTime() + 1001, s.duration(), s.frames(), s.bytes())).toList())).toList();
        gap.set(1, new ChunkOutput(1, 300, 300, 1, 1, shifted, 0, 1, null));
        assertTrue(assertThrows(EncodeFailedException.class, () -> PresentationAssembler.assemble(plan, gap, List.of()))
                .getMessage().contains("gap between segments 5 and 6"));
    }

    /** Audio records as the audio stage writes them: 2.002 s AAC segments in timescale 48000, covering the plan's 30.03 s. */
    static TrackOutput audio(int segmentCount) {
        long seg = 96096;
        List<SegmentOutput> segs = new ArrayList<>();
        for (int n = 1; n <= segmentCount; n++) segs.add(new SegmentOutput(n, (n - 1) * seg, seg, 94, 30_000));
        return new TrackOutput("audio", "a", "mp4a.40.2", 0, 0, 48000, 2, 48000, segs);
    }

    @Test
    void audioMustHaveTheSegmentsThePlanImplies() {
        JobPlan plan = withAudio(TestPlans.ntsc720());
        assertEquals(List.of(new Presentation.TimelineRun(0, 96096, 14)),
                PresentationAssembler.assemble(plan, chunks(plan, "h"), List.of(audio(15))).audio().get(0).timeline(), "15 video segments of 2.002 s: 15 audio segments");
        // one segment short: a continuous track from 0 that ends 2 s before the video must not be published
        assertTrue(assertThrows(EncodeFailedException.class, () -> PresentationAssembler.assemble(plan, chunks(plan, "h"), List.of(audio(14))))
                .getMessage().contains("audio has 14 segments; expected 15"));
    }

    @Test
    void aVideoTailUnderHalfASegmentHasNoAudioSegmentOfItsOwn() {
        JobPlan p = TestPlans.ntsc720();
        JobPlan shortTail = new JobPlan(p.jobId(), p.source(), p.sourceInfo(), p.frameRate(), 850, p.segmentFrames(), p.chunkFrames(),
                p.chunkCount(), 15, p.renditions(), p.encode(), p.layout(), 0, 0, 0);
        assertEquals(14, PresentationAssembler.expectedAudioSegments(shortTail), "a 0.33 s tail joins the segment before it");
        assertEquals(15, PresentationAssembler.expectedAudioSegments(p), "15 full video segments, 15 audio segments");
    }

    /** Chunk outputs with one rendition's segments changed by {@code edit} (segment number, segment) -> segment. */
    static List<ChunkOutput> edited(JobPlan plan, String rendition, java.util.function.BiFunction<Integer, SegmentOutput, SegmentOutput> edit) {
        List<ChunkOutput> out = new ArrayList<>();
        for (ChunkOutput c : chunks(plan, "h")) {
            List<TrackOutput> tracks = c.renditions().stream().map(t -> !t.trackId().equals(rendition) ? t
                    : new TrackOutput(t.trackId(), t.initSha256(), t.codecs(), t.width(), t.height(), 0, 0, t.timescale(),
                    t.segments().stream().map(s -> edit.apply(s.number(), s)).toList())).toList();
            out.add(new ChunkOutput(c.chunkIndex(), c.startFrame(), c.frameCount(), c.encodeSeconds(), c.uploadSeconds(), tracks, 0, 1, null));
        }
        return out;
    }

    static SegmentOutput startingAt(SegmentOutput s, long start) {
        return new SegmentOutput(s.number(), start, s.duration(), s.frames(), s.bytes());
    }

    static SegmentOutput lasting(SegmentOutput s, long duration) {
        return new SegmentOutput(s.number(), s.startTime(), duration, s.frames(), s.bytes());
    }

    static String refusal(JobPlan plan, List<ChunkOutput> chunks, TrackOutput audio) {
        return assertThrows(EncodeFailedException.class, () -> PresentationAssembler.assemble(plan, chunks, audio == null ? List.of() : List.of(audio))).getMessage();
    }

    @Test
    void refusesVideoSegmentsThatOverlapOrLeaveAGapAtASeamOrInsideAChunk() {
        JobPlan plan = TestPlans.ntsc720();
        // chunk 1 starts a frame early: its first segment overlaps the last of chunk 0
        String seam = refusal(plan, edited(plan, "720p", (n, s) -> n >= 6 && n <= 10 ? startingAt(s, s.startTime() - 1001) : s), null);
        assertTrue(seam.contains("rendition 720p: overlap between segments 5 and 6"), seam);
        // inside chunk 1, segment 8 lasts a frame too long (same frame count): it overlaps 9
        String inside = refusal(plan, edited(plan, "720p", (n, s) -> n == 8 ? lasting(s, SEG + 1001) : s), null);
        assertTrue(inside.contains("rendition 720p: overlap between segments 8 and 9"), inside);
        String gap = refusal(plan, edited(plan, "720p", (n, s) -> n == 8 ? lasting(s, SEG - 1001) : s), null);
        assertTrue(gap.contains("rendition 720p: gap between segments 8 and 9"), gap);
        // only the second rendition overlaps: every rendition is checked, not just the first
        String second = refusal(plan, edited(plan, "360p", (n, s) -> n >= 11 ? startingAt(s, s.startTime() - 1) : s), null);
        assertTrue(second.contains("rendition 360p: overlap between segments 10 and 11"), second);
    }

    /** The plan above with a stereo AAC track: 15 audio segments of 2.002 s at 48 kHz, continuous from 0. */
    static JobPlan withAudio(JobPlan p) {
        SourceInfo s = p.sourceInfo();
        return new JobPlan(p.jobId(), p.source(), new SourceInfo(s.formatName(), s.sizeBytes(), s.durationSeconds(), s.video(),
                List.of(new SourceInfo.Audio("aac", 48000, 2, 0, s.durationSeconds()))), p.frameRate(), p.totalFrames(), p.segmentFrames(),
                p.chunkFrames(), p.chunkCount(), p.segmentCount(), p.renditions(), p.encode(), p.layout(), p.createdAtEpochMillis(), p.probeSeconds(), p.sourceBytesRead());
    }

    static final long AUDIO_SEG = 96096; // 2.002 s at 48 kHz

    static TrackOutput audio(java.util.function.BiFunction<Integer, SegmentOutput, SegmentOutput> edit) {
        List<SegmentOutput> segs = new ArrayList<>();
        for (int n = 1; n <= 15; n++) segs.add(edit.apply(n, new SegmentOutput(n, (n - 1) * AUDIO_SEG, AUDIO_SEG, 94, 32_000)));
        return new TrackOutput("audio", "a", "mp4a.40.2", 0, 0, 48000, 2, 48000, segs);
    }

    @Test
    void refusesAudioSegmentsThatOverlapOrLeaveAGap() {
        JobPlan plan = withAudio(TestPlans.ntsc720());
        Presentation ok = PresentationAssembler.assemble(plan, chunks(plan, "h"), List.of(audio((n, s) -> s)));
        assertEquals(List.of(new Presentation.TimelineRun(0, AUDIO_SEG, 14)), ok.audio().get(0).timeline(), "the unedited audio is accepted");

        String overlap = refusal(plan, chunks(plan, "h"), audio((n, s) -> n >= 4 ? startingAt(s, s.startTime() - 1024) : s));
        assertTrue(overlap.contains("audio: overlap between segments 3 and 4"), overlap);
        String inside = refusal(plan, chunks(plan, "h"), audio((n, s) -> n == 9 ? lasting(s, AUDIO_SEG + 1024) : s));
        assertTrue(inside.contains("audio: overlap between segments 9 and 10"), inside);
        String gap = refusal(plan, chunks(plan, "h"), audio((n, s) -> n >= 4 ? startingAt(s, s.startTime() + 1024) : s));
        assertTrue(gap.contains("audio: gap between segments 3 and 4"), gap);
    }

    @Test
    void peakBandwidthIsRfc8216sPeakSegmentBitRate() {
        // 2.002 s segments: target duration 3 s, so runs of 1.5 s to 4.5 s count
        List<SegmentOutput> shortDenseTail = List.of(new SegmentOutput(1, 0, SEG, 60, 250_000), new SegmentOutput(2, SEG, SEG, 60, 200_000),
                new SegmentOutput(3, 2 * SEG, 3003, 3, 100_000));
        // the 0.1 s tail alone would be 8 Mbit/s; it is below half the target duration, so it counts with segment 2
        assertEquals((long) Math.ceil(300_000 * 8 * 30000.0 / (SEG + 3003)),
                PresentationAssembler.peakBandwidth(shortDenseTail, 30000));
        assertTrue(PresentationAssembler.peakBandwidth(shortDenseTail, 30000) > 250_000 * 8 * 30000.0 / SEG, "the dense tail raises the peak");

        // 2 s segments at 30 fps: target 2 s, a 1 s tail is half of it and counts alone
        List<SegmentOutput> halfTail = List.of(new SegmentOutput(1, 0, 60, 60, 100_000), new SegmentOutput(2, 60, 30, 30, 90_000));
        assertEquals(720_000, PresentationAssembler.peakBandwidth(halfTail, 30));

        // shorter than half a target duration in all: the whole
        assertEquals(400_000, PresentationAssembler.peakBandwidth(List.of(new SegmentOutput(1, 0, 12, 12, 20_000)), 30));
    }
}
