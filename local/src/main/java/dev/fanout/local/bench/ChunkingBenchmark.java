package dev.fanout.local.bench;

import dev.fanout.encoder.media.FfmpegCommands;
import dev.fanout.encoder.media.ProcessRunner;
import dev.fanout.encoder.model.JobLayout;
import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.Rendition;
import dev.fanout.encoder.storage.ObjectStore;
import dev.fanout.local.LayerBinaries;
import dev.fanout.local.LocalStateMachine;
import dev.fanout.local.LocalS3;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Chunked pipeline vs one monolithic ffmpeg DASH encode of the same ladder and settings, on the
 * same generated 1080p source: ffmpeg CPU seconds, wall seconds, peak RSS, output bytes and mean
 * PSNR per rendition, for several chunk lengths.
 *
 * <pre>scripts/benchmark.sh [--seconds 30] [--chunks 4,6,10,20] [--default 10] [--jobs 2] [--out bench-out]</pre>
 */
public final class ChunkingBenchmark {
    record Run(String name, double cpu, double probeCpu, double wall, long peakRss, long peakConcurrentRss, long bytes, Map<String, Double> psnr) {}

    public static void main(String[] args) throws Exception {
        double seconds = 30;
        List<Double> chunkLengths = List.of(4.0, 6.0, 10.0, 20.0);
        double defaultChunk = 10;
        int jobs = Runtime.getRuntime().availableProcessors();
        Path out = Path.of("bench-out");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--chunks" -> chunkLengths = Stream.of(args[++i].split(",")).map(Double::parseDouble).toList();
                case "--default" -> defaultChunk = Double.parseDouble(args[++i]);
                case "--jobs" -> jobs = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        LayerBinaries bin = LayerBinaries.locate();
        Files.createDirectories(out);
        Path source = out.resolve("source-1080p30.mp4");
        if (!Files.exists(source)) {
            System.out.printf(Locale.ROOT, "generating a %.0f s 1920x1080 30 fps source (test pattern with film-like grain, tone)...%n", seconds);
            // generated beside it and moved into place, so an interrupted run never leaves a cut-off source behind
            Path partial = out.resolve("source-1080p30.part.mp4");
            generate(bin, partial, seconds);
            Files.move(partial, source, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        List<Run> runs = new ArrayList<>();
        JobPlan plan = null;
        deleteTree(out.resolve("s3")); // a fresh store: no job records from an earlier run are reused
        try (LocalS3 s3 = LocalS3.start(out.resolve("s3"))) {
            s3.createBucket("input");
            s3.createBucket("output");
            ObjectStore store = s3.objectStore();
            List<Double> order = new ArrayList<>(chunkLengths);
            if (!order.contains(defaultChunk)) order.add(0, defaultChunk);
            for (double chunk : order) {
                String key = "bench/chunk-" + chunk + ".mp4"; // one key per run: distinct job ids, nothing reused
                store.upload(source, "input", key, "video/mp4");
                Map<String, String> env = new HashMap<>(s3.clientEnv());
                env.put("OUTPUT_BUCKET", "output");
                env.put("FFMPEG_PATH", bin.ffmpeg().toString());
                env.put("FFPROBE_PATH", bin.ffprobe().toString());
                env.put("WORK_DIR", out.resolve("work").toString());
                env.put("CHUNK_SECONDS", Double.toString(chunk));
                System.out.printf(Locale.ROOT, "chunked, %.0f s chunks, %d workers...%n", chunk, jobs);
                LocalStateMachine.Outcome outcome;
                double cpu;
                long peak, peakSum;
                long t0 = System.nanoTime();
                double[] probeCpu = {0};
                JobPlan[] packaged = new JobPlan[1];
                try (ChildProcessMeter meter = new ChildProcessMeter()) {
                    LocalStateMachine machine = new LocalStateMachine(LocalStateMachine.findTemplate(), env, jobs, 1.0,
                            new dev.fanout.local.asl.StateMachineExecutor.Listener() {
                                @Override
                                public void stateEntered(String state) {
                                    // everything before the encodes: ffprobe and the tail decode check
                                    if (state.equals("Encode chunks")) probeCpu[0] = meter.cpuSeconds();
                                }
                            });
                    // the plan as the package step reads it (it deletes work/ once the job is published)
                    machine.invoker().intercept((function, payload) -> {
                        if (function.equals("PackageFunction")) {
                            packaged[0] = store.getJson("output", payload.path("planKey").asText(), JobPlan.class);
                        }
                    });
                    outcome = machine.run("input", key);
                    cpu = meter.cpuSeconds();
                    peak = meter.peakSingleProcessBytes();
                    peakSum = meter.peakConcurrentBytes();
                }
                double wall = (System.nanoTime() - t0) / 1e9;
                if (!outcome.succeeded()) throw new IllegalStateException("chunked run failed: " + outcome.result());
                JobLayout layout = JobLayout.of("output", outcome.jobId());
                plan = packaged[0];
                Path jobDir = out.resolve("chunked-" + (int) chunk + "s");
                deleteTree(jobDir);
                long bytes = 0;
                for (var o : store.list("output", layout.outputPrefix())) {
                    String rel = o.key().substring(layout.outputPrefix().length());
                    if (rel.endsWith(".mp4") || rel.endsWith(".m4s")) bytes += o.size();
                    store.download("output", o.key(), jobDir.resolve(rel));
                }
                Map<String, Path> tracks = new LinkedHashMap<>();
                for (Rendition r : plan.renditions()) tracks.put(r.id(), join(jobDir.resolve("video").resolve(r.id()), "init.mp4", "seg-", jobDir.resolve(r.id() + ".mp4")));
                runs.add(new Run(String.format(Locale.ROOT, "chunked %2.0f s (%d chunks)", chunk, plan.chunkCount()), cpu, probeCpu[0], wall, peak, peakSum, bytes,
                        psnr(bin, source, plan, tracks)));
            }
        }
        runs.add(0, monolithic(bin, source, plan, out));
        report(runs, plan, defaultChunk, out);
    }

    static void generate(LayerBinaries bin, Path file, double seconds) {
        String d = String.format(Locale.ROOT, "%.3f", seconds);
        ProcessRunner.Result r = ProcessRunner.run(List.of(bin.ffmpeg().toString(), "-nostdin", "-v", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=" + d + ",noise=alls=6:allf=t",
                "-f", "lavfi", "-i", "sine=frequency=440:beep_factor=4:sample_rate=48000:duration=" + d,
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "16", "-pix_fmt", "yuv420p", "-g", "250",
                "-c:a", "aac", "-b:a", "192k", file.toString()), Duration.ofMinutes(30), 4096);
        if (!r.ok()) throw new IllegalStateException("source generation failed: " + r.stderrSummary(5));
    }

    /** One ffmpeg, whole file, every rendition and the audio, ffmpeg's own DASH muxer; same encoder options. */
    private static Run monolithic(LayerBinaries bin, Path source, JobPlan plan, Path out) throws IOException {
        Path dir = out.resolve("monolithic");
        Monolithic m = encodeMonolithic(bin, source, plan, dir);
        List<Rendition> rs = plan.renditions();
        Map<String, Path> tracks = new LinkedHashMap<>();
        for (int i = 0; i < rs.size(); i++) {
            tracks.put(rs.get(i).id(), join(dir, "init-stream" + i + ".m4s", "chunk-stream" + i + "-", dir.resolve(rs.get(i).id() + ".mp4")));
        }
        return new Run("monolithic", m.cpu(), 0, m.wall(), m.peakRss(), m.peakRss(), m.bytes(), psnr(bin, source, plan, tracks));
    }

    /** The monolithic encode's ffmpeg CPU seconds, wall seconds, peak RSS and media bytes (no PSNR: the scale benchmark uses it too). */
    record Monolithic(double cpu, double wall, long peakRss, long bytes) {}

    static Monolithic encodeMonolithic(LayerBinaries bin, Path source, JobPlan plan, Path dir) throws IOException {
        deleteTree(dir);
        Files.createDirectories(dir);
        List<Rendition> rs = plan.renditions();
        List<String> c = new ArrayList<>(List.of(bin.ffmpeg().toString(), "-nostdin", "-v", "error", "-y", "-i", source.toString()));
        StringBuilder graph = new StringBuilder("[0:v:0]split=").append(rs.size());
        for (int i = 0; i < rs.size(); i++) graph.append("[s").append(i).append(']');
        for (int i = 0; i < rs.size(); i++) {
            graph.append(";[s").append(i).append("]scale=").append(rs.get(i).width()).append(':').append(rs.get(i).height())
                    .append(":flags=bicubic,setsar=1,format=yuv420p[v").append(i).append(']');
        }
        c.addAll(List.of("-filter_complex", graph.toString()));
        for (int i = 0; i < rs.size(); i++) {
            c.addAll(List.of("-map", "[v" + i + "]"));
        }
        c.addAll(List.of("-map", "0:a:0"));
        for (int i = 0; i < rs.size(); i++) {
            // the chunk workers' exact options, each bound to output stream i (all video streams come first)
            for (String o : FfmpegCommands.videoEncoderOptions(plan, rs.get(i))) {
                c.add(o.matches("-[a-z_:]+") ? o + ":" + i : o);
            }
        }
        c.addAll(FfmpegCommands.audioEncoderOptions(plan));
        double segSeconds = plan.frameRate().secondsFor(plan.segmentFrames()).toDouble();
        c.addAll(List.of("-f", "dash", "-seg_duration", String.format(Locale.ROOT, "%.3f", segSeconds), "-use_timeline", "1", "-use_template", "1",
                dir.resolve("manifest.mpd").toString()));
        System.out.println("monolithic ffmpeg DASH encode...");
        double cpu;
        long peak;
        long t0 = System.nanoTime();
        try (ChildProcessMeter meter = new ChildProcessMeter()) {
            ProcessRunner.Result r = ProcessRunner.run(c, Duration.ofHours(2), 4096);
            if (!r.ok()) throw new IllegalStateException("monolithic encode failed: " + r.stderrSummary(5) + "\n" + String.join(" ", c));
            cpu = meter.cpuSeconds();
            peak = meter.peakSingleProcessBytes();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        long bytes;
        try (Stream<Path> files = Files.list(dir)) {
            bytes = files.filter(p -> p.toString().endsWith(".m4s")).mapToLong(p -> p.toFile().length()).sum();
        }
        return new Monolithic(cpu, wall, peak, bytes);
    }

    static Path join(Path dir, String init, String segmentPrefix, Path target) throws IOException {
        List<Path> segs;
        try (Stream<Path> s = Files.list(dir)) {
            segs = s.filter(p -> p.getFileName().toString().startsWith(segmentPrefix)).sorted().toList();
        }
        try (OutputStream o = Files.newOutputStream(target)) {
            Files.copy(dir.resolve(init), o);
            for (Path p : segs) Files.copy(p, o);
        }
        return target;
    }

    /** Mean per-frame PSNR of each rendition against the source scaled the same way, one decode of the source. */
    static Map<String, Double> psnr(LayerBinaries bin, Path source, JobPlan plan, Map<String, Path> tracks) throws IOException {
        List<String> c = new ArrayList<>(List.of(bin.ffmpeg().toString(), "-nostdin", "-v", "error", "-i", source.toString()));
        List<Path> stats = new ArrayList<>();
        StringBuilder g = new StringBuilder("[0:v]split=").append(tracks.size());
        for (int i = 0; i < tracks.size(); i++) g.append("[r").append(i).append(']');
        int i = 0;
        for (Rendition r : plan.renditions()) {
            c.addAll(List.of("-i", tracks.get(r.id()).toString()));
            Path st = Files.createTempFile("psnr", ".log");
            stats.add(st);
            g.append(";[r").append(i).append("]scale=").append(r.width()).append(':').append(r.height())
                    .append(":flags=bicubic,setsar=1,format=yuv420p[ref").append(i).append("];[").append(i + 1).append(":v]format=yuv420p[m").append(i)
                    .append("];[m").append(i).append("][ref").append(i).append("]psnr=stats_file=").append(st).append("[o").append(i).append(']');
            i++;
        }
        c.addAll(List.of("-filter_complex", g.toString()));
        for (int k = 0; k < tracks.size(); k++) c.addAll(List.of("-map", "[o" + k + "]", "-f", "null", "-"));
        ProcessRunner.Result r = ProcessRunner.run(c, Duration.ofHours(1), 4096);
        if (!r.ok()) throw new IllegalStateException("PSNR failed: " + r.stderrSummary(5));
        Map<String, Double> out = new LinkedHashMap<>();
        Pattern p = Pattern.compile("psnr_avg:(\\S+)");
        i = 0;
        for (Rendition rendition : plan.renditions()) {
            double sum = 0;
            int n = 0;
            for (String line : Files.readAllLines(stats.get(i))) {
                Matcher m = p.matcher(line);
                if (m.find()) { sum += m.group(1).equals("inf") ? 100 : Double.parseDouble(m.group(1)); n++; }
            }
            Files.delete(stats.get(i));
            out.put(rendition.id(), n == 0 ? Double.NaN : sum / n);
            i++;
        }
        return out;
    }

    private static void report(List<Run> runs, JobPlan plan, double defaultChunk, Path out) throws IOException {
        Run mono = runs.get(0);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "source: %dx%d, %s fps, %d frames (%.1f s); ladder %s; x264 preset %s, crf %d; segments %d frames%n",
                plan.sourceInfo().video().width(), plan.sourceInfo().video().height(), plan.frameRate(), plan.totalFrames(),
                plan.durationSeconds().toDouble(), plan.renditions().stream().map(Rendition::id).toList(), plan.encode().x264Preset(),
                plan.encode().quality(dev.fanout.encoder.model.VideoCodec.H264), plan.segmentFrames()));
        b.append(String.format(Locale.ROOT, "%-24s %9s %9s %9s %9s %9s %11s %12s %7s %9s%n", "run", "cpu s", "cpu ×", "probe s", "wall s", "wall ×",
                "peak RSS MB", "output bytes", "bytes ×", "ΔPSNR dB"));
        for (Run r : runs) {
            double dpsnr = 0;
            int n = 0;
            for (var e : r.psnr().entrySet()) { dpsnr += e.getValue() - mono.psnr().get(e.getKey()); n++; }
            b.append(String.format(Locale.ROOT, "%-24s %9.1f %9.3f %9.1f %9.1f %9.3f %11.0f %,12d %7.4f %+9.3f%n", r.name(), r.cpu(), r.cpu() / mono.cpu(), r.probeCpu(),
                    r.wall(), r.wall() / mono.wall(), r.peakRss() / 1048576.0, r.bytes(), (double) r.bytes() / mono.bytes(), dpsnr / n));
        }
        b.append("mean PSNR per rendition (dB):\n");
        for (Run r : runs) {
            b.append(String.format(Locale.ROOT, "  %-24s", r.name()));
            r.psnr().forEach((k, v) -> b.append(String.format(Locale.ROOT, " %s %.3f", k, v)));
            b.append('\n');
        }
        b.append("probe s: CPU of the probe stage (ffprobe + decoding the last second), included in cpu s\n");
        b.append(String.format(Locale.ROOT, "peak RSS is the largest single ffmpeg process; the chunked runs had up to %.0f MB in all ffmpeg processes at once%n",
                runs.stream().skip(1).mapToLong(Run::peakConcurrentRss).max().orElse(0) / 1048576.0));
        b.append(String.format(Locale.ROOT, "default chunk length: %.0f s%n", defaultChunk));
        System.out.print(b);
        Files.writeString(out.resolve("results.txt"), b.toString());
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
