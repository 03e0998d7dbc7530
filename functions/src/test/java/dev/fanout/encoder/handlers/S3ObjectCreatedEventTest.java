package dev.fanout.encoder.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.plan.ExecutionNames;
import dev.fanout.encoder.storage.Json;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** events/s3-object-created.json (for `sam local invoke StartExecutionFunction -e`) drives the trigger as S3 would. */
class S3ObjectCreatedEventTest {
    static JsonNode read(String name) throws Exception {
        Path file = Path.of("..", "events", name);
        // `sam build` runs `mvn install` on a copy of functions/ alone, where events/ is not beside it
        assumeTrue(Files.isRegularFile(file), "no " + file + " beside the module");
        return Json.MAPPER.readTree(Files.readString(file));
    }

    @Test
    void sampleEventIsARealisticObjectCreatedPut() throws Exception {
        JsonNode record = read("s3-object-created.json").path("Records").get(0);
        assertEquals("2.1", record.path("eventVersion").asText());
        assertEquals("aws:s3", record.path("eventSource").asText());
        assertEquals("ObjectCreated:Put", record.path("eventName").asText());
        assertEquals("uploads/holiday+2024.mp4", record.path("s3").path("object").path("key").asText(), "keys arrive URL-encoded");
        assertEquals("arn:aws:s3:::" + record.path("s3").path("bucket").path("name").asText(),
                record.path("s3").path("bucket").path("arn").asText());
    }

    @Test
    void sampleEventStartsTheProbeOfTheDecodedKey() throws Exception {
        var event = S3Events.fromJson(read("s3-object-created.json"));
        var object = event.getRecords().get(0).getS3().getObject();
        assertEquals("uploads/holiday 2024.mp4", ExecutionNames.decodeKey(object.getKey()));
        assertEquals("0382ff0ec5762d646f4885ecc01c1a00", object.geteTag());
        assertEquals(31457280L, object.getSizeAsLong());

        Map<String, String> started = new HashMap<>();
        var summary = new StartExecutionHandler(started::put).handle(read("s3-object-created.json"), null);

        String name = "holiday-2024-12c2f5b2eb00df9242111994";
        assertEquals(java.util.List.of(name), summary.getStarted());
        assertTrue(name.matches(ExecutionNames.NAME_PATTERN));
        // the execution input is exactly the probe's sample request: the trigger and the probe agree
        assertEquals(read("probe.json"), Json.MAPPER.readTree(started.get(name)));
    }
}
