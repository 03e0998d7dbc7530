package dev.fanout.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.media.ProcessRunner;
import dev.fanout.encoder.model.JobLayout;
import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.LadderRung;
import dev.fanout.encoder.plan.PipelineConfig;
import dev.fanout.encoder.storage.ObjectStore;
import dev.fanout.local.LayerBinaries;
import dev.fanout.local.LocalS3;
import dev.fanout.local.LocalStateMachine;
import dev.fanout.local.asl.SamTemplate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Does a job take about as long as one chunk, whatever the film's length? Generates 1080p30
 * sources with audio of several lengths, runs each through the deployed state machine locally
 * (real ASL, real handlers, real ffmpeg) with a cheap ladder, and reports from job.json every
 * stage's invocations and slowest invocation and the critical path; checks the scale targets;
 * compares the chunked pipeline with one monolithic ffmpeg encode (CPU, bytes) at the default
 * ladder on the shortest source; and projects a 2-hour film on AWS, with every assumption printed.
 *
 * <pre>scripts/scale-benchmark.sh [--minutes 1,5,20] [--ladder 360@1000] [--jobs 2] [--out bench-out/scale] [--compare-minutes 1] …</pre>
 *
 * The sources are one 20 s clip (test pattern with temporal grain, so every frame costs real
 * decode and encode work, and a tone), encoded once and looped with {@code -stream_loop -c copy}:
 * generating 20 minutes costs what 20 s cost.
 */
public final class ScaleBenchmark {
    /** job.json stage → the function of template.yaml that runs it (for its Timeout and memory). */
    static final Map<String, String> FUNCTION_OF_STAGE = Map.of("probe", "ProbeFunction", "chunks", "EncodeChunkFunction",
            "package", "PackageFunction");
    /** Lambda gives one vCPU's worth of CPU per 1,769 MB (AWS Lambda Developer Guide, "Configuring Lambda function memory"). */
    static final double MB_PER_VCPU = 1769;
    static final double MAX_VCPUS = 6;
    static final int CLIP_SECONDS = 20;

    /** One length's run through the pipeline. */
    record LengthRun(double minutes, long sourceBytes, int chunks, JsonNode timings, double wall, double cpu, List<Double> chunkCpu, long outputBytes,
                     Map<String, List<ChildProcessMeter.ChildCpu>> chunkProcesses) {
        double maxSeconds(String stage) { return timings.path("stages").path(stage).path("maxSeconds").asDouble(Double.NaN); }

        int invocations(String stage) { return timings.path("stages").path(stage).path("invocations").asInt(0); }

        double criticalPath() { return timings.path("criticalPathSeconds").asDouble(); }
    }

    /** The assumptions of the AWS projection; each has an option. */
    record Assumptions(double filmMinutes, double filmMbps, double s3MBps, double startupSeconds, double threadEfficiency,
                       double lambdaCoreSpeed, int maxConcurrency, double chunkMemoryMb) {}

