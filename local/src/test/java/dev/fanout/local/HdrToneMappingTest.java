package dev.fanout.local;

import dev.fanout.encoder.media.ProcessRunner;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HDR10 tone mapping judged against a reference computed here, never by the product's filter: a
 * PQ (SMPTE ST 2084) BT.2020 source of grey patches at known luminances goes through the pipeline,
 * and each patch of the SDR output must have the code value the documented mapping gives:
 * PQ EOTF → absolute nits → Hable's curve (linear 1.0 = 100 nits, normalised so that 1000 nits,
 * the peak assumed for HDR10 without mastering metadata, is SDR white) → an SDR BT.1886 display
 * (γ 2.4, 100 nits white) → 8-bit limited range; and stay neutral (a grey patch has no chroma).
 * PQ code values shown as if they were BT.709 ("no tone mapping") are 9–54 code values off
 * on these patches; {@link #LUMA_TOLERANCE} is 4.
 */
class HdrToneMappingTest extends PipelineTestBase {

    /** Patch luminances (cd/m²), one 40 px stripe each across a 320x180 picture. */
    static final double[] NITS = {1, 10, 50, 100, 203, 400, 1000};
    static final int STRIPE = 40, WIDTH = 320, HEIGHT = 180;
    /** Code values (8-bit) a patch may be off: 10-bit → 8-bit rounding, x264 at CRF 23 on a flat patch, zimg's float math. Measured: ≤ 1. */
    static final double LUMA_TOLERANCE = 4;
    static final double CHROMA_TOLERANCE = 3;

    // SMPTE ST 2084 constants
    static final double M1 = 2610.0 / 16384, M2 = 2523.0 / 4096 * 128, C1 = 3424.0 / 4096, C2 = 2413.0 / 4096 * 32, C3 = 2392.0 / 4096 * 32;

    /** ST 2084 inverse EOTF: absolute luminance → non-linear signal in [0, 1]. */
    static double pqSignal(double nits) {
        double y = Math.pow(nits / 10000, M1);
        return Math.pow((C1 + C2 * y) / (1 + C3 * y), M2);
    }

    /** ST 2084 EOTF: signal → absolute luminance. */
    static double pqNits(double signal) {
        double p = Math.pow(signal, 1 / M2);
        return 10000 * Math.pow(Math.max(p - C1, 0) / (C2 - C3 * p), 1 / M1);
    }

    /** John Hable's filmic curve ("Uncharted 2"), with its published constants. */
    static double hable(double x) {
        double a = 0.15, b = 0.50, c = 0.10, d = 0.20, e = 0.02, f = 0.30;
        return (x * (x * a + b * c) + d * e) / (x * (x * a + b) + d * f) - e / f;
    }

    /** The expected 8-bit limited-range luma of a grey patch of {@code nits} after PQ → SDR. */
    static double expectedSdrLuma(double nits) {
        double displayed = hable(nits / 100) / hable(1000.0 / 100); // relative to SDR white
        double signal = Math.pow(Math.max(displayed, 0), 1 / 2.4); // BT.1886 inverse EOTF, black at 0
        return 16 + 219 * signal;
    }

    @Test
    void pqPatchesComeOutAtTheLuminanceAToneMappedSdrDisplayShows() throws Exception {
        int[] codes = new int[NITS.length];
        StringBuilder expr = new StringBuilder("64");
        for (int i = NITS.length - 1; i >= 0; i--) {
            codes[i] = (int) Math.round(64 + 876 * pqSignal(NITS[i])); // 10-bit limited range
            expr.insert(0, "if(lt(X\\," + (i + 1) * STRIPE + ")\\," + codes[i] + "\\,").append(')');
        }
        Path src = dir.resolve("pq.mp4");
        run(List.of(fx.bin.ffmpeg().toString(), "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                "nullsrc=s=" + WIDTH + "x" + HEIGHT + ":r=30:d=2,format=yuv420p10le,geq=lum='" + expr + "':cb=512:cr=512,"
                        + "setparams=color_primaries=bt2020:color_trc=smpte2084:colorspace=bt2020nc",
                "-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le", "-tag:v", "hvc1",
                "-x265-params", "log-level=error:lossless=1:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc", src.toString()));
        fx.upload(src, "uploads/pq.mp4");
        PipelineFixture.Job job = fx.run("uploads/pq.mp4", Map.of("LADDER", HEIGHT + "@800", "SEGMENT_SECONDS", "1", "CHUNK_SECONDS", "1"));
        assertTrue(job.outcome().succeeded(), () -> "job failed: " + job.outcome().result());

        Path joined = MediaProbe.joinTrack(job.dir().resolve("video/" + HEIGHT + "p"), job.dir().resolve("joined.mp4"));
        Path raw = dir.resolve("out.yuv");
        // a frame of each chunk (both went through their own encoder)
        run(List.of(fx.bin.ffmpeg().toString(), "-nostdin", "-v", "error", "-y", "-i", joined.toString(),
                "-vf", "select='eq(n\\,0)+eq(n\\,45)',format=yuv420p", "-vsync", "passthrough", "-f", "rawvideo", raw.toString()));
        byte[] yuv = Files.readAllBytes(raw);
        int frame = WIDTH * HEIGHT * 3 / 2;
        assertEquals(2 * frame, yuv.length, "two decoded 320x180 frames");
        List<String> rows = new ArrayList<>();
        for (int f = 0; f < 2; f++) {
            for (int i = 0; i < NITS.length; i++) {
                double nits = pqNits((codes[i] - 64) / 876.0); // what the source's code value really means
                double[] m = stripeMeans(yuv, f * frame, i);
                double want = expectedSdrLuma(nits);
                rows.add(String.format(Locale.ROOT, "frame %d patch %.0f nits: Y %.1f (expected %.1f), Cb %.1f, Cr %.1f", f == 0 ? 0 : 45, nits, m[0], want, m[1], m[2]));
                assertEquals(want, m[0], LUMA_TOLERANCE, "tone-mapped luma of the " + Math.round(nits) + " nit patch\n" + String.join("\n", rows));
                assertEquals(128, m[1], CHROMA_TOLERANCE, "grey stays grey (Cb), " + Math.round(nits) + " nits");
                assertEquals(128, m[2], CHROMA_TOLERANCE, "grey stays grey (Cr), " + Math.round(nits) + " nits");
            }
        }
        System.out.println(String.join("\n", rows));
    }

    /** Mean Y, Cb, Cr of the middle of stripe {@code i} (8 px in from each edge, all rows): away from scaler and chroma edges. */
    static double[] stripeMeans(byte[] yuv, int at, int i) {
        int x0 = i * STRIPE + 8, x1 = (i + 1) * STRIPE - 8;
        double y = 0, cb = 0, cr = 0;
        int n = 0, nc = 0;
        for (int r = 0; r < HEIGHT; r++) for (int x = x0; x < x1; x++, n++) y += yuv[at + r * WIDTH + x] & 0xff;
        int cw = WIDTH / 2, ch = HEIGHT / 2;
        for (int r = 0; r < ch; r++) {
            for (int x = x0 / 2; x < x1 / 2; x++, nc++) {
                cb += yuv[at + WIDTH * HEIGHT + r * cw + x] & 0xff;
                cr += yuv[at + WIDTH * HEIGHT + cw * ch + r * cw + x] & 0xff;
            }
        }
        return new double[]{y / n, cb / nc, cr / nc};
    }

    static void run(List<String> cmd) {
        ProcessRunner.Result r = ProcessRunner.run(cmd, Duration.ofMinutes(2), 4096);
        if (!r.ok()) throw new IllegalStateException(String.join(" ", cmd) + " failed: " + r.stderrSummary(5));
    }
}
