package dev.fanout.local.bench;

import dev.fanout.encoder.storage.ObjectStore;
import dev.fanout.local.LayerBinaries;
import dev.fanout.local.LocalS3;
import dev.fanout.local.SampleClip;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scale benchmark's "CPU seconds per chunk" is what a whole chunk invocation costs, because
 * the AWS projection divides it over the chunk Lambda's vCPUs: a real run through the state
 * machine, metered as the benchmark meters it, gives one figure per chunk invocation, and each
 * figure covers every ffmpeg that invocation ran (its video encode, which also takes the
 * thumbnail stills, and its audio piece), none of the probe's.
 */
class ScaleBenchmarkChunkCpuTest {
    /** A file of audio piece n of a track (AudioPieceEncoder): &lt;rendition&gt;-piece-n-encoded.mp4, &lt;rendition&gt;-piece-n.mp4. */
    static final java.util.regex.Pattern PIECE = java.util.regex.Pattern.compile(".*/[^/]+-piece-(\\d+)(-encoded)?\\.mp4");

    @TempDir
    Path dir;

    @Test
    void eachChunkInvocationsCpuCoversItsVideoAndAudioPieceAndNothingOfTheProbe() throws Exception {
        LayerBinaries bin = LayerBinaries.locate();
        Path source = SampleClip.of(320, 180, "30", 12).writeTo(bin.ffmpeg(), dir.resolve("clip.mp4"));
        ScaleBenchmark.LengthRun run;
        try (LocalS3 s3 = LocalS3.start(dir.resolve("s3"))) {
            s3.createBucket("input");
            s3.createBucket("output");
            ObjectStore store = s3.objectStore();
            run = ScaleBenchmark.runPipeline(bin, s3, store, source, 0.2, Map.of("LADDER", "180@300", "CHUNK_SECONDS", "4"), 2, dir, null);
        }
        assertEquals(3, run.chunks(), "12 s in 4 s chunks");
        Map<String, List<ChildProcessMeter.ChildCpu>> invocations = run.chunkProcesses();
        assertEquals(run.chunks(), invocations.size(), "one figure per chunk invocation: " + invocations.keySet());
        assertEquals(run.chunks(), run.chunkCpu().size());
        for (var e : invocations.entrySet()) {
            List<List<String>> commands = e.getValue().stream().map(ChildProcessMeter.ChildCpu::command).toList();
            int chunk = Integer.parseInt(e.getKey().split("-")[1]); // chunk-<index>-<random>
            assertTrue(commands.stream().anyMatch(c -> c.contains("libx264") && c.contains("-output_ts_offset")),
                    e.getKey() + ": its video encode " + commands);
            assertTrue(commands.stream().anyMatch(c -> c.stream().anyMatch(a -> a.endsWith("-piece-" + chunk + "-encoded.mp4"))),
                    e.getKey() + ": its own audio piece's encode " + commands);
            List<Integer> pieces = commands.stream().flatMap(List::stream).map(PIECE::matcher).filter(java.util.regex.Matcher::matches)
                    .map(m -> Integer.parseInt(m.group(1))).distinct().toList();
            assertEquals(List.of(chunk), pieces, e.getKey() + ": its audio piece and no other chunk's " + commands);
            assertFalse(commands.stream().anyMatch(c -> c.get(0).endsWith("ffprobe")), e.getKey() + ": nothing of the probe " + commands);
        }
        double attributed = run.chunkCpu().stream().mapToDouble(Double::doubleValue).sum();
        // the kernel's exact total of every child covers the chunks' share (sampled, so a little under what they used)
        assertTrue(attributed > 0 && attributed <= run.cpu() + 0.05, attributed + " CPU s attributed to chunks of " + run.cpu());
    }
}
