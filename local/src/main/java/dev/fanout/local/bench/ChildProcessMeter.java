package dev.fanout.local.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Measures the child processes (ffmpeg, ffprobe) this JVM runs: CPU seconds from the kernel's
 * accounting of waited-for children (/proc/self/stat cutime+cstime — exact, whatever runs at the
 * same time), and peak resident memory by sampling each child's VmHWM every 20 ms (the highest
 * single process, and the highest sum at one moment).
 */
final class ChildProcessMeter implements AutoCloseable {
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private final double cpuAtStart;
    private final Map<Long, Long> hwmKb = new ConcurrentHashMap<>();
    private volatile long peakSingleKb;
    private volatile long peakSumKb;
    private volatile boolean running = true;
    private final Thread sampler;

    ChildProcessMeter() {
        cpuAtStart = childCpuSeconds();
        sampler = Thread.ofPlatform().daemon().start(this::sample);
    }

    private void sample() {
        while (running) {
            long sum = 0;
            for (ProcessHandle child : ProcessHandle.current().descendants().toList()) {
                long kb = vmHwmKb(child.pid());
                if (kb > 0) {
                    hwmKb.merge(child.pid(), kb, Math::max);
                    sum += kb;
                    peakSingleKb = Math.max(peakSingleKb, kb);
                }
            }
            peakSumKb = Math.max(peakSumKb, sum);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    double cpuSeconds() { return childCpuSeconds() - cpuAtStart; }

    long peakSingleProcessBytes() { return peakSingleKb * 1024; }

    long peakConcurrentBytes() { return peakSumKb * 1024; }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }

    static double childCpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state=0 ... utime=11 stime=12 cutime=13 cstime=14
            return (Long.parseLong(f[13]) + Long.parseLong(f[14])) / (double) TICKS_PER_SECOND;
        } catch (IOException e) {
            throw new IllegalStateException("needs Linux /proc", e);
        }
    }

    private static long vmHwmKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | RuntimeException ignored) {
            // the process ended between listing and reading
        }
        return 0;
    }
}
