package dev.fanout.local.asl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.encoder.storage.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The executor's ASL semantics on small definitions with a scripted task resource. */
class StateMachineExecutorTest {
    static JsonNode json(String s) throws Exception { return Json.MAPPER.readTree(s); }

    static final String LAMBDA = "arn:aws:states:::lambda:invoke";

    /** A task that doubles {"n"} and fails as scripted per call. */
    static final class Script implements StateMachineExecutor.TaskInvoker {
        final Map<Integer, List<String>> failures = new ConcurrentHashMap<>();
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public JsonNode invoke(String resource, JsonNode p) {
            JsonNode payload = p.path("Payload");
            int n = payload.path("n").asInt();
            calls.add(p.path("FunctionName").asText() + ":" + n);
            List<String> f = failures.get(n);
            if (f != null && !f.isEmpty()) throw new StatesError(f.remove(0), "scripted failure for " + n);
            return JsonNodeFactory.instance.objectNode().put("StatusCode", 200).set("Payload", JsonNodeFactory.instance.objectNode().put("n2", 2 * n));
        }
    }

    static final JsonNode ITEMS;
    static {
        try { ITEMS = json("[{\"n\":1},{\"n\":2},{\"n\":3}]"); } catch (Exception e) { throw new ExceptionInInitializerError(e); }
    }

    static StateMachineExecutor executor(String definition, Script script) throws Exception {
        return new StateMachineExecutor(json(definition), script, (r, c, p) -> ITEMS, 4, 0.0,
                new StateMachineExecutor.Listener() {});
    }

    static final String MACHINE = """
            {"StartAt":"Work","States":{
              "Work":{"Type":"Parallel","Branches":[
                 {"StartAt":"Items","States":{"Items":{"Type":"Map",
                    "ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON"},"Parameters":{"Bucket":"b","Key.$":"$.key"}},
                    "ItemSelector":{"n.$":"$$.Map.Item.Value.n","tag.$":"$.tag"},
                    "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"Double","States":{
                       "Double":{"Type":"Task","Resource":"%s","Parameters":{"FunctionName":"f","Payload.$":"$"},
                          "ResultSelector":{"n2.$":"$.Payload.n2"},
                          "Retry":[{"ErrorEquals":["Lambda.TooManyRequestsException"],"IntervalSeconds":1,"MaxAttempts":2,"BackoffRate":2,"JitterStrategy":"FULL"}],
                          "End":true}}},
                    "MaxConcurrency":2,"ToleratedFailurePercentage":0,"End":true}}},
                 {"StartAt":"Side","States":{"Side":{"Type":"Pass","Result":{"side":true},"End":true}}}],
                "ResultPath":"$.results",
                "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Failed"}],
                "Next":"Done"},
              "Done":{"Type":"Succeed","OutputPath":"$.results"},
              "Failed":{"Type":"Fail","ErrorPath":"$.error.Error","CausePath":"$.error.Cause"}}}
            """.formatted(LAMBDA);

    @Test
    void runsMapInParallelWithSelectorsAndResultPaths() throws Exception {
        Script s = new Script();
        var r = executor(MACHINE, s).execute(json("{\"key\":\"items.json\",\"tag\":\"x\"}"), "t");
        assertTrue(r.succeeded(), r.toString());
        assertEquals(json("[[{\"n2\":2},{\"n2\":4},{\"n2\":6}],{\"side\":true}]"), r.output());
    }

    @Test
    void retriesAMatchingErrorThenSucceeds() throws Exception {
        Script s = new Script();
        s.failures.put(2, new CopyOnWriteArrayList<>(List.of("Lambda.TooManyRequestsException", "Lambda.TooManyRequestsException")));
        var r = executor(MACHINE, s).execute(json("{\"key\":\"k\",\"tag\":\"x\"}"), "t");
        assertTrue(r.succeeded(), r.toString());
        assertEquals(3, s.calls.stream().filter(c -> c.equals("f:2")).count(), "two retries, then success");
    }