    public static void main(String[] args) throws Exception {
        List<Double> minutes = List.of(1.0, 5.0, 20.0);
        String ladder = "360@1000";
        int jobs = Runtime.getRuntime().availableProcessors();
        Path out = Path.of("bench-out/scale");
        double compareMinutes = -1; // the shortest length
        double filmMinutes = 120, filmMbps = 10, s3MBps = 80, startup = 2.0, efficiency = 0.8, coreSpeed = 1.0;
        Integer maxConcurrency = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--minutes" -> minutes = Stream.of(args[++i].split(",")).map(Double::parseDouble).sorted().toList();
                case "--ladder" -> ladder = args[++i];
                case "--jobs" -> jobs = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--compare-minutes" -> compareMinutes = Double.parseDouble(args[++i]);
                case "--film-minutes" -> filmMinutes = Double.parseDouble(args[++i]);
                case "--film-mbps" -> filmMbps = Double.parseDouble(args[++i]);
                case "--s3-mbytes-per-second" -> s3MBps = Double.parseDouble(args[++i]);
                case "--startup-seconds" -> startup = Double.parseDouble(args[++i]);
                case "--thread-efficiency" -> efficiency = Double.parseDouble(args[++i]);
                case "--lambda-core-speed" -> coreSpeed = Double.parseDouble(args[++i]);
                case "--max-concurrency" -> maxConcurrency = Integer.parseInt(args[++i]);
                case "-h", "--help" -> { usage(); return; }
                default -> { System.err.println("unknown option " + args[i]); usage(); System.exit(64); }
            }
        }
        if (compareMinutes < 0) compareMinutes = minutes.get(0);
        minutes = minutes.stream().map(ScaleBenchmark::wholePlays).toList();
        if (compareMinutes > 0) compareMinutes = wholePlays(compareMinutes);
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
        long started = System.nanoTime();
        LayerBinaries bin = LayerBinaries.locate();
        SamTemplate template = SamTemplate.read(LocalStateMachine.findTemplate());
        PipelineConfig defaults = PipelineConfig.fromEnv(Map.of());
        Assumptions assume = new Assumptions(filmMinutes, filmMbps, s3MBps, startup, efficiency, coreSpeed,
                maxConcurrency != null ? maxConcurrency : Integer.parseInt(template.parameterValue("MaxConcurrency", Map.of())),
                template.functionNumber("EncodeChunkFunction", "MemorySize", 128, Map.of()));
        Files.createDirectories(out);

        Path clip = out.resolve("clip-20s-1080p30.mp4");
        double generateSeconds = 0;
        if (!Files.exists(clip)) {
            long t0 = System.nanoTime();
            System.out.println("generating the 20 s 1920x1080 30 fps clip every source loops (test pattern with grain, tone)...");
            generateClip(bin, clip);
            generateSeconds = (System.nanoTime() - t0) / 1e9;
        }
        List<LengthRun> runs = new ArrayList<>();
        Map<String, String> timeSpent = new LinkedHashMap<>();
        if (generateSeconds > 0) timeSpent.put("generating the clip", String.format(Locale.ROOT, "%.0f s", generateSeconds));
        LengthRun compared = null;
        ChunkingBenchmark.Monolithic mono = null;
        ChunkingBenchmark.deleteTree(out.resolve("s3")); // a fresh store: no job records from an earlier run are reused
        try (LocalS3 s3 = LocalS3.start(out.resolve("s3"))) {
            s3.createBucket("input");
            s3.createBucket("output");
            ObjectStore store = s3.objectStore();
            for (double m : minutes) {
                long t0 = System.nanoTime();
                Path source = loop(bin, clip, out, m);
                runs.add(runPipeline(bin, s3, store, source, m, Map.of("LADDER", ladder), jobs, out, null));
                ChunkingBenchmark.deleteTree(out.resolve("work"));
                timeSpent.put(fmt(m) + " min, ladder " + ladder, String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - t0) / 1e9));
                // what is measured so far survives a run cut short (a loaded machine can take hours for 20 min)
                Files.writeString(out.resolve("results-partial.md"), report(runs, ladder, jobs, null, null, assume, defaults, template, timeSpent));
            }
            if (compareMinutes > 0) {
                long t0 = System.nanoTime();
                Path source = loop(bin, clip, out, compareMinutes);
                JobPlan[] plan = new JobPlan[1];
                compared = runPipeline(bin, s3, store, source, compareMinutes, Map.of(), jobs, out, plan);
                System.out.println("monolithic ffmpeg DASH encode of the same source and ladder...");
                mono = ChunkingBenchmark.encodeMonolithic(bin, source, plan[0], out.resolve("monolithic"));
                timeSpent.put(fmt(compareMinutes) + " min, default ladder, chunked and monolithic", String.format(Locale.ROOT, "%.0f s",
                        (System.nanoTime() - t0) / 1e9));
            }
        }
        timeSpent.put("in all", String.format(Locale.ROOT, "%.1f min", (System.nanoTime() - started) / 60e9));
        // the machine's load (runnable processes, 1/5/15 min) says how far wall seconds here stand for an idle machine
        timeSpent.put("load average at the start / end", loadBefore + " / " + Files.readString(Path.of("/proc/loadavg")).trim());
        String report = report(runs, ladder, jobs, compared, mono, assume, defaults, template, timeSpent);
        System.out.print(report);
        Files.writeString(out.resolve("results.md"), report);
        System.out.println("\nwritten to " + out.resolve("results.md"));
    }

    private static void usage() {
        System.out.println("usage: scripts/scale-benchmark.sh [--minutes 1,5,20] [--ladder 360@1000] [--jobs N] [--out DIR] [--compare-minutes M (0: none)]");
        System.out.println("       projection: [--film-minutes 120] [--film-mbps 10] [--s3-mbytes-per-second 80] [--startup-seconds 2]");
        System.out.println("                   [--thread-efficiency 0.8] [--lambda-core-speed 1.0] [--max-concurrency N (template default)]");
    }

    /** {@code minutes} as whole plays of the clip (0.33 → 20 s): every source is the clip looped. */
    static double wholePlays(double minutes) {
        return Math.round(minutes * 60 / CLIP_SECONDS) * CLIP_SECONDS / 60.0;
    }

    private static String fmt(double minutes) {
        return minutes == Math.rint(minutes) ? Long.toString((long) minutes) : String.format(Locale.ROOT, "%.2f", minutes);
    }

    private static void generateClip(LayerBinaries bin, Path clip) throws IOException {
        Path partial = clip.resolveSibling(clip.getFileName() + ".part.mp4");
        ProcessRunner.Result r = ProcessRunner.run(List.of(bin.ffmpeg().toString(), "-nostdin", "-v", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=20,noise=alls=3:allf=t",
                "-f", "lavfi", "-i", "sine=frequency=440:beep_factor=4:sample_rate=48000:duration=20",
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-g", "250",
                "-c:a", "aac", "-b:a", "192k", partial.toString()), Duration.ofMinutes(30), 4096);
        if (!r.ok()) throw new IllegalStateException("clip generation failed: " + r.stderrSummary(5));
        Files.move(partial, clip, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The clip's video played {@code minutes × 3} times over without re-encoding (seconds even for
     * 20 minutes), with a tone of the same length encoded in one pass. Whole plays only; the video
     * looped on its own, so the frames stay on the 30 fps grid (looping the muxed clip shifted the
     * video by the audio's longer duration, one tick off the grid, and cutting with {@code -t}
     * dropped a B-frame at the end). The audio is not looped: with the clip's AAC track looped
     * (each play repeats its priming frame and ends on a half-length packet, 20 s being 937.5
     * frames) the 1 min job failed as {@code EncodeFailed.BadEncoderOutput} (2026-12-01: piece 2,
     * whose pre-roll crosses the loop point at 20 s, started at decode time 961537, one sample off
     * the plan's 961536). An AAC encode of 20 minutes costs ~20 CPU-s.
     */
    private static Path loop(LayerBinaries bin, Path clip, Path out, double minutes) throws IOException {
        int plays = (int) Math.round(minutes * 60 / CLIP_SECONDS);
        if (plays < 1 || Math.abs(plays * CLIP_SECONDS - minutes * 60) > 0.5) {
            throw new IllegalArgumentException(fmt(minutes) + " min is not a whole number of " + CLIP_SECONDS + " s clips");
        }
        Path source = out.resolve("source-" + fmt(minutes) + "min.mp4");
        if (Files.exists(source)) return source;
        Path video = out.resolve("clip-video.mp4");
        if (!Files.exists(video)) ffmpeg(bin, "splitting the clip", "-i", clip.toString(), "-an", "-c", "copy", video.toString());
        Path audio = out.resolve("tone-" + fmt(minutes) + "min.m4a");
        ffmpeg(bin, "encoding the tone", "-f", "lavfi", "-i", "sine=frequency=440:beep_factor=4:sample_rate=48000:duration=" + plays * CLIP_SECONDS,
                "-c:a", "aac", "-b:a", "192k", audio.toString());
        Path partial = out.resolve("source-" + fmt(minutes) + "min.part.mp4");
        ffmpeg(bin, "looping the clip", "-stream_loop", Integer.toString(plays - 1), "-i", video.toString(), "-i", audio.toString(),
                "-map", "0:v", "-map", "1:a", "-c", "copy", partial.toString());
        Files.delete(audio);
        Files.move(partial, source, StandardCopyOption.REPLACE_EXISTING);
        return source;
    }

    private static void ffmpeg(LayerBinaries bin, String what, String... args) {
        List<String> c = new ArrayList<>(List.of(bin.ffmpeg().toString(), "-nostdin", "-v", "error", "-y"));
        c.addAll(List.of(args));
        ProcessRunner.Result r = ProcessRunner.run(c, Duration.ofMinutes(10), 4096);
        if (!r.ok()) throw new IllegalStateException(what + " failed: " + r.stderrSummary(5));
    }

    /** One execution of the state machine on {@code source}; {@code planOut} receives the plan as Package read it. */
    static LengthRun runPipeline(LayerBinaries bin, LocalS3 s3, ObjectStore store, Path source, double minutes,
                                         Map<String, String> settings, int jobs, Path out, JobPlan[] planOut) throws Exception {
        String key = "scale/" + fmt(minutes) + "min-" + (settings.isEmpty() ? "default" : settings.get("LADDER").replace('@', '-').replace(',', '_')) + ".mp4";
        store.upload(source, "input", key, "video/mp4");
        Map<String, String> env = new HashMap<>(s3.clientEnv());
        env.put("OUTPUT_BUCKET", "output");
        MeteredBinaries metered = MeteredBinaries.create(out.resolve("metered"), bin.ffmpeg(), bin.ffprobe());
        metered.drain(); // nothing left from an earlier run
        env.put("FFMPEG_PATH", metered.ffmpeg().toString());
        env.put("FFPROBE_PATH", metered.ffprobe().toString());
        Path workDir = out.resolve("work").toAbsolutePath(); // absolute: chunkInvocationCpu finds it in the command lines
        env.put("WORK_DIR", workDir.toString());
        env.putAll(settings);
        System.out.printf(Locale.ROOT, "%s min source (%,d bytes), ladder %s, %d chunk workers...%n", fmt(minutes), Files.size(source),
                settings.getOrDefault("LADDER", "default"), jobs);
        LocalStateMachine machine = new LocalStateMachine(LocalStateMachine.findTemplate(), env, jobs, 1.0,
                new dev.fanout.local.asl.StateMachineExecutor.Listener() { });
        if (planOut != null) {
            machine.invoker().intercept((function, payload) -> {
                if (function.equals("PackageFunction")) planOut[0] = store.getJson("output", payload.path("planKey").asText(), JobPlan.class);
            });
        }
        LocalStateMachine.Outcome outcome;
        double cpu;
        List<Double> chunkCpu = new ArrayList<>();
        Map<String, List<ChildProcessMeter.ChildCpu>> chunkProcesses;
        long t0 = System.nanoTime();
        try (ChildProcessMeter meter = new ChildProcessMeter()) {
            outcome = machine.run("input", key);
            cpu = meter.cpuSeconds();
            List<ChildProcessMeter.ChildCpu> runs = metered.drain();
            chunkCpu.addAll(chunkInvocationCpu(runs, workDir).values());
            chunkProcesses = chunkInvocations(runs, workDir);
            var perInvocation = chunkProcesses.values().stream().mapToInt(List::size).summaryStatistics();
            System.out.printf(Locale.ROOT, "  %d chunk invocations metered, %d–%d ffmpeg processes each%n", perInvocation.getCount(),
                    perInvocation.getMin(), perInvocation.getMax());
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        if (!outcome.succeeded()) throw new IllegalStateException("the " + fmt(minutes) + " min run failed: " + outcome.result());
        JobLayout layout = JobLayout.of("output", outcome.jobId());
        JsonNode job = store.getJson("output", layout.jobRecordKey(), JsonNode.class);
        long bytes = 0;
        for (var o : store.list("output", layout.outputPrefix())) {
            if (o.key().endsWith(".mp4") || o.key().endsWith(".m4s")) bytes += o.size();
        }
        store.deletePrefix("output", layout.outputPrefix(), k -> false); // the next run needs the disk more than this output
        LengthRun run = new LengthRun(minutes, Files.size(source), job.path("chunkCount").asInt(), job.path("timings"), wall, cpu, chunkCpu, bytes, chunkProcesses);
        System.out.printf(Locale.ROOT, "  wall %.1f s, critical path %.1f s, ffmpeg CPU %.1f s%n", wall, run.criticalPath(), cpu);
        return run;
    }

    /**
     * The CPU seconds of every chunk invocation: the sum over all the child processes it ran. One
     * invocation runs several ffmpeg processes (the video encode, whose {@code split} also writes
     * the thumbnail stills, then its audio piece's encode and cut: AudioPieceEncoder), and each of
     * them names a file in that invocation's own scratch directory, {@code <workDir>/chunk-<index>-<random>}
     * (EncodeChunkStage via Scratch), so that directory says whose a process is, whatever runs beside
     * it; a retried chunk gets a new directory and counts as an invocation of its own, as in job.json.
     * Probe and Package name no such directory. Each process's figure is exact (MeteredBinaries).
     */
    static Map<String, Double> chunkInvocationCpu(List<ChildProcessMeter.ChildCpu> children, Path workDir) {
        Map<String, Double> cpu = new LinkedHashMap<>();
        chunkInvocations(children, workDir).forEach((dir, ps) -> cpu.put(dir, ps.stream().mapToDouble(ChildProcessMeter.ChildCpu::cpuSeconds).sum()));
        return cpu;
    }

    /** The child processes of each chunk invocation, keyed by its scratch directory's name (see chunkInvocationCpu). */
    static Map<String, List<ChildProcessMeter.ChildCpu>> chunkInvocations(List<ChildProcessMeter.ChildCpu> children, Path workDir) {
        String prefix = workDir + "/chunk-";
        Map<String, List<ChildProcessMeter.ChildCpu>> byDir = new LinkedHashMap<>();
        for (ChildProcessMeter.ChildCpu c : children) {
            String dir = null;
            for (String arg : c.command()) {
                int at = arg.indexOf(prefix);
                if (at < 0) continue;
                int end = arg.indexOf('/', at + prefix.length());
                dir = arg.substring(at + workDir.toString().length() + 1, end < 0 ? arg.length() : end);
                break;
            }
            if (dir != null) byDir.computeIfAbsent(dir, d -> new ArrayList<>()).add(c);
        }
        return byDir;
    }

    // ---- the report -------------------------------------------------------------------------

    static String report(List<LengthRun> runs, String ladder, int jobs, LengthRun compared, ChunkingBenchmark.Monolithic mono,
                         Assumptions a, PipelineConfig defaults, SamTemplate template, Map<String, String> timeSpent) {
        StringBuilder b = new StringBuilder();
        LengthRun first = runs.get(0), last = runs.get(runs.size() - 1);
        Set<String> stages = new LinkedHashSet<>();
        for (LengthRun r : runs) r.timings().path("stages").fieldNames().forEachRemaining(stages::add);

        b.append("## Scale: ").append(runs.stream().map(r -> fmt(r.minutes())).toList()).append(" minutes, ladder ").append(ladder)
                .append(", ").append(jobs).append(" chunk workers on ").append(Runtime.getRuntime().availableProcessors()).append(" cores\n\n");
        b.append("Sources: 1920x1080 30 fps, a 20 s clip (testsrc2 + temporal grain, x264 veryfast CRF 23; 440 Hz tone, AAC 192k) looped with `-c copy`.\n\n");
        b.append("| length | source MB | Mbit/s | chunks | wall s | critical path s | ffmpeg CPU s | CPU s per chunk (mean / max) |\n|---|---|---|---|---|---|---|---|\n");
        for (LengthRun r : runs) {
            b.append(String.format(Locale.ROOT, "| %s min | %.0f | %.1f | %d | %.1f | %.1f | %.0f | %s |%n", fmt(r.minutes()), r.sourceBytes() / 1e6,
                    r.sourceBytes() * 8 / (r.minutes() * 60) / 1e6, r.chunks(), r.wall(), r.criticalPath(), r.cpu(), meanMax(r.chunkCpu())));
        }
        b.append("\nEvery stage, from job.json `timings.stages`: invocations × slowest invocation (s)\n\n| stage |");
        for (LengthRun r : runs) b.append(' ').append(fmt(r.minutes())).append(" min |");
        b.append(" slowest, ").append(fmt(last.minutes())).append(" vs ").append(fmt(first.minutes())).append(" min |\n|---|");
        for (int i = 0; i <= runs.size(); i++) b.append("---|");
        b.append('\n');
        double tolerance = noise(runs);
        boolean allFlat = true;
        List<String> growing = new ArrayList<>();
        for (String stage : stages) {
            b.append("| ").append(stage).append(" |");
            for (LengthRun r : runs) b.append(String.format(Locale.ROOT, " %d × %.2f |", r.invocations(stage), r.maxSeconds(stage)));
            double ratio = last.maxSeconds(stage) / first.maxSeconds(stage);
            boolean flat = flat(first.maxSeconds(stage), last.maxSeconds(stage), tolerance);
            if (!flat) { allFlat = false; growing.add(stage); }
            b.append(String.format(Locale.ROOT, " %.2f× %s |%n", ratio, flat ? "flat" : "**grows**"));
        }
        b.append(String.format(Locale.ROOT, "%nNoise: the chunks of one run do alike work (the source is one clip looped), yet their ffmpeg CPU "
                + "seconds vary; the tolerance is 3 × the largest coefficient of variation of one run's chunk CPU, at least 10%%: %.0f%%. "
                + "A stage is flat when its slowest invocation grew by less than that, or by under 0.5 s.%n", tolerance * 100));

        b.append("\n### Targets\n\n");
        double cpRatio = last.criticalPath() / first.criticalPath();
        String cpTarget = last.minutes() >= 20 && first.minutes() <= 1 ? "" : " (the target compares 20 min with 1 min; this run measured "
                + fmt(last.minutes()) + " vs " + fmt(first.minutes()) + ")";
        b.append(String.format(Locale.ROOT, "- critical path %s min / %s min = %.1f s / %.1f s = **%.2f×** (target ≤ 1.3×): %s%s%n", fmt(last.minutes()),
                fmt(first.minutes()), last.criticalPath(), first.criticalPath(), cpRatio, cpRatio <= 1.3 ? "met" : "**missed**", cpTarget));
        b.append(String.format(Locale.ROOT, "- no single invocation's time grows with the length: %s%n", allFlat ? "met"
                : "**missed** (" + String.join(", ", growing) + ")"));
        if (!first.chunkCpu().isEmpty() && !last.chunkCpu().isEmpty()) {
            b.append(String.format(Locale.ROOT, "- CPU seconds of one chunk invocation's ffmpeg runs (video with its stills, audio piece; immune to the machine's other load): %s min %s, %s min %s%n",
                    fmt(first.minutes()), meanMax(first.chunkCpu()), fmt(last.minutes()), meanMax(last.chunkCpu())));
        }

        if (compared != null && mono != null) {
            b.append(String.format(Locale.ROOT, "%n### Chunked vs monolithic, %s min source, default ladder %s%n%n", fmt(compared.minutes()), LadderRung.DEFAULT_LADDER));
            b.append("| run | ffmpeg CPU s | CPU × | wall s | media bytes | bytes × |\n|---|---|---|---|---|---|\n");
            b.append(String.format(Locale.ROOT, "| monolithic (one ffmpeg, `-f dash`) | %.1f | 1.000 | %.1f | %,d | 1.0000 |%n", mono.cpu(), mono.wall(), mono.bytes()));
            b.append(String.format(Locale.ROOT, "| chunked (%d chunk invocations with their audio pieces and tiles, probe, package) | %.1f | %.3f | %.1f | %,d | %.4f |%n", compared.chunks(), compared.cpu(),
                    compared.cpu() / mono.cpu(), compared.wall(), compared.outputBytes(), (double) compared.outputBytes() / mono.bytes()));
            b.append(String.format(Locale.ROOT, "%nChunked CPU includes everything the pipeline runs (probe, every chunk invocation's ffmpeg runs); "
                    + "one chunk invocation (mean / max): %s CPU s.%n", meanMax(compared.chunkCpu())));
        }
        projection(b, runs, compared != null ? compared : null, a, defaults, template);

        b.append("\n### Time this run took\n\n");
        timeSpent.forEach((k, v) -> b.append("- ").append(k).append(": ").append(v).append('\n'));
        return b.toString();
    }

    /** 3 × the largest coefficient of variation of the chunk invocations' CPU seconds in one run, at least 10%. */
    static double noise(List<LengthRun> runs) {
        double cv = 0;
        for (LengthRun r : runs) {
            List<Double> xs = r.chunkCpu();
            if (xs.size() < 2) continue;
            double mean = xs.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            double var = xs.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / (xs.size() - 1);
            if (mean > 0) cv = Math.max(cv, Math.sqrt(var) / mean);
        }
        return Math.max(0.10, 3 * cv);
    }

    static boolean flat(double shortRun, double longRun, double tolerance) {
        return longRun <= shortRun * (1 + tolerance) || longRun - shortRun < 0.5;
    }

    private static String meanMax(List<Double> xs) {
        if (xs.isEmpty()) return "–";
        return String.format(Locale.ROOT, "%.1f / %.1f", xs.stream().mapToDouble(Double::doubleValue).average().orElse(0),
                xs.stream().mapToDouble(Double::doubleValue).max().orElse(0));
    }

    /**
     * A stage's slowest invocation as a line over the film's length: {@code seconds = a + b × minutes},
     * least squares over the lengths measured (b = 0 with one length).
     */
    record Line(double a, double b) {
        double at(double minutes) { return a + b * minutes; }

        static Line fit(List<double[]> points) {
            int n = points.size();
            double mx = points.stream().mapToDouble(p -> p[0]).average().orElse(0);
            double my = points.stream().mapToDouble(p -> p[1]).average().orElse(0);
            double sxx = 0, sxy = 0;
            for (double[] p : points) { sxx += (p[0] - mx) * (p[0] - mx); sxy += (p[0] - mx) * (p[1] - my); }
            double slope = n < 2 || sxx == 0 ? 0 : Math.max(0, sxy / sxx);
            return new Line(my - slope * mx, slope);
        }
    }

    private static void projection(StringBuilder b, List<LengthRun> runs, LengthRun compared, Assumptions a, PipelineConfig defaults,
                                   SamTemplate template) {
        double chunkSeconds = defaults.chunkSeconds();
        double filmSeconds = a.filmMinutes() * 60;
        double maxDuration = defaults.limits().maxDurationSeconds();
        long maxBytes = defaults.limits().maxInputBytes();
        LengthRun cpuSource = compared != null ? compared : runs.get(0);
        double cpuPerChunk = cpuSource.chunkCpu().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        double outPerChunk = cpuSource.outputBytes() / (double) cpuSource.chunks();
        double vcpus = Math.min(MAX_VCPUS, a.chunkMemoryMb() / MB_PER_VCPU);
        LengthRun last = runs.get(runs.size() - 1);
        double benchBytesPerMinute = last.sourceBytes() / last.minutes();
        double tolerance = noise(runs);

        b.append(String.format(Locale.ROOT, "%n### Projection: a %.0f-minute 1080p film, default ladder %s, on AWS%n%n", a.filmMinutes(), LadderRung.DEFAULT_LADDER));
        b.append("Assumptions (options of scripts/scale-benchmark.sh):\n\n");
        b.append(String.format(Locale.ROOT, "- chunk Lambda: %.0f MB = %.2f vCPUs (one per %.0f MB, AWS Lambda Developer Guide, at most %.0f); "
                + "a vCPU there as fast as a core here × %.2f (`--lambda-core-speed`); x264 keeps %.0f%% of them busy (`--thread-efficiency`)%n",
                a.chunkMemoryMb(), vcpus, MB_PER_VCPU, MAX_VCPUS, a.lambdaCoreSpeed(), a.threadEfficiency() * 100));
        b.append(String.format(Locale.ROOT, "- MaxConcurrency %d (template.yaml default; `--max-concurrency`): chunks run in waves of that many%n", a.maxConcurrency()));
        b.append(String.format(Locale.ROOT, "- CPU seconds per %.0f s chunk invocation at the default ladder (its video, stills and audio piece): %.1f (the slowest of the %s min default-ladder run here)%n",
                chunkSeconds, cpuPerChunk, fmt(cpuSource.minutes())));
        b.append(String.format(Locale.ROOT, "- start-up per chunk invocation (Map child execution, Lambda cold start, JVM, plan read): %.1f s (`--startup-seconds`)%n",
                a.startupSeconds()));
        b.append(String.format(Locale.ROOT, "- S3 throughput of one invocation: %.0f MB/s (`--s3-mbytes-per-second`); the film's bitrate %.0f Mbit/s (`--film-mbps`); "
                + "a chunk writes %.1f MB (measured)%n", a.s3MBps(), a.filmMbps(), outPerChunk / 1e6));
        b.append("- every other stage takes on Lambda what its slowest invocation took here (measured beside the chunks on a shared machine, so "
                + "rather more), as a line over the lengths measured; a stage that grows is taken to grow with the larger of the film's "
                + "duration and its bytes (it reads the whole source), relative to the benchmark source's bytes per minute; a flat one "
                + "stays at its slowest measured invocation\n\n");

        double filmBytes = a.filmMbps() * 1e6 / 8 * filmSeconds;
        b.append(String.format(Locale.ROOT, "| stage | Lambda Timeout s | half | %.0f min, %.1f GB | %.0f h at MAX_INPUT_BYTES (%.1f GiB) | within half? |%n|---|---|---|---|---|---|%n",
                a.filmMinutes(), filmBytes / 1e9, maxDuration / 3600, maxBytes / (double) (1L << 30)));
        Set<String> stages = new LinkedHashSet<>();
        for (LengthRun r : runs) r.timings().path("stages").fieldNames().forEachRemaining(stages::add);
        double filmChunk = 0, filmOthers = 0, probe = 0, pkg = 0;
        for (String stage : stages) {
            double atFilm, atLimit;
            if (stage.equals("chunks")) {
                atFilm = chunkInvocation(a, cpuPerChunk, vcpus, chunkSeconds * a.filmMbps() * 1e6 / 8, outPerChunk);
                atLimit = chunkInvocation(a, cpuPerChunk, vcpus, chunkSeconds * maxBytes / maxDuration, outPerChunk);
                filmChunk = atFilm;
            } else {
                List<double[]> points = new ArrayList<>();
                for (LengthRun r : runs) if (!Double.isNaN(r.maxSeconds(stage))) points.add(new double[] {r.minutes(), r.maxSeconds(stage)});
                double slowest = points.stream().mapToDouble(p -> p[1]).max().orElse(Double.NaN);
                if (flat(runs.get(0).maxSeconds(stage), last.maxSeconds(stage), tolerance)) {
                    atFilm = slowest; // flat within noise: a line through noise would only extrapolate the noise
                    atLimit = slowest;
                } else {
                    Line line = Line.fit(points);
                    atFilm = line.at(Math.max(a.filmMinutes(), filmBytes / benchBytesPerMinute));
                    atLimit = line.at(Math.max(maxDuration / 60, maxBytes / benchBytesPerMinute));
                }
                switch (stage) {
                    case "probe" -> probe = atFilm;
                    case "package" -> pkg = atFilm;
                    default -> filmOthers = Math.max(filmOthers, atFilm);
                }
            }
            String function = FUNCTION_OF_STAGE.get(stage);
            int timeout = function == null ? 0 : template.functionNumber(function, "Timeout", 3, Map.of());
            boolean ok = timeout > 0 && Math.max(atFilm, atLimit) <= timeout / 2.0;
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %.1f s | %.1f s | %s |%n", stage, timeout > 0 ? Integer.toString(timeout) : "? (no function known)",
                    timeout > 0 ? Integer.toString(timeout / 2) : "?", atFilm, atLimit, ok ? "yes" : "**no**"));
        }
        int chunks = (int) Math.ceil(filmSeconds / chunkSeconds);
        int waves = (int) Math.ceil(chunks / (double) a.maxConcurrency());
        double chunkBranch = waves * filmChunk;
        double wall = probe + Math.max(chunkBranch, filmOthers) + pkg;
        b.append(String.format(Locale.ROOT, "%nWall time of the %.0f-minute film: probe %.1f s + max(chunks: %d in %d wave(s) of %d × %.1f s = %.1f s, "
                + "the slowest other branch %.1f s) + package %.1f s = **%.0f s** (target < 60 s: %s)%n", a.filmMinutes(), probe, chunks, waves,
                a.maxConcurrency(), filmChunk, chunkBranch, filmOthers, pkg, wall, wall < 60 ? "met" : "**missed**"));
        int needed = (int) Math.ceil(chunks / Math.max(1.0, Math.floor((60 - probe - pkg) / filmChunk)));
        b.append(String.format(Locale.ROOT, "With one wave (MaxConcurrency ≥ %d) the chunk branch is %.1f s; the chunks alone fit 60 s with MaxConcurrency ≥ %d.%n",
                chunks, filmChunk, needed));
    }

    /** One chunk on Lambda: start-up, reading its slice of the source, the encode on the function's vCPUs, uploading its segments. */
    static double chunkInvocation(Assumptions a, double cpuSeconds, double vcpus, double bytesIn, double bytesOut) {
        return a.startupSeconds() + bytesIn / (a.s3MBps() * 1e6) + cpuSeconds / (vcpus * a.threadEfficiency() * a.lambdaCoreSpeed())
                + bytesOut / (a.s3MBps() * 1e6);
    }
}
