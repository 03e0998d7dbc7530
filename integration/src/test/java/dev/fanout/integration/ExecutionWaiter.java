package dev.fanout.integration;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Waits for a Step Functions execution that something else starts (here: the S3 trigger), by
 * polling with a growing interval: first until it exists (bounded by {@code startTimeout}), then
 * until it ends (bounded by {@code runTimeout} from the moment it was first seen). Pure: the
 * clock, the sleep and the poll are given, so the timing is tested without waiting.
 */
public final class ExecutionWaiter {
    /** Nanoseconds of a monotonic clock. */
    @FunctionalInterface
    public interface Clock { long nanos(); }

    @FunctionalInterface
    public interface Sleeper { void sleep(Duration d) throws InterruptedException; }

    /** One look at an execution; {@code status} as DescribeExecution reports it (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED…). */
    public record Status(String name, String status, String error, String cause) {
        public boolean running() { return status.equals("RUNNING") || status.equals("PENDING_REDRIVE"); }

        @Override
        public String toString() {
            return name + " " + status + (error == null || error.isEmpty() ? "" : " (" + error + ": " + cause + ")");
        }
    }

    public record Timing(Duration startTimeout, Duration runTimeout, Duration firstInterval, double growth, Duration maxInterval) {
        public static Timing of(Duration startTimeout, Duration runTimeout) {
            return new Timing(startTimeout, runTimeout, Duration.ofSeconds(1), 1.5, Duration.ofSeconds(10));
        }
    }

    public static final class WaitTimeoutException extends RuntimeException {
        WaitTimeoutException(String message) { super(message); }
    }

    private final Timing timing;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Consumer<String> log;

    public ExecutionWaiter(Timing timing, Clock clock, Sleeper sleeper, Consumer<String> log) {
        this.timing = timing;
        this.clock = clock;
        this.sleeper = sleeper;
        this.log = log;
    }

    public static ExecutionWaiter realTime(Timing timing, Consumer<String> log) {
        return new ExecutionWaiter(timing, System::nanoTime, d -> Thread.sleep(d.toMillis()), log);
    }

    /**
     * @param poll the execution's current status, or empty while it does not exist yet
     * @return its final status (any terminal one: the caller judges it)
     */
    public Status await(String what, Supplier<Optional<Status>> poll) throws InterruptedException {
        long begin = clock.nanos();
        long seenAt = -1;
        String lastStatus = null;
        Duration interval = timing.firstInterval();
        while (true) {
            Optional<Status> s = poll.get();
            long now = clock.nanos();
            if (s.isPresent()) {
                Status st = s.get();
                if (seenAt < 0) seenAt = now;
                if (!st.status().equals(lastStatus)) {
                    log.accept(String.format(Locale.ROOT, "%s after %.0f s: %s", what, seconds(now - begin), st));
                    lastStatus = st.status();
                }
                if (!st.running()) return st;
                if (now - seenAt > timing.runTimeout().toNanos()) {
                    throw new WaitTimeoutException(what + " still " + st.status() + " " + timing.runTimeout().toSeconds() + " s after it started: " + st);
                }
            } else if (now - begin > timing.startTimeout().toNanos()) {
                throw new WaitTimeoutException("no " + what + " started within " + timing.startTimeout().toSeconds() + " s");
            }
            sleeper.sleep(interval);
            long next = Math.min((long) (interval.toMillis() * timing.growth()), timing.maxInterval().toMillis());
            interval = Duration.ofMillis(next);
        }
    }

    private static double seconds(long nanos) { return nanos / 1e9; }
}
