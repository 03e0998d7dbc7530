package dev.fanout.local.asl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs an Amazon States Language definition (JSONPath flavour) in this JVM: Task, Map (inline and
 * distributed, with an S3 ItemReader), Parallel, Choice, Pass, Succeed and Fail; InputPath, Parameters,
 * ItemSelector, ResultSelector, ResultPath and OutputPath; Retry (interval, backoff, max delay,
 * full jitter) and Catch. The whole definition is checked when loaded: any state type, field,
 * path form or intrinsic function it does not implement is refused by name, never skipped.
 */
public final class StateMachineExecutor {
    /** Runs a Task's resource, e.g. {@code arn:aws:states:::lambda:invoke}, with its effective parameters. */
    public interface TaskInvoker {
        JsonNode invoke(String resource, JsonNode parameters) throws StatesError;
    }

    /** Reads a Map's items for an ItemReader resource. */
    public interface ItemSource {
        JsonNode read(String resource, JsonNode readerConfig, JsonNode parameters) throws StatesError;
    }

    public interface Listener {
        default void stateEntered(String state) {}
        default void retrying(String state, String error, int attempt, Duration wait) {}
        default void mapItemDone(String state, int done, int total) {}
    }

    /** How an execution ended. {@code error}/{@code cause} are set when it FAILED. */
    public record Result(String status, JsonNode output, String error, String cause) {
        public boolean succeeded() { return "SUCCEEDED".equals(status); }
    }

    private static final Set<String> COMMON = Set.of("Type", "Comment", "Next", "End", "InputPath", "OutputPath");
    private static final Map<String, Set<String>> FIELDS = Map.of(
            "Task", Set.of("Resource", "Parameters", "ResultSelector", "ResultPath", "Retry", "Catch"),
            "Parallel", Set.of("Branches", "Parameters", "ResultSelector", "ResultPath", "Retry", "Catch"),
            "Map", Set.of("ItemProcessor", "Iterator", "ItemReader", "ItemsPath", "ItemSelector", "Parameters", "MaxConcurrency",
                    "ToleratedFailurePercentage", "ToleratedFailureCount", "Label", "ResultSelector", "ResultPath", "Retry", "Catch"),
            "Pass", Set.of("Result", "Parameters", "ResultPath"),
            "Choice", Set.of("Choices", "Default"),
            "Succeed", Set.of(),
            "Fail", Set.of("Error", "Cause", "ErrorPath", "CausePath"));

    private final JsonNode definition;
    private final TaskInvoker tasks;
    private final ItemSource items;
    private final int maxParallelism;
    private final double retryTimeScale;
    private final Listener listener;

    /**
     * @param maxParallelism  upper bound on Map iterations running at once (MaxConcurrency applies too)
     * @param retryTimeScale  1.0 waits the real retry intervals; tests use a small factor
     */
    public StateMachineExecutor(JsonNode definition, TaskInvoker tasks, ItemSource items, int maxParallelism,
                                double retryTimeScale, Listener listener) {
        this.definition = definition;
        this.tasks = tasks;
        this.items = items;
        this.maxParallelism = Math.max(1, maxParallelism);
        this.retryTimeScale = retryTimeScale;
        this.listener = listener;
        validateMachine(definition, "the state machine");
    }

    public Result execute(JsonNode input, String executionName) {
        ObjectNode context = JsonNodeFactory.instance.objectNode();
        ObjectNode execution = context.putObject("Execution");
        execution.put("Id", "arn:aws:states:local:000000000000:execution:local:" + executionName);
        execution.put("Name", executionName);
        execution.set("Input", input);
        execution.put("StartTime", Instant.now().toString());
        context.putObject("StateMachine").put("Id", "arn:aws:states:local:000000000000:stateMachine:local");
        try {
            return new Result("SUCCEEDED", run(definition, input, context, Scope.ROOT), null, null);
        } catch (StatesError e) {
            return new Result("FAILED", null, e.error(), e.cause());
        }
    }

    // ---- validation ------------------------------------------------------------------------

