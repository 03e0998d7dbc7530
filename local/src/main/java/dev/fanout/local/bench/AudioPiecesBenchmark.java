package dev.fanout.local.bench;

import dev.fanout.encoder.media.AudioPieceEncoder;
import dev.fanout.encoder.media.Ffmpeg;
import dev.fanout.encoder.model.EncodeSettings;
import dev.fanout.encoder.model.JobLayout;
import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.Rendition;
import dev.fanout.encoder.model.SourceInfo;
import dev.fanout.encoder.model.SourceRef;
import dev.fanout.encoder.plan.AudioPieces;
import dev.fanout.encoder.source.SourceServer;
import dev.fanout.local.LayerBinaries;
import dev.fanout.local.ServedFile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Audio in pieces against one whole-track encode: CPU seconds (sum, and the largest piece), peak
 * memory of one ffmpeg, and the seam SNR for several pre-roll lengths. Usage:
 * {@code java -cp local/target/fanout-local.jar dev.fanout.local.bench.AudioPiecesBenchmark [minutes] [chunkSeconds]}
 */
public final class AudioPiecesBenchmark {
    private AudioPiecesBenchmark() {}

    public static void main(String[] args) throws Exception {
        int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int chunkSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        LayerBinaries bin = LayerBinaries.locate();
        Path dir = Files.createTempDirectory("audio-pieces-bench");
        Duration limit = Duration.ofMinutes(30);
        try (ServedFile served = ServedFile.store(dir.resolve("s3"))) {
            run(bin, dir, limit, served, minutes, chunkSeconds);
        }
    }

    private static void run(LayerBinaries bin, Path dir, Duration limit, ServedFile served, int minutes, int chunkSeconds) throws Exception {

        Path source = make(bin, dir, "pink.mp4", "anoisesrc=color=pink:sample_rate=48000:amplitude=0.3:seed=3:duration=" + minutes * 60);
        JobPlan plan = plan(source, minutes * 60, chunkSeconds, 48_000);
        AudioPieces pieces = AudioPieces.of(plan);

        double wholeCpu;
        long wholePeak;
        try (ChildProcessMeter m = new ChildProcessMeter()) {
            try (SourceServer server = served.serve(source)) {
                Ffmpeg.runEncode("whole track", SinglePassAudio.command(bin.ffmpeg(), server.url(), plan, dir.resolve("whole.mp4")), limit, server);
            }
            wholeCpu = m.cpuSeconds();
            wholePeak = m.peakSingleProcessBytes();
        }
        double sum = 0, max = 0;
        long peak = 0;
        for (int k = 0; k < pieces.pieceCount(); k++) {
            try (ChildProcessMeter m = new ChildProcessMeter()) {
                Path pd = Files.createDirectories(dir.resolve("p" + k));
                try (SourceServer server = served.serve(source)) {
                    AudioPieceEncoder.encode(bin.ffmpeg(), limit, server, plan, pieces, k, pd);
                }
                sum += m.cpuSeconds();
                max = Math.max(max, m.cpuSeconds());
                peak = Math.max(peak, m.peakSingleProcessBytes());
            }
        }
        System.out.printf("%d min source, %d s chunks: whole track %.2f CPU s (peak %d MB); %d pieces %.2f CPU s in all (%.2fx), largest piece %.2f CPU s (peak %d MB)%n",
                minutes, chunkSeconds, wholeCpu, wholePeak >> 20, pieces.pieceCount(), sum, sum / wholeCpu, max, peak >> 20);

        // seam SNR by pre-roll, on 35 s sources at 2.5 s chunks (13 seams each)
        String[][] signals = {
                {"tone", "sine=frequency=997:sample_rate=48000:duration=35"},
                {"white noise", "anoisesrc=color=white:sample_rate=48000:amplitude=0.3:seed=7:duration=35"},
                {"pink noise", "anoisesrc=color=pink:sample_rate=48000:amplitude=0.3:seed=7:duration=35"},
                {"clicks", "aevalsrc=exprs='0.3*sin(2*PI*440*t)+0.6*exp(-800*mod(t\\,0.0371))*sin(2*PI*3000*t)':s=48000:d=35"}};
        int[][] rolls = {{0, 0}, {0, 2}, {1, 2}, {2, 2}, {4, 2}, {8, 2}, {16, 2}};
        for (String[] s : signals) {
            Path src = make(bin, dir, s[0].replace(' ', '-') + ".mp4", s[1]);
            JobPlan p = plan(src, 35, 0, 48_000);
            float[] ref = AudioSeamMeter.decodeSource(bin.ffmpeg(), src, dir);
            Path single = dir.resolve("single-" + src.getFileName());
            try (SourceServer server = served.serve(src)) {
                Ffmpeg.runEncode("single pass", SinglePassAudio.command(bin.ffmpeg(), server.url(), p, single), limit, server);
            }
            AudioPieces grid = AudioPieces.of(p);
            long[] seams = new long[grid.pieceCount() - 1];
            for (int k = 1; k < grid.pieceCount(); k++) seams[k - 1] = grid.startSample(k);
            AudioSeamMeter.Report sp = AudioSeamMeter.measure(ref, AudioSeamMeter.decodeFragmented(bin.ffmpeg(), single, dir), seams, grid.totalSamples());
            System.out.printf("%-12s single pass          %s%n", s[0], sp);
            for (int[] roll : rolls) {
                AudioPieces ap = AudioPieces.of(p, roll[0], roll[1]);
                Path pd = Files.createDirectories(dir.resolve(s[0].replace(' ', '-') + "-" + roll[0] + "-" + roll[1]));
                List<AudioPieceEncoder.EncodedPiece> enc = new ArrayList<>();
                try (SourceServer server = served.serve(src)) {
                    for (int k = 0; k < ap.pieceCount(); k++) enc.add(AudioPieceEncoder.encode(bin.ffmpeg(), limit, server, p, ap, k, pd));
                }
                Path joined = AudioSeamMeter.concatenate(enc.get(0).init(), AudioSeamMeter.segmentFiles(enc), pd.resolve("joined.mp4"));
                AudioSeamMeter.Report r = AudioSeamMeter.measure(ref, AudioSeamMeter.decodeFragmented(bin.ffmpeg(), joined, dir), seams, ap.totalSamples());
                double vsSingle = Double.MAX_VALUE;
                for (int i = 0; i < seams.length; i++) vsSingle = Math.min(vsSingle, r.seamSnrDb()[i] - sp.seamSnrDb()[i]);
                System.out.printf("%-12s pre %2d post %d frames %s | worst seam vs single pass there %+.2f dB%n", s[0], roll[0], roll[1], r, vsSingle);
            }
        }
    }