    @Test
    void exhaustedRetriesFailTheDistributedMapAndAreCaught() throws Exception {
        Script s = new Script();
        s.failures.put(3, new CopyOnWriteArrayList<>(List.of("Lambda.TooManyRequestsException", "Lambda.TooManyRequestsException", "Lambda.TooManyRequestsException")));
        var r = executor(MACHINE, s).execute(json("{\"key\":\"k\",\"tag\":\"x\"}"), "t");
        assertEquals("FAILED", r.status());
        assertEquals("States.ExceedToleratedFailureThreshold", r.error());
        assertEquals(3, s.calls.stream().filter(c -> c.equals("f:3")).count(), "MaxAttempts 2 = three tries");
    }

    @Test
    void anErrorWithoutARetrierIsNotRetried() throws Exception {
        Script s = new Script();
        s.failures.put(1, new CopyOnWriteArrayList<>(List.of("dev.fanout.Permanent")));
        var r = executor(MACHINE, s).execute(json("{\"key\":\"k\",\"tag\":\"x\"}"), "t");
        assertEquals("FAILED", r.status());
        assertEquals(1, s.calls.stream().filter(c -> c.equals("f:1")).count());
    }

    @Test
    void aMissingPathIsAStatesRuntimeErrorThatCatchDoesNotSwallow() throws Exception {
        Script s = new Script();
        var r = executor(MACHINE, s).execute(json("{\"tag\":\"x\"}"), "t");
        assertEquals("States.Runtime", r.error());
    }

    @Test
    void refusesWhatItDoesNotImplementByName() {
        var e = assertThrows(UnsupportedAslException.class, () -> executor("""
                {"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"End":true}}}""", new Script()));
        assertTrue(e.getMessage().contains("Wait"));
        e = assertThrows(UnsupportedAslException.class, () -> executor("""
                {"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"x.$":"States.Format('{}', $.a)"},"End":true}}}""", new Script()));
        assertTrue(e.getMessage().contains("States.Format"));
        e = assertThrows(UnsupportedAslException.class, () -> executor("""
                {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","End":true}}}""", new Script()));
        assertTrue(e.getMessage().contains("sqs"));
        e = assertThrows(UnsupportedAslException.class, () -> executor("""
                {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"%s","TimeoutSeconds":5,"End":true}}}""".formatted(LAMBDA), new Script()));
        assertTrue(e.getMessage().contains("TimeoutSeconds"));
    }

