package dev.fanout.encoder.storage;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The package stage's chunk records and sprite tiles and the subtitle track's cue texts are many
 * small reads: they run a bounded number at a time, and their results come back in the order of
 * the reads, whatever order they finish in, with a read's own error thrown as it is.
 */
class ParallelReadsTest {
    @Test
    void resultsAreInTheOrderOfTheReadsNotOfTheirEnds() throws Exception {
        CountDownLatch laterOnesDone = new CountDownLatch(3);
        List<Callable<String>> reads = new ArrayList<>();
        // the first read ends last: it waits until the three after it have ended
        reads.add(() -> laterOnesDone.await(1, TimeUnit.MINUTES) ? "first" : "the later reads did not run beside the first");
        for (String name : List.of("second", "third", "fourth")) reads.add(() -> { laterOnesDone.countDown(); return name; });
        reads.add(() -> null);
        List<String> out = ParallelReads.all(reads, 4);
        assertEquals(java.util.Arrays.asList("first", "second", "third", "fourth", null), out, "in order, null where a read found nothing");
    }

    @Test
    void noMoreThanTheGivenNumberRunAtOnce() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Callable<Integer>> reads = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int n = i;
            reads.add(() -> {
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
                Thread.yield();
                running.decrementAndGet();
                return n;
            });
        }
        List<Integer> out = ParallelReads.all(reads, 3);
        assertEquals(40, out.size());
        for (int i = 0; i < 40; i++) assertEquals(i, out.get(i));
        assertTrue(most.get() >= 1 && most.get() <= 3, "at most 3 at once: " + most.get());
    }

    @Test
    void aReadsRuntimeErrorIsThrownAsItIsAndACheckedOneWrapped() {
        IllegalArgumentException own = new IllegalArgumentException("no such range");
        List<Callable<String>> failing = List.of(() -> "fine", () -> { throw own; });
        assertSame(own, assertThrows(IllegalArgumentException.class, () -> ParallelReads.all(failing, 2)));

        IOException io = new IOException("connection reset");
        List<Callable<String>> checked = List.of(() -> { throw io; });
        IllegalStateException wrapped = assertThrows(IllegalStateException.class, () -> ParallelReads.all(checked, 2));
        assertSame(io, wrapped.getCause());
    }
}
