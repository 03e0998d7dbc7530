package dev.fanout.encoder.handlers;

import dev.fanout.encoder.stages.Messages;
import dev.fanout.encoder.storage.Json;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The sample events in events/ (for `sam local invoke -e`) are exactly what each handler reads. */
class SampleEventsTest {
    static <T> T read(String name, Class<T> type) throws Exception {
        Path file = Path.of("..", "events", name);
        // `sam build` runs `mvn install` on a copy of functions/ alone, where events/ is not beside it;
        // in the repository (mvn verify, CI) the file is always there and this check runs
        assumeTrue(Files.isRegularFile(file), "no " + file + " beside the module");
        var node = Json.MAPPER.readTree(Files.readString(file));
        T value = Json.MAPPER.treeToValue(node, type);
        // every field in the event is one the record has: nothing silently ignored
        assertEquals(node, Json.MAPPER.valueToTree(value), name + " round-trips through " + type.getSimpleName());
        return value;
    }

    @Test
    void eachStageEventParsesAsItsRequest() throws Exception {
        assertEquals("uploads/holiday 2024.mp4", read("probe.json", Messages.ProbeRequest.class).key());
        assertEquals(0, read("encode-chunk.json", Messages.EncodeChunkRequest.class).chunkIndex());
        assertNotNull(read("package.json", Messages.PackageRequest.class).planKey());
        assertNotNull(read("record-failure.json", Messages.RecordFailureRequest.class).error().cause());
    }
}