    private static void validateMachine(JsonNode machine, String where) {
        requireFields(machine, where, Set.of("StartAt", "States", "Comment", "ProcessorConfig", "Version", "TimeoutSeconds"));
        if (machine.has("TimeoutSeconds")) throw new UnsupportedAslException("TimeoutSeconds in " + where);
        String start = machine.path("StartAt").asText();
        if (!machine.path("States").has(start)) throw new UnsupportedAslException("StartAt '" + start + "' that names no state in " + where);
        for (Iterator<Map.Entry<String, JsonNode>> it = machine.path("States").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            validateState(e.getKey(), e.getValue(), machine.path("States"));
        }
    }

    private static void validateState(String name, JsonNode state, JsonNode siblings) {
        String type = state.path("Type").asText();
        Set<String> allowed = FIELDS.get(type);
        if (allowed == null) throw new UnsupportedAslException("state type '" + type + "' (state '" + name + "')");
        for (Iterator<String> f = state.fieldNames(); f.hasNext(); ) {
            String field = f.next();
            if (!COMMON.contains(field) && !allowed.contains(field)) {
                throw new UnsupportedAslException("field '" + field + "' in " + type + " state '" + name + "'");
            }
        }
        if (type.equals("Choice")) validateChoice(name, state, siblings);
        if (state.has("Next") && !siblings.has(state.get("Next").asText())) {
            throw new UnsupportedAslException("Next '" + state.get("Next").asText() + "' that names no state (state '" + name + "')");
        }
        for (JsonNode c : state.path("Catch")) {
            if (!siblings.has(c.path("Next").asText())) throw new UnsupportedAslException("Catch → '" + c.path("Next").asText() + "' in state '" + name + "'");
        }
        for (String t : List.of("Parameters", "ResultSelector", "ItemSelector")) validateTemplate(state.get(t), name);
        if (state.has("ItemReader")) {
            JsonNode r = state.get("ItemReader");
            requireFields(r, "ItemReader of '" + name + "'", Set.of("Resource", "ReaderConfig", "Parameters"));
            if (!"arn:aws:states:::s3:getObject".equals(r.path("Resource").asText()) || !"JSON".equals(r.path("ReaderConfig").path("InputType").asText())) {
                throw new UnsupportedAslException("ItemReader other than s3:getObject with InputType JSON (state '" + name + "')");
            }
            validateTemplate(r.get("Parameters"), name);
        }
        if (type.equals("Map")) {
            JsonNode proc = state.has("ItemProcessor") ? state.get("ItemProcessor") : state.get("Iterator");
            if (proc == null) throw new UnsupportedAslException("a Map without ItemProcessor (state '" + name + "')");
            validateMachine(proc, "Map '" + name + "'");
        }
        if (type.equals("Parallel")) {
            for (JsonNode b : state.path("Branches")) validateMachine(b, "a branch of '" + name + "'");
        }
        if (type.equals("Task") && !state.path("Resource").asText().startsWith("arn:aws:states:::lambda:invoke")
                && !state.path("Resource").asText().startsWith("arn:aws:lambda:")
                && !state.path("Resource").asText().equals("arn:aws:states:::events:putEvents")) {
            throw new UnsupportedAslException("Task resource '" + state.path("Resource").asText() + "' (state '" + name + "')");
        }
        if (type.equals("Task") && state.path("Resource").asText().contains(".waitForTaskToken")) {
            throw new UnsupportedAslException(".waitForTaskToken (state '" + name + "')");
        }
    }

    /** The Choice rules this interpreter evaluates: one comparison per rule (or And/Or/Not of them). */
    private static final Set<String> COMPARISONS = Set.of("BooleanEquals", "StringEquals", "NumericEquals", "IsPresent", "IsNull");

    private static void validateChoice(String name, JsonNode state, JsonNode siblings) {
        if (!state.path("Choices").isArray() || state.path("Choices").isEmpty()) {
            throw new UnsupportedAslException("a Choice state without Choices ('" + name + "')");
        }
        for (JsonNode rule : state.get("Choices")) {
            if (!siblings.has(rule.path("Next").asText())) throw new UnsupportedAslException("Choice → '" + rule.path("Next").asText() + "' in state '" + name + "'");
            validateRule(name, rule);
        }
        if (state.has("Default") && !siblings.has(state.get("Default").asText())) {
            throw new UnsupportedAslException("Default '" + state.get("Default").asText() + "' that names no state (state '" + name + "')");
        }
    }

