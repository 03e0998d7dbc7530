package dev.fanout.integration;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExecutionWaiterTest {
    /** A clock that only moves when the waiter sleeps. */
    static final class FakeTime implements ExecutionWaiter.Clock, ExecutionWaiter.Sleeper {
        long nanos;
        final List<Duration> sleeps = new ArrayList<>();

        @Override public long nanos() { return nanos; }

        @Override public void sleep(Duration d) {
            sleeps.add(d);
            nanos += d.toNanos();
        }
    }

    static Optional<ExecutionWaiter.Status> status(String s) {
        return Optional.of(new ExecutionWaiter.Status("clip-1", s, s.equals("FAILED") ? "InvalidInput.NotMp4" : null, s.equals("FAILED") ? "text" : null));
    }

    @Test
    void waitsForTheExecutionToAppearThenToEndWithGrowingIntervals() throws Exception {
        FakeTime time = new FakeTime();
        Deque<Optional<ExecutionWaiter.Status>> answers = new ArrayDeque<>(List.of(
                Optional.empty(), Optional.empty(), status("RUNNING"), status("RUNNING"), status("RUNNING"), status("SUCCEEDED")));
        List<String> log = new ArrayList<>();
        var waiter = new ExecutionWaiter(new ExecutionWaiter.Timing(Duration.ofMinutes(1), Duration.ofMinutes(5),
                Duration.ofSeconds(1), 2.0, Duration.ofSeconds(5)), time, time, log::add);
        ExecutionWaiter.Status end = waiter.await("execution", answers::pop);
        assertEquals("SUCCEEDED", end.status());
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(5), Duration.ofSeconds(5)),
                time.sleeps, "1 s, doubling, capped at 5 s; no sleep after the end");
        assertEquals(2, log.size(), "one line per status change: " + log);
        assertTrue(log.get(0).contains("RUNNING") && log.get(1).contains("SUCCEEDED"), log.toString());
    }

    @Test
    void aFailedExecutionIsReturnedWithItsErrorForTheCallerToJudge() throws Exception {
        FakeTime time = new FakeTime();
        var waiter = new ExecutionWaiter(ExecutionWaiter.Timing.of(Duration.ofMinutes(1), Duration.ofMinutes(1)), time, time, s -> { });
        ExecutionWaiter.Status end = waiter.await("execution", () -> status("FAILED"));
        assertEquals("FAILED", end.status());
        assertEquals("clip-1 FAILED (InvalidInput.NotMp4: text)", end.toString());
        assertEquals(List.of(), time.sleeps);
    }

    @Test
    void noExecutionWithinTheStartTimeoutIsAClearError() {
        FakeTime time = new FakeTime();
        var waiter = new ExecutionWaiter(ExecutionWaiter.Timing.of(Duration.ofSeconds(30), Duration.ofMinutes(10)), time, time, s -> { });
        var e = assertThrows(ExecutionWaiter.WaitTimeoutException.class, () -> waiter.await("execution of m", Optional::empty));
        assertEquals("no execution of m started within 30 s", e.getMessage());
        assertTrue(time.nanos >= Duration.ofSeconds(30).toNanos() && time.nanos < Duration.ofSeconds(45).toNanos(), "gave up soon after 30 s: " + time.nanos);
    }

    @Test
    void theRunTimeoutCountsFromWhenTheExecutionAppeared() {
        FakeTime time = new FakeTime();
        var waiter = new ExecutionWaiter(ExecutionWaiter.Timing.of(Duration.ofSeconds(100), Duration.ofSeconds(60)), time, time, s -> { });
        long[] appearedAt = {-1};
        var e = assertThrows(ExecutionWaiter.WaitTimeoutException.class, () -> waiter.await("execution", () -> {
            if (time.nanos < Duration.ofSeconds(90).toNanos()) return Optional.empty();
            if (appearedAt[0] < 0) appearedAt[0] = time.nanos;
            return status("RUNNING");
        }));
        assertTrue(e.getMessage().contains("still RUNNING 60 s after it started"), e.getMessage());
        double ranFor = (time.nanos - appearedAt[0]) / 1e9;
        assertTrue(ranFor > 60 && ranFor <= 70, "not counted from the start of waiting: " + ranFor);
    }
}
