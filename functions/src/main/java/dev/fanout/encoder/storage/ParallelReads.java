package dev.fanout.encoder.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Many small reads (GETs of objects or byte ranges), a bounded number in flight: one after another
 * each would pay S3's first-byte latency, all at once would open a connection each.
 */
public final class ParallelReads {
    private ParallelReads() {}

    /**
     * Runs {@code reads} {@code atOnce} at a time and returns their results in the order of the
     * reads (null where a read returned null). The first failed read, in that order, ends the
     * others; its runtime error is thrown as it is, a checked one as the cause of an
     * IllegalStateException.
     */
    public static <T> List<T> all(List<? extends Callable<T>> reads, int atOnce) {
        ExecutorService pool = Executors.newFixedThreadPool(atOnce);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> r : reads) futures.add(pool.submit(r));
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) out.add(f.get());
            return out;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            pool.shutdownNow();
        }
    }
}