    static Path make(LayerBinaries bin, Path dir, String name, String lavfi) {
        Path out = dir.resolve(name);
        Ffmpeg.runOnOwnFiles("making " + name, List.of(bin.ffmpeg().toString(), "-nostdin", "-hide_banner", "-v", "error", "-y",
                "-f", "lavfi", "-i", lavfi, "-c:a", "aac", "-b:a", "256k", out.toString()), Duration.ofMinutes(10));
        return out;
    }

    /** chunkSeconds 0: 2.5 s chunks of 1.25 s segments, for many seams in a short source. */
    static JobPlan plan(Path source, int seconds, int chunkSeconds, int sampleRate) {
        Rational fps = Rational.of(30, 1);
        long frames = seconds * 30L;
        int segmentFrames = chunkSeconds == 0 ? 38 : 60;
        int chunkFrames = chunkSeconds == 0 ? 76 : chunkSeconds * 30;
        SourceInfo.Video v = new SourceInfo.Video("h264", 640, 360, 0, Rational.of(1, 1), fps, frames, "yuv420p", 0, "progressive", "bt709", true);
        SourceInfo info = new SourceInfo("mov", 1, seconds, v, List.of(new SourceInfo.Audio("aac", sampleRate, 1, 0, seconds)));
        int chunks = (int) ((frames + chunkFrames - 1) / chunkFrames);
        int segments = (int) ((frames + segmentFrames - 1) / segmentFrames);
        return new JobPlan("bench", new SourceRef("b", source.toString(), "e", 1), info, fps, frames, segmentFrames, chunkFrames, chunks, segments,
                List.of(new Rendition("360p", 640, 360, 1000, 2000)), new EncodeSettings("veryfast", 23, 128), JobLayout.of("out", "bench"), 0, 0, 0);
    }
}
