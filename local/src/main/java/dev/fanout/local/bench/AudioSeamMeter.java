package dev.fanout.local.bench;

import dev.fanout.encoder.media.AudioPieceEncoder;
import dev.fanout.encoder.media.FragmentedMp4;
import dev.fanout.encoder.media.ProcessRunner;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Listens for seams in a joined audio track the way a signal engineer would: decode it as a
 * player does, line it up with the decoded source, and compare the error in a window around
 * each seam with the error in windows of the same size elsewhere (SNR in dB). Mono analysis: the
 * test sources are mono, encoded as two identical channels.
 */
public final class AudioSeamMeter {
    private AudioSeamMeter() {}

    /** Half a window: a window spans the AAC frame before a seam and the one after it. */
    public static final int HALF_WINDOW = 1024;

    /**
     * "Elsewhere" is the level nine windows in ten reach away from the seams (the 10th percentile),
     * not the median: AAC's scale factors move in 1.5 dB steps, so even a single-pass encode of a
     * steady tone varies by ±2 dB from window to window. A seam passes when it is no more than 1 dB
     * below that level.
     *
     * @param seamSnrDb         SNR of the window around each seam
     * @param elsewhereDb       10th percentile SNR of the windows at least four windows from any seam and half a second from the ends
     * @param medianElsewhereDb their median
     */
    public record Report(double[] seamSnrDb, double elsewhereDb, double medianElsewhereDb) {
        /** Worst seam minus the level elsewhere: the seam check passes when this is above -1 dB. */
        public double worstSeamDeficitDb() { return Arrays.stream(seamSnrDb).min().orElse(Double.NaN) - elsewhereDb; }

        public boolean seamless() { return worstSeamDeficitDb() > -1; }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder("seams");
            for (double v : seamSnrDb) s.append(String.format(" %.2f", v));
            return s.append(String.format(" dB | elsewhere %.2f (median %.2f) | worst seam %+.2f dB", elsewhereDb, medianElsewhereDb,
                    worstSeamDeficitDb())).toString();
        }
    }

    /** Concatenates an init and segments into one fragmented MP4, as a player's buffer holds them. */
    public static Path concatenate(Path init, List<Path> segments, Path target) {
        try (OutputStream out = Files.newOutputStream(target)) {
            Files.copy(init, out);
            for (Path s : segments) Files.copy(s, out);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Decodes a fragmented AAC track as its edit list says: every packet in file order, decoded
     * back to back, and the first {@code editMediaTime} samples (the priming) not presented.
     * (ffmpeg 4.4's own fMP4 demuxer trusts the sidx times over the edit list and does not trim
     * the priming of a fragmented file, so the packets go through ADTS, which has no timestamps.)
     */
    public static float[] decodeFragmented(Path ffmpeg, Path mp4, Path work) throws IOException {
        long edit = FragmentedMp4.read(mp4).editMediaTime();
        Path adts = work.resolve(mp4.getFileName() + ".aac");
        run(List.of(ffmpeg.toString(), "-nostdin", "-hide_banner", "-v", "error", "-y", "-protocol_whitelist", "file",
                "-f", "mov", "-i", mp4.toString(), "-map", "0:a:0", "-c", "copy", "-f", "adts", adts.toString()));
        float[] all = decodePcm(ffmpeg, List.of("-f", "aac", "-i", adts.toString()), work.resolve(mp4.getFileName() + ".f32"));
        return Arrays.copyOfRange(all, (int) edit, all.length);
    }

    /** Decodes a regular (non-fragmented) file with ffmpeg's own edit-list handling, at 48 kHz mono. */
    public static float[] decodeSource(Path ffmpeg, Path file, Path work) {
        return decodePcm(ffmpeg, List.of("-f", "mov", "-i", file.toString()), work.resolve(file.getFileName() + ".f32"));
    }

    private static float[] decodePcm(Path ffmpeg, List<String> input, Path pcm) {
        List<String> c = new ArrayList<>(List.of(ffmpeg.toString(), "-nostdin", "-hide_banner", "-v", "error", "-y", "-protocol_whitelist", "file"));
        c.addAll(input);
        c.addAll(List.of("-map", "0:a:0", "-ac", "1", "-ar", "48000", "-f", "f32le", pcm.toString()));
        run(c);
        try (FileChannel ch = FileChannel.open(pcm, StandardOpenOption.READ)) {
            FloatBuffer fb = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try { Files.deleteIfExists(pcm); } catch (IOException ignored) { /* scratch */ }
        }
    }

    static void run(List<String> command) {
        ProcessRunner.Result r = ProcessRunner.run(command, Duration.ofMinutes(5), 4096);
        if (!r.ok()) throw new IllegalStateException(String.join(" ", command) + " failed: " + r.stderrSummary(4));
    }

    /** The shift of {@code x} against {@code ref} (x[n + lag] ≈ ref[n]) with the least squared error over [from, from + length). */
    public static int bestLag(float[] ref, float[] x, int from, int length, int maxLag) {
        int best = 0;
        double bestErr = Double.MAX_VALUE;
        for (int lag = -maxLag; lag <= maxLag; lag++) {
            double err = 0;
            for (int i = from; i < from + length; i++) {
                double d = x[i + lag] - ref[i];
                err += d * d;
            }
            if (err < bestErr) { bestErr = err; best = lag; }
        }
        return best;
    }

    /** SNR of x against ref over [center - HALF_WINDOW, center + HALF_WINDOW), in dB. */
    static double windowSnrDb(float[] ref, float[] x, long center) {
        double signal = 0, error = 0;
        for (long i = center - HALF_WINDOW; i < center + HALF_WINDOW; i++) {
            double s = ref[(int) i];
            double d = x[(int) i] - s;
            signal += s * s;
            error += d * d;
        }
        return 10 * Math.log10(signal / Math.max(error, 1e-30));
    }

    public static Report measure(float[] ref, float[] x, long[] seams, long totalSamples) {
        double[] seam = Arrays.stream(seams).mapToDouble(s -> windowSnrDb(ref, x, s)).toArray();
        List<Double> elsewhere = new ArrayList<>();
        long end = Math.min(Math.min(ref.length, x.length), totalSamples) - 24_000;
        for (long c = 24_000; c + HALF_WINDOW <= end; c += 2 * HALF_WINDOW) {
            final long center = c;
            if (Arrays.stream(seams).allMatch(s -> Math.abs(center - s) >= 8L * HALF_WINDOW)) elsewhere.add(windowSnrDb(ref, x, c));
        }
        double[] sorted = elsewhere.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Report(seam, sorted[sorted.length / 10], sorted[sorted.length / 2]);
    }

    /** The pieces' init and segments in order, for {@link #concatenate}. */
    public static List<Path> segmentFiles(List<AudioPieceEncoder.EncodedPiece> pieces) {
        return pieces.stream().flatMap(p -> p.segmentFiles().stream()).toList();
    }
}
