package dev.fanout.encoder.model;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** job.json's per-stage timings and the critical path: what an operator reads to see where a job's time goes. */
class JobTimingsTest {
    /** The fan-out phase of the 20-minute job: the whole-track audio is its slowest branch. */
    private static Map<String, List<Double>> fanOut(List<Double> chunks, List<Double> audio, List<Double> thumbnails) {
        Map<String, List<Double>> m = new LinkedHashMap<>();
        m.put("chunks", chunks);
        m.put("audio", audio);
        m.put("thumbnails", thumbnails);
        return m;
    }

    @Test
    void eachStageCountsItsInvocationsTheirTotalAndTheSlowest() {
        JobTimings t = new JobTimings().then("probe", 1.2)
                .then(fanOut(List.of(8.7, 6.1, 7.0), List.of(67.0), List.of(17.7))).then("package", 0.9);
        Map<String, JobRecord.StageTiming> stages = t.stages();
        assertEquals(List.of("probe", "chunks", "audio", "thumbnails", "package"), List.copyOf(stages.keySet()), "in the order they run");
        assertEquals(new JobRecord.StageTiming(3, 21.8, 8.7), stages.get("chunks"));
        assertEquals(new JobRecord.StageTiming(1, 1.2, 1.2), stages.get("probe"));
        assertEquals(new JobRecord.StageTiming(1, 67.0, 67.0), stages.get("audio"));
    }

    @Test
    void theCriticalPathTakesTheSlowestInvocationOfEachPhaseNotTheirSum() {
        // the audio branch is the slowest: 1.2 + 67 + 0.9
        assertEquals(69.1, new JobTimings().then("probe", 1.2)
                .then(fanOut(List.of(8.7, 6.1, 7.0), List.of(67.0), List.of(17.7))).then("package", 0.9).criticalPathSeconds(), 1e-9);
        // the slowest chunk is: 1 + 9 + 1, not 1 + (3 + 9 + 4) + 1 nor 1 + 9 + 2 + 1
        assertEquals(11.0, new JobTimings().then("probe", 1)
                .then(fanOut(List.of(3.0, 9.0, 4.0), List.of(2.0), List.of(0.5))).then("package", 1).criticalPathSeconds(), 1e-9);
    }

    @Test
    void aStageWithoutInvocationsIsLeftOutAndCostsNothing() {
        JobTimings t = new JobTimings().then("probe", 0.5).then(fanOut(List.of(2.0, 2.5), List.of(), List.of(1.0))).then("package", 0.25);
        assertFalse(t.stages().containsKey("audio"), "a source without audio has no audio stage");
        assertEquals(3.25, t.criticalPathSeconds(), 1e-9);
    }

    @Test
    void secondsAreRoundedToTheMillisecondAfterSumming() {
        JobTimings t = new JobTimings().then(Map.of("chunks", List.of(0.0004, 0.0004, 0.0004)));
        assertEquals(new JobRecord.StageTiming(3, 0.001, 0.0), t.stages().get("chunks"));
    }

    @Test
    void impossibleSecondsAndAStageInTwoPhasesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new JobTimings().then("probe", -1));
        assertThrows(IllegalArgumentException.class, () -> new JobTimings().then("probe", Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new JobTimings().then("probe", 1).then("probe", 1));
    }
}
