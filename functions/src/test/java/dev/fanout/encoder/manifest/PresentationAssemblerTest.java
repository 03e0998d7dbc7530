package dev.fanout.encoder.manifest;

import dev.fanout.encoder.errors.EncodeFailedException;
import dev.fanout.encoder.model.ChunkOutput;
import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.SegmentOutput;
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
            out.add(new ChunkOutput(c, c * 300L, 300, 1, 1, tracks, 0));
        }
        return out;
    }

    @Test
    void joinsChunksIntoOneTimeline() {
        JobPlan plan = TestPlans.ntsc720();
        Presentation p = PresentationAssembler.assemble(plan, chunks(plan, "h"), null);
        assertEquals(List.of(new Presentation.TimelineRun(0, SEG, 14)), p.video().timeline());
        assertEquals(30000, p.video().timescale());
        assertEquals((long) Math.ceil(1000 * 8 * 30000.0 / SEG), p.video().representations().get(0).bandwidth());
    }

    @Test
    void refusesGapsOverlapsMissingChunksAndMixedInits() {
        JobPlan plan = TestPlans.ntsc720();
        List<ChunkOutput> missing = new ArrayList<>(chunks(plan, "h"));
        missing.remove(1);
        assertThrows(EncodeFailedException.class, () -> PresentationAssembler.assemble(plan, missing, null));

        List<ChunkOutput> mixed = new ArrayList<>(chunks(plan, "h"));
        mixed.set(2, chunks(plan, "other").get(2));
        assertTrue(assertThrows(EncodeFailedException.class, () -> PresentationAssembler.assemble(plan, mixed, null))
                .getMessage().contains("different init"));

        List<ChunkOutput> gap = new ArrayList<>(chunks(plan, "h"));
        ChunkOutput c1 = gap.get(1);
        List<TrackOutput> shifted = c1.renditions().stream().map(t -> new TrackOutput(t.trackId(), t.initSha256(), t.codecs(), t.width(), t.height(),
                0, 0, t.timescale(), t.segments().stream().map(s -> new SegmentOutput(s.number(), s.startTime() + 1001, s.duration(), s.frames(), s.bytes())).toList())).toList();
        gap.set(1, new ChunkOutput(1, 300, 300, 1, 1, shifted, 0));
        assertTrue(assertThrows(EncodeFailedException.class, () -> PresentationAssembler.assemble(plan, gap, null))
                .getMessage().contains("gap between segments 5 and 6"));
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