    @Test
    void resultPathMergesAndOutputPathSelects() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        var ex = new StateMachineExecutor(json("""
                {"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"v":1},"ResultPath":"$.deep.r","Next":"B"},
                 "B":{"Type":"Pass","InputPath":"$.deep","Parameters":{"copy.$":"$.r.v","lit":"x"},"ResultPath":null,"OutputPath":"$.deep","End":true}}}"""),
                (r, p) -> { calls.incrementAndGet(); return p; }, (r, c, p) -> p, 1, 0, new StateMachineExecutor.Listener() {});
        var r = ex.execute(json("{\"keep\":true}"), "t");
        assertEquals(json("{\"r\":{\"v\":1}}"), r.output());
    }

    @Test
    void choiceFollowsTheFirstMatchingRuleOrTheDefault() throws Exception {
        String machine = """
                {"StartAt":"Decide","States":{
                  "Decide":{"Type":"Choice","Choices":[
                     {"Variable":"$.plan.done","BooleanEquals":true,"Next":"Skipped"},
                     {"And":[{"Variable":"$.kind","IsPresent":true},{"Not":{"Variable":"$.kind","StringEquals":"audio"}}],"Next":"Video"}],
                   "Default":"Other"},
                  "Skipped":{"Type":"Pass","Result":"skipped","End":true},
                  "Video":{"Type":"Pass","Result":"video","End":true},
                  "Other":{"Type":"Pass","Result":"other","End":true}}}
                """;
        StateMachineExecutor ex = executor(machine, new Script());
        assertEquals(json("\"skipped\""), ex.execute(json("{\"plan\":{\"done\":true},\"kind\":\"video\"}"), "a").output());
        assertEquals(json("\"video\""), ex.execute(json("{\"plan\":{\"done\":false},\"kind\":\"video\"}"), "b").output());
        assertEquals(json("\"other\""), ex.execute(json("{\"kind\":\"audio\"}"), "c").output());
        assertEquals(json("\"other\""), ex.execute(json("{}"), "d").output(), "a missing variable matches no comparison");
    }

    /**
     * As on AWS: a failed Map goes to its Catch at once, the items already invoked run on (a
     * Lambda invocation cannot be stopped), no further item starts, and the Parallel around it
     * stops its other branch before that branch's next state.
     */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aFailedMapIsCaughtAtOnceWhileInvokedItemsRunOnAndNoMoreStart() throws Exception {
        String machine = """
                {"StartAt":"Work","States":{
                  "Work":{"Type":"Parallel","Branches":[
                     {"StartAt":"Items","States":{"Items":{"Type":"Map","ItemsPath":"$.items",
                        "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"Do","States":{
                           "Do":{"Type":"Task","Resource":"%1$s","Parameters":{"FunctionName":"item","Payload.$":"$"},"End":true}}},
                        "MaxConcurrency":2,"ToleratedFailurePercentage":0,"End":true}}},
                     {"StartAt":"Slow side","States":{
                        "Slow side":{"Type":"Task","Resource":"%1$s","Parameters":{"FunctionName":"side","Payload":{"n":0}},"Next":"After side"},
                        "After side":{"Type":"Task","Resource":"%1$s","Parameters":{"FunctionName":"after","Payload":{"n":0}},"End":true}}}],
                    "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Failed"}],
                    "End":true},
                  "Failed":{"Type":"Fail","Error":"Caught"}}}
                """.formatted(LAMBDA);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        // item 2 fails only once item 1 and the side branch are running: on a loaded machine the
        // failure could otherwise come before they were invoked (and then, rightly, they never are)
        java.util.concurrent.CountDownLatch othersRunning = new java.util.concurrent.CountDownLatch(2);
        List<String> finished = new CopyOnWriteArrayList<>();
        List<String> started = new CopyOnWriteArrayList<>();
        StateMachineExecutor.TaskInvoker tasks = (resource, p) -> {
            String call = p.path("FunctionName").asText() + ":" + p.path("Payload").path("n").asInt();
            started.add(call);
            if (call.equals("item:1") || call.equals("side:0")) othersRunning.countDown();
            if (call.equals("item:2")) {
                try {
                    othersRunning.await();
                } catch (InterruptedException e) {
                    throw new StatesError("Interrupted", "interrupted before failing");
                }
                throw new StatesError("dev.fanout.Permanent", "item 2 fails");
            }
            if (call.equals("item:1") || call.equals("side:0")) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new StatesError("Interrupted", "the executor interrupted a running task");
                }
            }
            finished.add(call);
            return JsonNodeFactory.instance.objectNode();
        };
        var ex = new StateMachineExecutor(json(machine), tasks, (r, c, p) -> null, 2, 0.0, new StateMachineExecutor.Listener() {});
        var result = ex.execute(json("{\"items\":[{\"n\":1},{\"n\":2},{\"n\":3},{\"n\":4}]}"), "t");
        assertEquals("Caught", result.error(), "the Catch ran while item 1 and the side branch were still running");
        assertTrue(finished.isEmpty(), "nothing held back had finished: " + finished);
        release.countDown();
        assertTrue(ex.awaitStragglers(java.time.Duration.ofSeconds(10)));
        assertEquals(java.util.Set.of("item:1", "side:0"), java.util.Set.copyOf(finished), "invoked tasks ran to their end");
        assertFalse(started.contains("after:0"), "the stopped branch entered no further state");
        assertFalse(started.contains("item:3") || started.contains("item:4"), "no item started after the Map failed: " + started);
    }
}