    private static void validateRule(String name, JsonNode rule) {
        for (String combinator : List.of("And", "Or")) {
            if (rule.has(combinator)) {
                for (JsonNode r : rule.get(combinator)) validateRule(name, r);
                return;
            }
        }
        if (rule.has("Not")) { validateRule(name, rule.get("Not")); return; }
        JsonPaths.steps(rule.path("Variable").asText("?"));
        long comparisons = COMPARISONS.stream().filter(rule::has).count();
        if (comparisons != 1) throw new UnsupportedAslException("Choice rule " + rule + " (state '" + name + "'): one of " + COMPARISONS);
    }

    private static boolean choiceMatches(JsonNode rule, JsonNode input, JsonNode context) {
        if (rule.has("And")) {
            for (JsonNode r : rule.get("And")) if (!choiceMatches(r, input, context)) return false;
            return true;
        }
        if (rule.has("Or")) {
            for (JsonNode r : rule.get("Or")) if (choiceMatches(r, input, context)) return true;
            return false;
        }
        if (rule.has("Not")) return !choiceMatches(rule.get("Not"), input, context);
        JsonNode value;
        try {
            value = JsonPaths.read(rule.get("Variable").asText(), input, context);
        } catch (StatesError missing) {
            value = null;
        }
        if (rule.has("IsPresent")) return (value != null) == rule.get("IsPresent").asBoolean();
        if (value == null) return false;
        if (rule.has("IsNull")) return value.isNull() == rule.get("IsNull").asBoolean();
        if (rule.has("BooleanEquals")) return value.isBoolean() && value.asBoolean() == rule.get("BooleanEquals").asBoolean();
        if (rule.has("StringEquals")) return value.isTextual() && value.asText().equals(rule.get("StringEquals").asText());
        return value.isNumber() && value.decimalValue().compareTo(rule.get("NumericEquals").decimalValue()) == 0;
    }

    private static void requireFields(JsonNode node, String where, Set<String> allowed) {
        for (Iterator<String> f = node.fieldNames(); f.hasNext(); ) {
            String field = f.next();
            if (!allowed.contains(field)) throw new UnsupportedAslException("field '" + field + "' in " + where);
        }
    }

