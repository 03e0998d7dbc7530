package dev.fanout.encoder.stages;

import dev.fanout.encoder.model.JobRecord;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RecordFailureStageTest {
    @Test
    void readsTheNamedErrorFromALambdaErrorDocument() {
        JobRecord.Failure f = RecordFailureStage.describe("dev.fanout.encoder.errors.InvalidInputException",
                "{\"errorMessage\":\"InvalidInput.NotMp4: the file does not start like an MP4\",\"errorType\":\"x\",\"stackTrace\":[]}");
        assertEquals(new JobRecord.Failure("InvalidInput.NotMp4", "the file does not start like an MP4"), f);
    }

    @Test
    void keepsForeignErrorsReadable() {
        assertEquals(new JobRecord.Failure("States.Timeout", "task timed out"), RecordFailureStage.describe("States.Timeout", "task timed out"));
        assertEquals(new JobRecord.Failure("Internal.Unknown", "no details were reported"), RecordFailureStage.describe(null, null));
    }
}
