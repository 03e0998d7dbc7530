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
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reducer's refusals, one per way a set of chunk records can be wrong, each with the named
 * error and the detail an operator reads; and what it takes from the right records.
 */
class PresentationAssemblerChecksTest {
    static final long SEG = PresentationAssemblerTest.SEG;

    /** The 3 chunks of 5 segments of TestPlans.ntsc720, 720p segments 1000 bytes each and 360p 300. */
    static List<ChunkOutput> chunks(JobPlan plan) {
        List<ChunkOutput> out = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            List<TrackOutput> tracks = new ArrayList<>();
            for (var r : plan.renditions()) {
                List<SegmentOutput> segs = new ArrayList<>();
                for (int s = 0; s < 5; s++) {
                    int n = c * 5 + s + 1;
                    segs.add(new SegmentOutput(n, (n - 1) * SEG, SEG, 60, r.id().equals("720p") ? 1000 : 300));
                }
                tracks.add(new TrackOutput(r.id(), "h", "avc1.64001f", r.width(), r.height(), 0, 0, 30000, segs));
            }
            out.add(new ChunkOutput(c, c * 300L, 300, 1, 1, tracks, 0, 1, null));
        }
        return out;
    }

    static ChunkOutput withTracks(ChunkOutput c, UnaryOperator<List<TrackOutput>> change) {
        return new ChunkOutput(c.chunkIndex(), c.startFrame(), c.frameCount(), 1, 1, change.apply(new ArrayList<>(c.renditions())), 0, 1, null);
    }

    static TrackOutput withSegments(TrackOutput t, List<SegmentOutput> segments) {
        return new TrackOutput(t.trackId(), t.initSha256(), t.codecs(), t.width(), t.height(), 0, 0, t.timescale(), segments);
    }

    static String refusal(JobPlan plan, List<ChunkOutput> chunks, TrackOutput audio) {
        EncodeFailedException e = assertThrows(EncodeFailedException.class, () -> PresentationAssembler.assemble(plan, chunks, audio == null ? List.of() : List.of(audio)));
        assertEquals("EncodeFailed.InconsistentChunks", e.errorName(), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aDuplicatedChunkRecordDoesNotStandInForAMissingOne() {
        JobPlan plan = TestPlans.ntsc720();
        List<ChunkOutput> c = new ArrayList<>(chunks(plan));
        c.set(2, c.get(1)); // three records, but chunk 1 twice and chunk 2 never
        String m = refusal(plan, c, null);
        assertTrue(m.contains("chunk 2 is missing"), m);
    }

    @Test
    void eachRenditionIsTakenByItsIdWhateverOrderAChunkListsThem() {
        JobPlan plan = TestPlans.ntsc720();
        List<ChunkOutput> c = new ArrayList<>(chunks(plan));
        c.set(1, withTracks(c.get(1), t -> List.of(t.get(1), t.get(0))));
        Presentation p = PresentationAssembler.assemble(plan, c, List.of());
        assertEquals(List.of("720p", "360p"), p.video().representations().stream().map(Presentation.Representation::id).toList());
        assertEquals(List.of(15_000L, 4_500L), p.video().representations().stream().map(Presentation.Representation::bytes).toList(),
                "every 720p segment is 1000 bytes, every 360p one 300");
    }

    @Test
    void aChunkWithoutOneOfTheRenditionsIsNamed() {
        JobPlan plan = TestPlans.ntsc720();
        List<ChunkOutput> c = new ArrayList<>(chunks(plan));
        c.set(2, withTracks(c.get(2), t -> List.of(t.get(0))));
        String m = refusal(plan, c, null);
        assertTrue(m.contains("chunk 2 has no rendition 360p"), m);
    }

    @Test
    void aSegmentOfNoDurationIsRefused() {
        JobPlan plan = TestPlans.ntsc720();
        List<ChunkOutput> c = new ArrayList<>(chunks(plan));
        // the last 720p segment says 0 ticks (its 60 frames still counted)
        c.set(2, withTracks(c.get(2), t -> {
            List<SegmentOutput> s = new ArrayList<>(t.get(0).segments());
            SegmentOutput last = s.get(4);
            s.set(4, new SegmentOutput(last.number(), last.startTime(), 0, last.frames(), last.bytes()));
            t.set(0, withSegments(t.get(0), s));
            return t;
        }));
        String m = refusal(plan, c, null);
        assertTrue(m.contains("rendition 720p: segment 15 has no duration"), m);
    }

    @Test
    void overlappingChunksAreRefusedAsAnOverlap() {
        JobPlan plan = TestPlans.ntsc720();
        List<ChunkOutput> c = new ArrayList<>(chunks(plan));
        // chunk 1 starts one frame (1001 ticks) before chunk 0 ends
        c.set(1, withTracks(c.get(1), t -> t.stream().map(tr -> withSegments(tr, tr.segments().stream()
                .map(s -> new SegmentOutput(s.number(), s.startTime() - 1001, s.duration(), s.frames(), s.bytes())).toList())).toList()));
        String m = refusal(plan, c, null);
        assertTrue(m.contains("overlap between segments 5 and 6 (300300 vs 299299)"), m);
    }

    @Test
    void renditionsCutAtDifferentTimesAreNotAligned() {
        JobPlan plan = TestPlans.ntsc720();
        List<ChunkOutput> c = new ArrayList<>(chunks(plan));
        // 360p's first two segments split one frame later: continuous, same count and frames, but a
        // player switching renditions at segment 2 would repeat a frame
        c.set(0, withTracks(c.get(0), t -> {
            List<SegmentOutput> s = new ArrayList<>(t.get(1).segments());
            s.set(0, new SegmentOutput(1, 0, SEG + 1001, 61, 300));
            s.set(1, new SegmentOutput(2, SEG + 1001, SEG - 1001, 59, 300));
            t.set(1, withSegments(t.get(1), s));
            return t;
        }));
        String m = refusal(plan, c, null);
        assertTrue(m.contains("rendition 360p is not segment-aligned with 720p"), m);
    }

    @Test
    void renditionsInDifferentTimescalesAreNotAligned() {
        JobPlan plan = TestPlans.ntsc720();
        List<ChunkOutput> c = new ArrayList<>();
        for (ChunkOutput chunk : chunks(plan)) {
            c.add(withTracks(chunk, t -> {
                TrackOutput sd = t.get(1);
                // the same times in a 60000 timescale: every number doubles
                t.set(1, new TrackOutput(sd.trackId(), sd.initSha256(), sd.codecs(), sd.width(), sd.height(), 0, 0, 60000,
                        sd.segments().stream().map(s -> new SegmentOutput(s.number(), 2 * s.startTime(), 2 * s.duration(), s.frames(), s.bytes())).toList()));
                return t;
            }));
        }
        String m = refusal(plan, c, null);
        assertTrue(m.contains("rendition 360p is not segment-aligned with 720p"), m);
    }

    static JobPlan withAudio(JobPlan p) {
        SourceInfo s = p.sourceInfo();
        SourceInfo withAudio = new SourceInfo(s.formatName(), s.sizeBytes(), s.durationSeconds(), s.video(),
                List.of(new SourceInfo.Audio("aac", 48000, 2, 0, 30)));
        return new JobPlan(p.jobId(), p.source(), withAudio, p.frameRate(), p.totalFrames(), p.segmentFrames(), p.chunkFrames(),
                p.chunkCount(), p.segmentCount(), p.renditions(), p.encode(), p.layout(), 0, 0, 0);
    }

    /** 30.03 s of AAC at 48 kHz: fragments of 94 frames (96256 ticks), the last one shorter. */
    static TrackOutput audio(long... durations) {
        List<SegmentOutput> segs = new ArrayList<>();
        long t = 0;
        for (int i = 0; i < durations.length; i++) {
            segs.add(new SegmentOutput(i + 1, t, durations[i], (int) (durations[i] / 1024), 20_000));
            t += durations[i];
        }
        return new TrackOutput("audio", "a", "mp4a.40.2", 0, 0, 48000, 2, 48000, segs);
    }

    @Test
    void aSourceWithAudioNeedsTheAudioRecord() {
        JobPlan plan = withAudio(TestPlans.ntsc720());
        String m = refusal(plan, chunks(plan), null);
        assertTrue(m.contains("the source has audio but no audio track was recorded"), m);
    }

    @Test
    void theAudioTimelineIsCheckedLikeTheVideo() {
        JobPlan plan = withAudio(TestPlans.ntsc720());
        TrackOutput good = audio(96_256, 96_256, 96_256, 96_256, 96_256, 96_256, 96_256, 96_256, 96_256, 96_256, 96_256, 96_256, 96_256, 96_256, 94_400);
        List<SegmentOutput> gapped = new ArrayList<>(good.segments());
        SegmentOutput s3 = gapped.get(2);
        gapped.set(2, new SegmentOutput(3, s3.startTime() + 1024, s3.duration(), s3.frames(), s3.bytes()));
        TrackOutput gap = withSegments(good, gapped);
        String m = refusal(plan, chunks(plan), gap);
        assertTrue(m.contains("audio: gap between segments 2 and 3"), m);

        Presentation p = PresentationAssembler.assemble(plan, chunks(plan), List.of(good));
        Presentation.AudioSet a = p.audio().get(0);
        assertEquals(48000, a.timescale());
        assertEquals("mp4a.40.2", a.codecs());
        assertEquals(2, a.channels());
        assertEquals(15 * 20_000L, a.bytes());
        assertEquals(List.of(new Presentation.TimelineRun(0, 96_256, 13), new Presentation.TimelineRun(14 * 96_256L, 94_400, 0)), a.timeline());
    }

    @Test
    void aRunOfExactlyOneAndAHalfTargetDurationsCountsForThePeak() {
        // timescale 10: segments of 0.8, 1.4, 0.8 and 1.4 s; target 2 s, so runs of 1 s to 3 s count.
        // 0.8 + 1.4 + 0.8 = 3.0 s holds 2100 bytes: 5600 bit/s, more than any shorter run
        // (0.8 + 1.4: 1100 bytes in 2.2 s = 4000 bit/s) and than the whole (4000 bit/s).
        List<SegmentOutput> s = List.of(new SegmentOutput(1, 0, 8, 8, 1000), new SegmentOutput(2, 8, 14, 14, 100),
                new SegmentOutput(3, 22, 8, 8, 1000), new SegmentOutput(4, 30, 14, 14, 100));
        assertEquals(5600, PresentationAssembler.peakBandwidth(s, 10));
    }
}
