package dev.fanout.local.bench;

import dev.fanout.encoder.model.JobLayout;
import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.Rendition;
import dev.fanout.encoder.model.VideoCodec;
import dev.fanout.encoder.storage.ObjectStore;
import dev.fanout.local.LayerBinaries;
import dev.fanout.local.LocalS3;
import dev.fanout.local.LocalStateMachine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Each codec's ladder on the same generated 1080p source: ffmpeg CPU seconds of the chunked
 * pipeline and of one monolithic ffmpeg with the same encoder options, video bytes, mean PSNR per
 * rendition against the scaled source; and from those the projected Lambda cost and chunk wall
 * time per source minute (docs/codecs.md). CPU seconds, not wall: the machine is shared.
 *
 * <pre>scripts/codec-benchmark.sh [--seconds 20] [--codecs h264,hevc,av1] [--chunk 10] [--jobs 2] [--out bench-codecs]</pre>
 */
public final class CodecBenchmark {
    /** Lambda x86 duration price, first tier, US East (https://aws.amazon.com/lambda/pricing/, read 2026-12-01). */
    static final double LAMBDA_USD_PER_GB_SECOND = 0.0000166667;
    /** The EncodeChunk function's default memory (template.yaml) and the vCPUs Lambda gives it (6 at 10240 MB). */
    static final double CHUNK_MEMORY_GB = 10240 / 1024.0;
    static final int CHUNK_VCPUS = 6;

