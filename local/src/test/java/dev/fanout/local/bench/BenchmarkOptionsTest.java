package dev.fanout.local.bench;

import dev.fanout.encoder.model.VideoCodec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmarks' command lines: {@code --name value} options, each benchmark's own defaults for
 * what is not given, and a mistake (an unknown or misspelt option, a missing or unreadable value)
 * refused by name before a benchmark starts its long run.
 */
class BenchmarkOptionsTest {
    private static final Set<String> NAMES = Set.of("--seconds", "--chunks", "--jobs", "--out", "--codecs");

    @Test
    void givenValuesAreReadAndAbsentOnesAreTheDefaults() {
        BenchmarkOptions o = BenchmarkOptions.parse(new String[] {"--seconds", "12.5", "--chunks", "4,6,10", "--out", "bench-x", "--codecs", "hevc,av1"}, NAMES);
        assertEquals(12.5, o.value("--seconds", Double::parseDouble, 30.0));
        assertEquals(List.of(4.0, 6.0, 10.0), o.value("--chunks", BenchmarkOptions::numbers, List.of(1.0)));
        assertEquals(Path.of("bench-x"), o.value("--out", Path::of, Path.of("bench-out")));
        assertEquals(List.of(VideoCodec.HEVC, VideoCodec.AV1), o.value("--codecs", VideoCodec::parseList, List.of(VideoCodec.H264)));
        assertEquals(7, o.value("--jobs", Integer::parseInt, 7), "not given: the benchmark's default");
        assertTrue(o.has("--seconds"));
        assertFalse(o.has("--jobs"));
    }

    @Test
    void anOptionGivenTwiceHasItsLastValue() {
        BenchmarkOptions o = BenchmarkOptions.parse(new String[] {"--jobs", "2", "--jobs", "3"}, NAMES);
        assertEquals(3, o.value("--jobs", Integer::parseInt, 1));
    }

    @Test
    void anUnknownOptionIsRefusedByNameWithTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BenchmarkOptions.parse(new String[] {"--seconds", "5", "--sekonds", "6"}, NAMES));
        assertTrue(e.getMessage().contains("unknown option --sekonds"), e.getMessage());
        assertTrue(e.getMessage().contains("--seconds") && e.getMessage().contains("--out"), "says what is known: " + e.getMessage());
        IllegalArgumentException bare = assertThrows(IllegalArgumentException.class, () -> BenchmarkOptions.parse(new String[] {"20"}, NAMES));
        assertTrue(bare.getMessage().contains("unknown option 20"), bare.getMessage());
    }

    @Test
    void anOptionWithoutItsValueIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BenchmarkOptions.parse(new String[] {"--jobs", "2", "--seconds"}, NAMES));
        assertEquals("--seconds needs a value", e.getMessage());
    }

    @Test
    void anUnreadableValueIsRefusedWithItsOptionAndValue() {
        BenchmarkOptions o = BenchmarkOptions.parse(new String[] {"--jobs", "two", "--chunks", "4,x"}, NAMES);
        IllegalArgumentException jobs = assertThrows(IllegalArgumentException.class, () -> o.value("--jobs", Integer::parseInt, 1));
        assertTrue(jobs.getMessage().startsWith("--jobs: cannot read \"two\""), jobs.getMessage());
        IllegalArgumentException chunks = assertThrows(IllegalArgumentException.class, () -> o.value("--chunks", BenchmarkOptions::numbers, List.of()));
        assertTrue(chunks.getMessage().startsWith("--chunks: cannot read \"4,x\""), chunks.getMessage());
    }

    /** The benchmarks read their options first: a mistyped one stops them before they generate a source or start a store. */
    @Test
    void theBenchmarksRefuseAMistypedOptionBeforeTheyRun() {
        IllegalArgumentException chunking = assertThrows(IllegalArgumentException.class, () -> ChunkingBenchmark.main(new String[] {"--chunk", "10"}));
        assertTrue(chunking.getMessage().contains("unknown option --chunk") && chunking.getMessage().contains("--chunks"), chunking.getMessage());
        IllegalArgumentException codec = assertThrows(IllegalArgumentException.class, () -> CodecBenchmark.main(new String[] {"--chunks", "10"}));
        assertTrue(codec.getMessage().contains("unknown option --chunks") && codec.getMessage().contains("--chunk"), codec.getMessage());
        IllegalArgumentException noValue = assertThrows(IllegalArgumentException.class, () -> CodecBenchmark.main(new String[] {"--seconds"}));
        assertEquals("--seconds needs a value", noValue.getMessage());
        IllegalArgumentException scale = assertThrows(IllegalArgumentException.class, () -> ScaleBenchmark.main(new String[] {"--minute", "1"}));
        assertTrue(scale.getMessage().contains("unknown option --minute") && scale.getMessage().contains("--minutes"), scale.getMessage());
    }
}
