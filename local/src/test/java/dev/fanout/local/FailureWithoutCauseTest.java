package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.local.asl.StatesError;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Step Functions' error output has a Cause only usually: an error without one must still reach
 * "Record failure" and end in a FAILED job.json and the failure event. (A JSONPath to a missing
 * field fails the state with States.Runtime, which no Catch catches, so a definition that reads
 * $.error.Cause would end the execution with no job.json and no event.)
 */
class FailureWithoutCauseTest extends PipelineTestBase {
    @BeforeAll
    void upload() {
        fx.upload(fx.generate("clip.mp4", SampleClip.of(320, 180, "25", 2)), "uploads/no-cause.mp4");
    }

    @Test
    void anErrorWithoutCauseIsRecordedAndAnnounced() throws Exception {
        PipelineFixture.Job job = fx.run("uploads/no-cause.mp4", Map.of("LADDER", "180@300"), (function, payload) -> {
            if (function.equals("ProbeFunction")) throw new StatesError("States.Timeout", null);
        });
        assertFalse(job.outcome().succeeded());
        assertTrue(job.statesEntered().contains("Record failure"), job.statesEntered()::toString);
        assertEquals("States.Timeout", job.outcome().result().error(), job.outcome().result()::toString);
        JsonNode record = job.record();
        assertEquals("FAILED", record.path("status").asText());
        assertEquals("States.Timeout", record.path("error").path("error").asText(), record::toPrettyString);
        assertFalse(record.path("error").path("reason").asText().isBlank());
        assertEquals(List.of("Encoding Job Failed"), job.events().stream().map(LocalEventBus.Event::detailType).toList());
        assertEquals("States.Timeout", job.events().get(0).detail().path("error").asText());
        assertEquals(job.outcome().jobId(), job.events().get(0).detail().path("jobId").asText());
    }
}