    record Result(VideoCodec codec, double chunkedCpu, double monolithicCpu, long videoBytes, Map<String, Double> psnr, int chunks, double seconds) {
        double cpuPerMinute() { return chunkedCpu / seconds * 60; }
        /** With every vCPU busy: the chunk workers' billed GB-seconds are their CPU seconds × memory / vCPUs. */
        double lambdaUsdPerMinute() { return cpuPerMinute() * CHUNK_MEMORY_GB / CHUNK_VCPUS * LAMBDA_USD_PER_GB_SECOND; }
        /** One chunk's encode on a 6-vCPU worker, all vCPUs busy (its lower bound): the fan-out's wall time whatever the length. */
        double chunkWallSeconds() { return chunkedCpu / chunks / CHUNK_VCPUS; }
        double meanPsnr() { return psnr.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN); }
    }

    public static void main(String[] args) throws Exception {
        double seconds = 20;
        List<VideoCodec> codecs = List.of(VideoCodec.H264, VideoCodec.HEVC, VideoCodec.AV1);
        double chunk = 10;
        int jobs = Runtime.getRuntime().availableProcessors();
        Path out = Path.of("bench-codecs");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--codecs" -> codecs = VideoCodec.parseList(args[++i]);
                case "--chunk" -> chunk = Double.parseDouble(args[++i]);
                case "--jobs" -> jobs = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        LayerBinaries bin = LayerBinaries.locate();
        Files.createDirectories(out);
        Path source = out.resolve(String.format(Locale.ROOT, "source-1080p30-%.0fs.mp4", seconds));
        if (!Files.exists(source)) {
            System.out.printf(Locale.ROOT, "generating a %.0f s 1920x1080 30 fps source...%n", seconds);
            Path partial = out.resolve("source.part.mp4");
            ChunkingBenchmark.generate(bin, partial, seconds);
            Files.move(partial, source, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        List<Result> results = new ArrayList<>();
        ChunkingBenchmark.deleteTree(out.resolve("s3"));
        try (LocalS3 s3 = LocalS3.start(out.resolve("s3"))) {
            s3.createBucket("input");
            s3.createBucket("output");
            ObjectStore store = s3.objectStore();
            for (VideoCodec codec : codecs) {
                String key = "bench/" + codec.id + ".mp4";
                store.upload(source, "input", key, "video/mp4");
                Map<String, String> env = new HashMap<>(s3.clientEnv());
                env.put("OUTPUT_BUCKET", "output");
                env.put("FFMPEG_PATH", bin.ffmpeg().toString());
                env.put("FFPROBE_PATH", bin.ffprobe().toString());
                env.put("WORK_DIR", out.resolve("work").toString());
                env.put("CHUNK_SECONDS", Double.toString(chunk));
                env.put("CODECS", codec.id);
                System.out.printf(Locale.ROOT, "%s: chunked, %.0f s chunks, %d workers...%n", codec.id, chunk, jobs);
                JobPlan[] packaged = new JobPlan[1];
                double cpu;
                LocalStateMachine.Outcome outcome;
                try (ChildProcessMeter meter = new ChildProcessMeter()) {
                    LocalStateMachine machine = new LocalStateMachine(LocalStateMachine.findTemplate(), env, jobs, 1.0,
                            new dev.fanout.local.asl.StateMachineExecutor.Listener() {});
                    machine.invoker().intercept((function, payload) -> {
                        if (function.equals("PackageFunction")) packaged[0] = store.getJson("output", payload.path("planKey").asText(), JobPlan.class);
                    });
                    outcome = machine.run("input", key);
                    cpu = meter.cpuSeconds();
                }
                if (!outcome.succeeded()) throw new IllegalStateException(codec.id + ": chunked run failed: " + outcome.result());
                JobPlan plan = packaged[0];
                JobLayout layout = JobLayout.of("output", outcome.jobId());
                Path jobDir = out.resolve("chunked-" + codec.id);
                ChunkingBenchmark.deleteTree(jobDir);
                long videoBytes = 0;
                for (var o : store.list("output", layout.outputPrefix())) {
                    String rel = o.key().substring(layout.outputPrefix().length());
                    if (rel.startsWith("video/") && (rel.endsWith(".mp4") || rel.endsWith(".m4s"))) videoBytes += o.size();
                    store.download("output", o.key(), jobDir.resolve(rel));
                }
                Map<String, Path> tracks = new LinkedHashMap<>();
                for (Rendition r : plan.renditions()) {
                    tracks.put(r.id(), ChunkingBenchmark.join(jobDir.resolve("video").resolve(r.id()), "init.mp4", "seg-", jobDir.resolve(r.id() + ".mp4")));
                }
                Map<String, Double> psnr = ChunkingBenchmark.psnr(bin, source, plan, tracks);
                System.out.printf(Locale.ROOT, "%s: monolithic...%n", codec.id);
                ChunkingBenchmark.Monolithic mono = ChunkingBenchmark.encodeMonolithic(bin, source, plan, out.resolve("monolithic-" + codec.id));
                Result r = new Result(codec, cpu, mono.cpu(), videoBytes, psnr, plan.chunkCount(), plan.durationSeconds().toDouble());
                results.add(r);
                System.out.print(report(List.of(r)));
            }
        }
        String text = report(results);
        System.out.print(text);
        Files.writeString(out.resolve("results.txt"), text);
    }

    static String report(List<Result> results) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-6s %8s %9s %8s %9s %13s %10s %11s %12s  %s%n", "codec", "cpu s", "cpu s/min", "chunks", "chunked×",
                "video bytes", "mean PSNR", "$/src min", "chunk wall s", "PSNR per rendition (dB)"));
        for (Result r : results) {
            StringBuilder p = new StringBuilder();
            r.psnr().forEach((k, v) -> p.append(String.format(Locale.ROOT, "%s %.2f ", k, v)));
            b.append(String.format(Locale.ROOT, "%-6s %8.1f %9.1f %8d %9.3f %,13d %10.2f %11.4f %12.1f  %s%n", r.codec().id, r.chunkedCpu(), r.cpuPerMinute(),
                    r.chunks(), r.chunkedCpu() / r.monolithicCpu(), r.videoBytes(), r.meanPsnr(), r.lambdaUsdPerMinute(), r.chunkWallSeconds(), p.toString().strip()));
        }
        b.append(String.format(Locale.ROOT, "cpu s: ffmpeg/ffprobe CPU of the whole chunked job (probe, chunks with audio and stills); chunked×: over one monolithic ffmpeg%n"
                + "$/src min: Lambda duration at $%.10f/GB-s, %.0f GB and %d vCPUs all busy (CPU s × %.3f GB-s)%n", LAMBDA_USD_PER_GB_SECOND, CHUNK_MEMORY_GB,
                CHUNK_VCPUS, CHUNK_MEMORY_GB / CHUNK_VCPUS));
        return b.toString();
    }
}
