package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.model.JobLayout;
import dev.fanout.local.asl.StateMachineExecutor;
import dev.fanout.local.iam.S3PolicyProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every local run enforces the template's S3 permissions: with one permission removed from a copy
 * of template.yaml (Record failure's s3:DeleteObject on work/*), a job that fails after planning
 * can no longer be cleaned up and ends in Storage.AccessDenied naming the key, as it would on AWS;
 * with the real template the same job ends as a clean FAILED job and nothing was refused.
 */
class IamEnforcementTest {
    @TempDir
    static Path dir;
    static PipelineFixture fx;
    static Path source;
    /** The chunk's ffmpeg gets no time: the job fails after the plan exists under work/<jobId>/. */
    static final Map<String, String> FAIL_AFTER_PLAN = Map.of("LADDER", "144@300", "CHUNK_SECONDS", "2", "FFMPEG_TIMEOUT_SECONDS", "0.001");

    static final String RECORD_FAILURE_WORK_DELETE = """
                        # The failed run's records under work/<jobId>/ are deleted too, so a run started
                        # again never reuses one.
                        - Effect: Allow
                          Action: s3:DeleteObject
                          Resource: !Sub ${OutputBucket.Arn}/work/*
            """;

    @BeforeAll
    static void start() throws Exception {
        fx = new PipelineFixture(dir.resolve("fx"));
        source = fx.generate("clip.mp4", SampleClip.of(256, 144, "25", 2));
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    /** template.yaml, minus {@code statement}, in a folder of its own beside a copy of the state machine. */
    private static Path templateWithout(String statement) throws Exception {
        Path real = LocalStateMachine.findTemplate();
        String text = Files.readString(real);
        String cut = text.replace(statement, "");
        assertFalse(cut.equals(text), "the statement to remove is in template.yaml");
        Path copy = dir.resolve("template-copy");
        Files.createDirectories(copy.resolve("statemachine"));
        Files.copy(real.resolveSibling("statemachine").resolve("encode.asl.json"), copy.resolve("statemachine").resolve("encode.asl.json"));
        Files.writeString(copy.resolve("template.yaml"), cut);
        return copy.resolve("template.yaml");
    }

    private record Run(LocalStateMachine.Outcome outcome, List<S3PolicyProxy.Denial> denied) {}

    private static Run run(Path template, String key) throws Exception {
        fx.upload(source, key);
        try (LocalStateMachine machine = new LocalStateMachine(template, fx.env(FAIL_AFTER_PLAN), 2, 0.001, new StateMachineExecutor.Listener() {})) {
            return new Run(machine.run(PipelineFixture.INPUT, key), machine.accessDenied());
        }
    }

    @Test
    void aPermissionMissingFromTheTemplateFailsTheLocalRunAsItWouldOnAws() throws Exception {
        Run run = run(templateWithout(RECORD_FAILURE_WORK_DELETE), "uploads/no-cleanup.mp4");
        String jobId = run.outcome().jobId();
        String plan = JobLayout.of(PipelineFixture.OUTPUT, jobId).planKey();

        StateMachineExecutor.Result result = run.outcome().result();
        assertFalse(run.outcome().succeeded());
        assertTrue(result.cause().contains("Storage.AccessDenied") && result.cause().contains("work/" + jobId + "/"), result::toString);
        assertTrue(run.denied().stream().anyMatch(d -> d.principal().equals("RecordFailureFunction") && d.action().equals("s3:DeleteObject")
                && d.resource().equals("arn:aws:s3:::" + PipelineFixture.OUTPUT + "/" + plan)), run.denied()::toString);
        assertTrue(run.denied().stream().allMatch(d -> d.principal().equals("RecordFailureFunction")), "nothing else was refused: " + run.denied());
        assertTrue(fx.store.head(PipelineFixture.OUTPUT, plan).isPresent(), "the refused delete did not happen");
    }

    @Test
    void withTheRealTemplateTheSameFailureIsRecordedAndNothingIsRefused() throws Exception {
        Run run = run(LocalStateMachine.findTemplate(), "uploads/cleaned-up.mp4");
        String jobId = run.outcome().jobId();
        assertFalse(run.outcome().succeeded());
        assertEquals(List.of(), run.denied());
        JsonNode record = fx.store.getJson(PipelineFixture.OUTPUT, "jobs/" + jobId + "/job.json", JsonNode.class);
        assertEquals("FAILED", record.path("status").asText(), record::toPrettyString);
        assertEquals("EncodeFailed.Timeout", record.path("error").path("error").asText(), record::toPrettyString);
        assertEquals(List.of(), fx.store.list(PipelineFixture.OUTPUT, "work/" + jobId + "/"), "Record failure deleted the work records");
    }
}
