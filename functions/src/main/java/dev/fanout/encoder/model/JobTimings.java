package dev.fanout.encoder.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * job.json's {@code timings.stages} and {@code timings.criticalPathSeconds}, from the seconds of
 * each stage invocation its record carries. A job runs in phases (probe, then the fan-out, then
 * package); the stages of one phase run side by side (the Parallel's branches, each chunk in an
 * invocation of its own), so with unlimited concurrency a phase lasts as long as its slowest
 * invocation, and the critical path is the sum of those: the wall time of the job when nothing
 * waits for a free worker. Nothing here knows which stages exist; the package stage names them.
 */
public final class JobTimings {
    private final Map<String, List<Double>> seconds = new LinkedHashMap<>();
    private final List<List<String>> phases = new ArrayList<>();

    /** A phase of one stage with one invocation (probe, package). */
    public JobTimings then(String stage, double invocationSeconds) {
        return then(Map.of(stage, List.of(invocationSeconds)));
    }

    /**
     * A phase of stages that run side by side, each with the seconds of every invocation it had.
     * A stage without invocations (a source without audio) is left out.
     */
    public JobTimings then(Map<String, List<Double>> sideBySide) {
        List<String> phase = new ArrayList<>();
        sideBySide.forEach((stage, list) -> {
            if (list.isEmpty()) return;
            if (seconds.containsKey(stage)) throw new IllegalArgumentException("stage " + stage + " is in two phases");
            for (double s : list) {
                if (!(s >= 0) || Double.isInfinite(s)) throw new IllegalArgumentException("stage " + stage + " has an invocation of " + s + " s");
            }
            seconds.put(stage, List.copyOf(list));
            phase.add(stage);
        });
        if (!phase.isEmpty()) phases.add(phase);
        return this;
    }

    /** Per stage, in the order added: invocations, their total and the slowest one (ms). */
    public Map<String, JobRecord.StageTiming> stages() {
        Map<String, JobRecord.StageTiming> out = new LinkedHashMap<>();
        seconds.forEach((stage, list) -> out.put(stage, new JobRecord.StageTiming(list.size(),
                millis(list.stream().mapToDouble(Double::doubleValue).sum()), millis(slowest(stage)))));
        return out;
    }

    /** The sum over phases of the slowest invocation in each (ms). */
    public double criticalPathSeconds() {
        double sum = 0;
        for (List<String> phase : phases) sum += phase.stream().mapToDouble(this::slowest).max().orElse(0);
        return millis(sum);
    }

    private double slowest(String stage) {
        return seconds.get(stage).stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    private static double millis(double v) { return Math.round(v * 1000) / 1000.0; }
}
