package dev.fanout.encoder.plan;

import dev.fanout.encoder.model.LadderRung;
import dev.fanout.encoder.model.Rendition;
import dev.fanout.encoder.model.SourceInfo;
import dev.fanout.encoder.model.VideoCodec;

import java.util.ArrayList;
import java.util.List;

/**
 * Chooses output sizes: every configured rung whose short side fits in the source's (never
 * upscale), the display aspect ratio kept (rotation and pixel aspect applied), even dimensions.
 * A source smaller than every rung gets one rendition at its own size. A 2160 rung (4K) is a rung
 * like any other: kept when the source is at least that large, dropped otherwise.
 *
 * <p>With several codecs the plan is rung × codec, codec by codec in the order given (the first
 * codec's renditions first), every codec at the same sizes and caps: each codec is its own DASH
 * adaptation set and set of HLS variants, and all share one segment grid.
 */
public final class LadderPlanner {
    private LadderPlanner() {}

    /** An H.264-only ladder. */
    public static List<Rendition> plan(SourceInfo.Video video, List<LadderRung> ladder) {
        return plan(video, ladder, List.of(VideoCodec.H264));
    }

    public static List<Rendition> plan(SourceInfo.Video video, List<LadderRung> ladder, List<VideoCodec> codecs) {
        List<Rendition> rungs = rungs(video, ladder);
        List<Rendition> out = new ArrayList<>();
        for (VideoCodec codec : codecs) {
            for (Rendition r : rungs) {
                out.add(new Rendition(Rendition.idFor(r.id(), codec), r.width(), r.height(), r.maxrateKbps(), r.bufsizeKbps(), codec));
            }
        }
        return List.copyOf(out);
    }

    private static List<Rendition> rungs(SourceInfo.Video video, List<LadderRung> ladder) {
        double dw = video.displayWidth();
        double dh = video.displayHeight();
        boolean portrait = dh > dw;
        double sourceShort = Math.min(dw, dh);
        List<Rendition> out = new ArrayList<>();
        List<LadderRung> sorted = ladder.stream()
                .sorted((a, b) -> Integer.compare(b.shortSide(), a.shortSide())).toList();
        for (LadderRung rung : sorted) {
            if (rung.shortSide() <= sourceShort + 0.5) {
                out.add(rendition(rung.shortSide() + "p", rung.shortSide(), rung.maxrateKbps(), dw, dh, portrait));
            }
        }
        if (out.isEmpty()) {
            int side = Math.max(2, evenFloor(sourceShort));
            LadderRung smallest = sorted.get(sorted.size() - 1);
            out.add(rendition(side + "p", side, smallest.maxrateKbps(), dw, dh, portrait));
        }
        return List.copyOf(out);
    }

    private static Rendition rendition(String id, int shortSide, int maxrateKbps, double dw, double dh, boolean portrait) {
        double longSide = shortSide * Math.max(dw, dh) / Math.min(dw, dh);
        int l = Math.max(2, evenRound(longSide));
        int s = Math.max(2, evenRound(shortSide));
        int w = portrait ? s : l;
        int h = portrait ? l : s;
        // VBV buffer of 2 s at the cap: each segment's IDR frame can borrow from the rest of its
        // 2 s GOP. Measured on grain-heavy 720p at 3500 kbit/s (docs/benchmark.md): 1 s instead cut
        // 7% of the bytes and the peak segment rate from 1.23x to 1.09x the cap, but the nine
        // frames after each keyframe lost 0.6 dB — visible pumping every segment.
        return new Rendition(id, w, h, maxrateKbps, 2 * maxrateKbps);
    }

    static int evenRound(double v) { return (int) Math.round(v / 2.0) * 2; }

    static int evenFloor(double v) { return (int) Math.floor(v / 2.0) * 2; }
}
