package dev.fanout.local.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Measures the child processes (ffmpeg, ffprobe) this JVM runs: CPU seconds from the kernel's
 * accounting of waited-for children (/proc/self/stat cutime+cstime — exact, whatever runs at the
 * same time), and peak resident memory by sampling each child's VmHWM every 20 ms (the highest
 * single process, and the highest sum at one moment). Each child's own CPU seconds (utime+stime,
 * last seen within 20 ms of its end) are kept with its command line, so a benchmark can tell what
 * one kind of process (e.g. one chunk's encode) costs while others run beside it.
 */
final class ChildProcessMeter implements AutoCloseable {
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private final double cpuAtStart;
    private final Map<Long, Long> hwmKb = new ConcurrentHashMap<>();
    /** Keyed by pid and start time: pids wrap (pid_max is 32,768 here) within a long benchmark. */
    private final Map<String, ChildCpu> childCpu = new ConcurrentHashMap<>();

    /** One child process: its command line and the CPU seconds it had used when last sampled. */
    record ChildCpu(java.util.List<String> command, double cpuSeconds) {}
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
                long[] stat = ownCpuTicksAndStart(child.pid());
                if (stat != null) {
                    double cpu = stat[0] / (double) TICKS_PER_SECOND;
                    long pid = child.pid();
                    // the command line read again every time: a child seen between fork and exec still shows the JVM's
                    List<String> command = commandLine(pid);
                    childCpu.compute(pid + "@" + stat[1], (k, seen) -> seen == null ? new ChildCpu(command, cpu)
                            : new ChildCpu(command.isEmpty() ? seen.command() : command, Math.max(seen.cpuSeconds(), cpu)));
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

    /** Every child seen so far with its CPU seconds (a child that lived under 20 ms may be missing). */
    java.util.List<ChildCpu> children() { return java.util.List.copyOf(childCpu.values()); }

    /** {utime+stime, starttime} of a running process in clock ticks, or null once it is gone. */
    private static long[] ownCpuTicksAndStart(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[19])}; // utime, stime; starttime
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static java.util.List<String> commandLine(long pid) {
        try {
            String raw = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
            return java.util.List.of(raw.split("\u0000"));
        } catch (IOException | RuntimeException e) {
            return java.util.List.of();
        }
    }

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
