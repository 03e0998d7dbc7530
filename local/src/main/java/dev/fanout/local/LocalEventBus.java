package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.local.asl.StatesError;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The EventBridge bus of a local run: what the state machine's {@code events:putEvents} tasks
 * publish, in order. Entries are checked as EventBridge checks them (Source, DetailType and an
 * object Detail are required), so a malformed announcement fails here as it would on AWS.
 */
public final class LocalEventBus {
    public static final String PUT_EVENTS = "arn:aws:states:::events:putEvents";

    public record Event(String busName, String source, String detailType, JsonNode detail) {}

    private final List<Event> events = new CopyOnWriteArrayList<>();

    public JsonNode putEvents(JsonNode parameters) {
        JsonNode entries = parameters.path("Entries");
        if (!entries.isArray() || entries.isEmpty() || entries.size() > 10) {
            throw new StatesError("EventBridge.ValidationException", "Entries must hold 1 to 10 events: " + parameters);
        }
        ObjectNode result = JsonNodeFactory.instance.objectNode().put("FailedEntryCount", 0);
        for (JsonNode e : entries) {
            for (String field : List.of("Source", "DetailType")) {
                if (!e.path(field).isTextual() || e.path(field).asText().isBlank()) {
                    throw new StatesError("EventBridge.ValidationException", field + " is required: " + e);
                }
            }
            if (!e.path("Detail").isObject()) throw new StatesError("EventBridge.ValidationException", "Detail must be a JSON object: " + e);
            events.add(new Event(e.path("EventBusName").asText("default"), e.get("Source").asText(), e.get("DetailType").asText(), e.get("Detail")));
            result.withArray("Entries").addObject().put("EventId", UUID.randomUUID().toString());
        }
        return result;
    }

    public List<Event> events() { return List.copyOf(events); }
}