    private static void validateTemplate(JsonNode t, String state) {
        if (t == null) return;
        if (t.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = t.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().endsWith(".$")) {
                    String v = e.getValue().asText();
                    if (v.startsWith("States.")) throw new UnsupportedAslException("intrinsic function " + v + " (state '" + state + "')");
                    JsonPaths.steps(v);
                } else {
                    validateTemplate(e.getValue(), state);
                }
            }
        } else if (t.isArray()) {
            for (JsonNode n : t) validateTemplate(n, state);
        }
    }

    // ---- execution -------------------------------------------------------------------------

    private JsonNode run(JsonNode machine, JsonNode input, JsonNode context, Scope scope) {
        String current = machine.get("StartAt").asText();
        JsonNode data = input;
        while (true) {
            scope.throwIfStopped(current);
            JsonNode state = machine.get("States").get(current);
            listener.stateEntered(current);
            ObjectNode stateContext = context.deepCopy();
            stateContext.putObject("State").put("Name", current).put("EnteredTime", Instant.now().toString());
            String type = state.get("Type").asText();
            switch (type) {
                case "Succeed" -> { return applyPath(state, "OutputPath", applyPath(state, "InputPath", data, stateContext), stateContext); }
                case "Fail" -> throw failState(state, data, stateContext);
                case "Choice" -> {
                    JsonNode choiceInput = applyPath(state, "InputPath", data, stateContext);
                    String chosen = null;
                    for (JsonNode rule : state.get("Choices")) {
                        if (choiceMatches(rule, choiceInput, stateContext)) { chosen = rule.get("Next").asText(); break; }
                    }
                    if (chosen == null) chosen = state.path("Default").asText(null);
                    if (chosen == null) throw new StatesError("States.NoChoiceMatched", "no Choice rule matched in state '" + current + "'");
                    data = applyPath(state, "OutputPath", choiceInput, stateContext);
                    current = chosen;
                    continue;
                }
                default -> { }
            }
            JsonNode output;
            String next;
            try {
                output = runWithRetry(current, state, data, stateContext, scope);
                next = state.path("End").asBoolean(false) ? null : state.get("Next").asText();
            } catch (StatesError e) {
                JsonNode catcher = matching(state.path("Catch"), e.error());
                if (catcher == null) throw e;
                // As on AWS, the error output has a Cause only when the error came with one (a Fail
                // state without Cause, or a timeout, has none): a path to it must then fail.
                ObjectNode errorOutput = JsonNodeFactory.instance.objectNode().put("Error", e.error());
                if (e.cause() != null) errorOutput.put("Cause", e.cause());
                output = resultPath(catcher.has("ResultPath") ? catcher.get("ResultPath") : null, data, errorOutput);
                next = catcher.get("Next").asText();
            }
            if (next == null) return output;
            data = output;
            current = next;
        }
    }

    private StatesError failState(JsonNode state, JsonNode data, JsonNode context) {
        String error = state.has("ErrorPath") ? JsonPaths.read(state.get("ErrorPath").asText(), data, context).asText() : state.path("Error").asText("States.Fail");
        String cause = state.has("CausePath") ? JsonPaths.read(state.get("CausePath").asText(), data, context).asText() : state.path("Cause").asText(null);
        return new StatesError(error, cause);
    }

    private JsonNode runWithRetry(String name, JsonNode state, JsonNode rawInput, JsonNode context, Scope scope) {
        int[] attempts = new int[state.path("Retry").size()];
        while (true) {
            scope.throwIfStopped(name);
            try {
                return runOnce(name, state, rawInput, context, scope);
            } catch (StatesError e) {
                int index = -1;
                JsonNode retriers = state.path("Retry");
                for (int i = 0; i < retriers.size(); i++) {
                    if (matches(retriers.get(i).path("ErrorEquals"), e.error())) { index = i; break; }
                }
                if (index < 0) throw e;
                JsonNode r = retriers.get(index);
                int max = r.path("MaxAttempts").asInt(3);
                if (attempts[index] >= max) throw e;
                double wait = r.path("IntervalSeconds").asDouble(1) * Math.pow(r.path("BackoffRate").asDouble(2), attempts[index]);
                if (r.has("MaxDelaySeconds")) wait = Math.min(wait, r.get("MaxDelaySeconds").asDouble());
                if ("FULL".equals(r.path("JitterStrategy").asText("NONE"))) wait = ThreadLocalRandom.current().nextDouble() * wait;
                attempts[index]++;
                Duration d = Duration.ofMillis(Math.round(wait * 1000 * retryTimeScale));
                listener.retrying(name, e.error(), attempts[index], d);
                sleep(d);
            }
        }
    }

    private JsonNode runOnce(String name, JsonNode state, JsonNode rawInput, JsonNode context, Scope scope) {
        JsonNode input = applyPath(state, "InputPath", rawInput, context);
        String type = state.get("Type").asText();
        JsonNode effective = state.has("Parameters") && !type.equals("Map") ? evaluate(state.get("Parameters"), input, context) : input;
        JsonNode result = switch (type) {
            case "Task" -> tasks.invoke(state.get("Resource").asText(), effective);
            case "Pass" -> state.has("Result") ? state.get("Result") : effective;
            case "Parallel" -> parallel(state, effective, context, scope);
            case "Map" -> map(name, state, input, context, scope);
            default -> throw new UnsupportedAslException("state type " + type);
        };
        if (state.has("ResultSelector")) result = evaluate(state.get("ResultSelector"), result, context);
        JsonNode combined = resultPath(state.has("ResultPath") ? state.get("ResultPath") : null, rawInput, result);
        return applyPath(state, "OutputPath", combined, context);
    }

    /*
     * Parallel and Map fail as soon as a branch fails (a Distributed Map: as soon as its failures
     * exceed the tolerated threshold), not when the others finish, and what is still running goes
     * on: "If any branch fails ... the entire Parallel state is considered to have failed and all
     * its branches are stopped", and "When a parallel state fails, invoked Lambda functions
     * continue to run" (AWS Step Functions Developer Guide, "Parallel workflow state", Error
     * Handling: https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html). A failed
     * Map Run stops its running child executions ("aborted ... by Step Functions because the Map Run
     * failed", API reference, MapRunExecutionCounts) and starts no more, but a Lambda invocation
     * already made is not stopped either. So here a stopped branch or item starts no further state
     * or retry, a Task already invoked runs to its end (its result is dropped), and the execution
     * moves on to the Catch at once. {@link #awaitStragglers} waits for that leftover work.
     */
    private JsonNode parallel(JsonNode state, JsonNode input, JsonNode context, Scope scope) {
        List<JsonNode> branches = new ArrayList<>();
        state.get("Branches").forEach(branches::add);
        Scope branchScope = new Scope(scope);
        Settling settling = new Settling(branches.size());
        JsonNode[] outputs = new JsonNode[branches.size()];
        for (int i = 0; i < branches.size(); i++) {
            int index = i;
            JsonNode branch = branches.get(i);
            startStraggler(() -> {
                try {
                    outputs[index] = run(branch, input, context, branchScope);
                } catch (RuntimeException e) {
                    branchScope.stop();
                    settling.fail(e);
                } finally {
                    settling.oneDone();
                }
            });
        }
        settling.await();
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (JsonNode o : outputs) out.add(o);
        return out;
    }

    private JsonNode map(String name, JsonNode state, JsonNode input, JsonNode context, Scope scope) {
        JsonNode list;
        if (state.has("ItemReader")) {
            JsonNode reader = state.get("ItemReader");
            list = items.read(reader.get("Resource").asText(), reader.get("ReaderConfig"), evaluate(reader.get("Parameters"), input, context));
        } else {
            list = state.has("ItemsPath") ? JsonPaths.read(state.get("ItemsPath").asText(), input, context) : input;
        }
        if (!list.isArray()) throw new StatesError("States.Runtime", "Map '" + name + "' items are not a JSON array");
        JsonNode processor = state.has("ItemProcessor") ? state.get("ItemProcessor") : state.get("Iterator");
        boolean distributed = "DISTRIBUTED".equals(processor.path("ProcessorConfig").path("Mode").asText("INLINE"));
        JsonNode selector = state.has("ItemSelector") ? state.get("ItemSelector") : state.get("Parameters");
        int total = list.size();
        int concurrency = state.path("MaxConcurrency").asInt(0);
        int threads = Math.max(1, Math.min(maxParallelism, concurrency == 0 ? total : concurrency));
        double toleratedPercent = distributed ? state.path("ToleratedFailurePercentage").asDouble(0) : 0;
        int toleratedCount = distributed ? state.path("ToleratedFailureCount").asInt(0) : 0;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Scope itemScope = new Scope(scope);
        Settling settling = new Settling(total);
        AtomicInteger done = new AtomicInteger();
        List<StatesError> failures = Collections.synchronizedList(new ArrayList<>());
        JsonNode[] results = new JsonNode[total];
        try {
            for (int i = 0; i < total; i++) {
                int index = i;
                ObjectNode itemContext = context.deepCopy();
                ObjectNode item = itemContext.putObject("Map").putObject("Item");
                item.put("Index", i);
                item.set("Value", list.get(i));
                JsonNode itemInput = selector == null ? list.get(i) : evaluate(selector, input, itemContext);
                startStraggler(pool, () -> {
                    try {
                        if (itemScope.stopped()) return; // a failed Map Run starts no more children
                        results[index] = run(processor, itemInput, itemContext, itemScope);
                        listener.mapItemDone(name, done.incrementAndGet(), total);
                    } catch (UnsupportedAslException e) {
                        itemScope.stop();
                        settling.fail(e);
                    } catch (RuntimeException e) {
                        if (itemScope.stopped()) return; // the Map has already failed; this is a leftover
                        failures.add(asStatesError(e));
                        int failed = failures.size();
                        boolean tooMany = !distributed
                                || (failed > toleratedCount && 100.0 * failed / total > toleratedPercent);
                        if (tooMany) {
                            itemScope.stop();
                            StatesError first = failures.get(0);
                            settling.fail(distributed
                                    // as Step Functions reports it: the Map Run fails as a whole, not with the item's error
                                    ? new StatesError("States.ExceedToleratedFailureThreshold", "The Map Run '" + name + "' failed: "
                                            + failed + " of " + total + " items failed (first: " + first.error() + ")")
                                    : first);
                        }
                    } finally {
                        settling.oneDone();
                    }
                });
            }
        } finally {
            pool.shutdown(); // queued items still run (and return at once once stopped); running ones finish
        }
        settling.await();
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (JsonNode r : results) out.add(r == null ? NullNode.instance : r);
        return out;
    }

    /** Whether the enclosing Map or Parallel has failed: its branches and items then start nothing new. */
    private static final class Scope {
        static final Scope ROOT = new Scope(null);
        private final Scope parent;
        private volatile boolean stopped;

        Scope(Scope parent) { this.parent = parent; }

        void stop() { stopped = true; }

        boolean stopped() { return stopped || (parent != null && parent.stopped()); }

        void throwIfStopped(String state) {
            if (stopped()) throw new StatesError("States.BranchStopped", "not entering '" + state + "': its Map or Parallel has failed");
        }
    }

    /** Completes when every branch/item is done, or at the first failure that fails the whole state. */
    private static final class Settling {
        private final AtomicInteger remaining;
        private final CompletableFuture<Void> settled = new CompletableFuture<>();

        Settling(int count) {
            this.remaining = new AtomicInteger(count);
            if (count == 0) settled.complete(null);
        }

        void oneDone() {
            if (remaining.decrementAndGet() == 0) settled.complete(null);
        }

        void fail(RuntimeException e) {
            settled.completeExceptionally(e instanceof StatesError || e instanceof UnsupportedAslException
                    ? e : new StatesError("States.Runtime", String.valueOf(e)));
        }

        void await() {
            try {
                settled.get();
            } catch (ExecutionException e) {
                throw (RuntimeException) e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StatesError("States.Runtime", "interrupted");
            }
        }
    }

    private final Object stragglerLock = new Object();
    private int stragglers;

    private void startStraggler(Runnable work) {
        startStraggler(null, work);
    }

    /** Runs a branch or item on its own thread (or {@code pool}), counted until it ends, even after its state failed. */
    private void startStraggler(ExecutorService pool, Runnable work) {
        synchronized (stragglerLock) { stragglers++; }
        Runnable counted = () -> {
            try {
                work.run();
            } finally {
                synchronized (stragglerLock) {
                    stragglers--;
                    stragglerLock.notifyAll();
                }
            }
        };
        if (pool == null) Thread.ofVirtual().name("branch").start(counted);
        else pool.execute(counted);
    }

    /**
     * Waits until no branch or Map item of any execution of this executor is still running: after
     * a failure, Tasks that were already invoked go on (as Lambda invocations do on AWS).
     * @return false if some were still running at the timeout
     */
    public boolean awaitStragglers(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (stragglerLock) {
            while (stragglers > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                try {
                    stragglerLock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    private static StatesError asStatesError(Throwable t) {
        if (t instanceof StatesError s) return s;
        if (t instanceof UnsupportedAslException u) throw u;
        return new StatesError("States.Runtime", String.valueOf(t));
    }

    private static JsonNode applyPath(JsonNode state, String field, JsonNode data, JsonNode context) {
        if (!state.has(field)) return data;
        if (state.get(field).isNull()) return JsonNodeFactory.instance.objectNode();
        return JsonPaths.read(state.get(field).asText(), data, context);
    }

    /** ResultPath: absent → "$" (the result replaces the input); null → the input is kept; else merged. */
    private static JsonNode resultPath(JsonNode resultPath, JsonNode input, JsonNode result) {
        if (resultPath == null) return result;
        if (resultPath.isNull()) return input;
        return JsonPaths.write(resultPath.asText(), input, result);
    }

    /** Evaluates a payload template (Parameters, ItemSelector, ResultSelector). */
    static JsonNode evaluate(JsonNode template, JsonNode input, JsonNode context) {
        if (template.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = template.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().endsWith(".$")) {
                    out.set(e.getKey().substring(0, e.getKey().length() - 2), JsonPaths.read(e.getValue().asText(), input, context));
                } else {
                    out.set(e.getKey(), evaluate(e.getValue(), input, context));
                }
            }
            return out;
        }
        if (template.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            for (JsonNode n : template) out.add(evaluate(n, input, context));
            return out;
        }
        return template;
    }

    private static JsonNode matching(JsonNode catchers, String error) {
        for (JsonNode c : catchers) if (matches(c.path("ErrorEquals"), error)) return c;
        return null;
    }

    private static boolean matches(JsonNode errorEquals, String error) {
        if (error.equals("States.Runtime") || error.equals("States.DataLimitExceeded")) return false; // terminal, as in Step Functions
        for (JsonNode e : errorEquals) {
            String name = e.asText();
            if (name.equals(error) || name.equals("States.ALL")) return true;
            if (name.equals("States.TaskFailed") && !error.equals("States.Timeout")) return true;
        }
        return false;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StatesError("States.Runtime", "interrupted while waiting to retry");
        }
    }
}
