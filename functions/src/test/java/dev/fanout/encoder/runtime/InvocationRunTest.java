package dev.fanout.encoder.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.errors.EncodeFailedException;
import dev.fanout.encoder.storage.Json;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Every Lambda handler (the stages and the trigger) runs its request through {@link Invocation#run}:
 * exactly one JSON log line on stdout when it ends, with what the body added on its thread (through
 * {@link Invocation#current()}), and on a failure its dotted error name and reason, the failure
 * itself thrown on to Lambda.
 */
class InvocationRunTest {
    @Test
    void aSucceededInvocationLogsOneLineWithWhatItsBodyAdded() throws Exception {
        List<String> lines = stdoutOf(() -> Invocation.run("Probe", null, invocation -> {
            assertSame(invocation, Invocation.current(), "the body runs as the current invocation");
            Invocation.current().put("jobId", "job-1");
        }));
        assertEquals(1, lines.size(), lines::toString);
        JsonNode line = Json.MAPPER.readTree(lines.get(0));
        assertEquals("Probe", line.path("stage").asText());
        assertEquals("SUCCEEDED", line.path("outcome").asText());
        assertEquals("job-1", line.path("jobId").asText());
        assertEquals("none", Json.MAPPER.readTree(Invocation.current().logLine(null)).path("stage").asText(), "the scope ends with the run");
    }

    @Test
    void aFailedInvocationLogsItsErrorAndThrowsIt() throws Exception {
        EncodeFailedException failure = new EncodeFailedException("MissingChunk", "chunk 3 of 4 has no output record");
        List<String> lines = stdoutOf(() -> assertSame(failure, assertThrows(EncodeFailedException.class,
                () -> Invocation.run("Package", null, invocation -> { throw failure; }))));
        assertEquals(1, lines.size(), lines::toString);
        JsonNode line = Json.MAPPER.readTree(lines.get(0));
        assertEquals("FAILED", line.path("outcome").asText());
        assertEquals("ERROR", line.path("level").asText());
        assertEquals(failure.errorName(), line.path("error").asText());
        assertEquals("chunk 3 of 4 has no output record", line.path("reason").asText());
    }

    interface Action { void run() throws Exception; }

    /** What {@code action} prints on stdout, line by line (this class's tests run one at a time). */
    private static List<String> stdoutOf(Action action) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
