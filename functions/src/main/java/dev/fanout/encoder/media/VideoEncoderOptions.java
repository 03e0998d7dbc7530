package dev.fanout.encoder.media;

import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.Rendition;
import dev.fanout.encoder.model.VideoCodec;

import java.util.List;

/**
 * The encoder arguments of one rendition, per codec. Pure. What every codec keeps, because the
 * packager proves it and players rely on it:
 * <ul>
 *   <li>a GOP of exactly one segment with no extra keyframes (no scene cuts), closed, so every
 *       segment starts with a random access point and the chunks cut on the same grid;</li>
 *   <li>a capped CRF: the codec's quality value with the rung's maxrate and VBV buffer;</li>
 *   <li>settings identical in every chunk and nothing per run in the headers, so each rendition's
 *       init segment is byte-identical in every chunk.</li>
 * </ul>
 */
final class VideoEncoderOptions {
    private VideoEncoderOptions() {}

    /**
     * libaom's {@code -cpu-used}: 6 was chosen by measurement (docs/codecs.md): against 4 it took
     * a fraction of the CPU time for nearly the same bytes and PSNR, and 8 was not faster enough to
     * pay for what it lost.
     */
    static final int AV1_CPU_USED = 6;

    static List<String> of(JobPlan plan, Rendition r) {
        int quality = plan.encode().quality(r.codec());
        return switch (r.codec()) {
            case H264 -> h264(plan.encode().x264Preset(), quality, r, plan.segmentFrames());
            case HEVC -> hevc(plan.encode().x264Preset(), quality, r, plan.segmentFrames());
            case AV1 -> av1(AV1_CPU_USED, quality, r, plan.segmentFrames());
        };
    }

    /** x264: High profile, an IDR every {@code gop} frames and nowhere else. */
    static List<String> h264(String preset, int crf, Rendition r, int gop) {
        String g = Integer.toString(gop);
        return List.of("-c:v", "libx264", "-preset", preset, "-crf", Integer.toString(crf),
                "-maxrate", r.maxrateKbps() + "k", "-bufsize", r.bufsizeKbps() + "k", "-profile:v", "high",
                "-g", g, "-keyint_min", g, "-sc_threshold", "0");
    }

    /**
     * x265 at the same preset name as x264 (the two share the scale ultrafast…placebo). The
     * {@code hvc1} sample entry keeps the parameter sets in the init segment only, which is what
     * CMAF and HLS require of HEVC (Apple's HLS authoring spec: "hvc1"); ffmpeg's default is hev1.
     * {@code open-gop=0}: every keyframe an IDR (a CRA would let the next segment's leading
     * pictures reference the one before); {@code scenecut=0} with keyint = min-keyint: keyframes
     * on the segment grid only; {@code info=0}: no SEI with x265's version and options string in
     * the stream; log level error: x265 prints its banner and statistics at info.
     */
    static List<String> hevc(String preset, int crf, Rendition r, int gop) {
        String x265 = "keyint=" + gop + ":min-keyint=" + gop + ":scenecut=0:open-gop=0:info=0:log-level=error";
        return List.of("-c:v", "libx265", "-preset", preset, "-crf", Integer.toString(crf),
                "-maxrate", r.maxrateKbps() + "k", "-bufsize", r.bufsizeKbps() + "k", "-profile:v", "main",
                "-x265-params", x265, "-tag:v", "hvc1");
    }

    /**
     * libaom in constrained-quality mode: {@code -crf} with {@code -b:v} at the rung's cap (in CQ
     * mode the target bit rate is the ceiling CRF may not exceed). {@code -g} and {@code -keyint_min}
     * set kf-max-dist and kf-min-dist: equal, a key frame exactly every segment and no automatic
     * ones. Row multithreading and tiles so one encode uses the Lambda's cores.
     */
    static List<String> av1(int cpuUsed, int crf, Rendition r, int gop) {
        String g = Integer.toString(gop);
        return List.of("-c:v", "libaom-av1", "-usage", "good", "-cpu-used", Integer.toString(cpuUsed),
                "-row-mt", "1", "-tiles", av1Tiles(r), "-crf", Integer.toString(crf),
                "-b:v", r.maxrateKbps() + "k", "-maxrate", r.maxrateKbps() + "k", "-bufsize", r.bufsizeKbps() + "k",
                "-g", g, "-keyint_min", g);
    }

    /** Tile columns x rows: about one tile per 640x540 of picture up to 4x2 (more threads, a little less compression). */
    static String av1Tiles(Rendition r) {
        int longSide = Math.max(r.width(), r.height());
        int shortSide = Math.min(r.width(), r.height());
        int columns = longSide >= 2560 ? 4 : longSide >= 1280 ? 2 : 1;
        int rows = shortSide >= 1080 ? 2 : 1;
        return r.width() >= r.height() ? columns + "x" + rows : rows + "x" + columns;
    }
}
