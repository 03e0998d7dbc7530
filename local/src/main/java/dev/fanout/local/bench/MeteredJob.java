package dev.fanout.local.bench;

import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.storage.ObjectStore;
import dev.fanout.local.LayerBinaries;
import dev.fanout.local.LocalS3;
import dev.fanout.local.LocalStateMachine;
import dev.fanout.local.asl.StateMachineExecutor;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One chunked job of a benchmark: an upload of bucket "input" through the local state machine into
 * bucket "output", with the ffmpeg/ffprobe processes it runs metered ({@link ChildProcessMeter}).
 *
 * @param plan                   the job's plan as the package step read it (it deletes work/ once the job is published)
 * @param cpuSeconds             CPU seconds of every ffmpeg/ffprobe of the job
 * @param probeCpuSeconds        of those, the ones before "Encode chunks": ffprobe and the tail decode check
 * @param peakSingleProcessBytes the largest resident memory of one ffmpeg
 * @param peakConcurrentBytes    the largest sum of all ffmpeg processes' resident memory at one moment
 * @param wallSeconds            from the start of the run to its end
 */
record MeteredJob(LocalStateMachine.Outcome outcome, JobPlan plan, double cpuSeconds, double probeCpuSeconds,
                  long peakSingleProcessBytes, long peakConcurrentBytes, double wallSeconds) {

    /** The stages' settings for the benchmark's store and the layer's binaries, then {@code settings} (e.g. CHUNK_SECONDS). */
    static Map<String, String> env(LocalS3 s3, LayerBinaries bin, Path workDir, Map<String, String> settings) {
        Map<String, String> env = new HashMap<>(s3.clientEnv());
        env.put("OUTPUT_BUCKET", "output");
        env.put("FFMPEG_PATH", bin.ffmpeg().toString());
        env.put("FFPROBE_PATH", bin.ffprobe().toString());
        env.put("WORK_DIR", workDir.toString());
        env.putAll(settings);
        return env;
    }

    /** Runs the job of {@code key} with {@code jobs} chunk workers; throws if it did not succeed. */
    static MeteredJob run(ObjectStore store, Map<String, String> env, int jobs, String key) throws Exception {
        long t0 = System.nanoTime();
        double[] probeCpu = {0};
        JobPlan[] packaged = new JobPlan[1];
        LocalStateMachine.Outcome outcome;
        double cpu;
        long peak, peakSum;
        try (ChildProcessMeter meter = new ChildProcessMeter()) {
            LocalStateMachine machine = new LocalStateMachine(LocalStateMachine.findTemplate(), env, jobs, 1.0,
                    new StateMachineExecutor.Listener() {
                        @Override
                        public void stateEntered(String state) {
                            if (state.equals("Encode chunks")) probeCpu[0] = meter.cpuSeconds();
                        }
                    });
            machine.invoker().intercept((function, payload) -> {
                if (function.equals("PackageFunction")) packaged[0] = store.getJson("output", payload.path("planKey").asText(), JobPlan.class);
            });
            outcome = machine.run("input", key);
            cpu = meter.cpuSeconds();
            peak = meter.peakSingleProcessBytes();
            peakSum = meter.peakConcurrentBytes();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        if (!outcome.succeeded()) throw new IllegalStateException(key + ": chunked run failed: " + outcome.result());
        return new MeteredJob(outcome, packaged[0], cpu, probeCpu[0], peak, peakSum, wall);
    }
}
