package dev.fanout.local.asl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSONPath subset of Amazon States Language "reference paths": {@code $}, {@code $.a.b},
 * {@code $.a[0]}, {@code $['a b']}, and {@code $$.…} into the context object. Anything else
 * (filters, wildcards, slices) is refused by name.
 */
final class JsonPaths {
    private JsonPaths() {}

    private static final Pattern STEP = Pattern.compile("\\.([A-Za-z0-9_@-]+)|\\[(\\d+)]|\\['([^']*)']");

    static List<Object> steps(String path) {
        String rest;
        if (path.equals("$") || path.equals("$$")) return List.of();
        if (path.startsWith("$$")) rest = path.substring(2);
        else if (path.startsWith("$")) rest = path.substring(1);
        else throw new UnsupportedAslException("path '" + path + "' (must start with $)");
        List<Object> steps = new ArrayList<>();
        Matcher m = STEP.matcher(rest);
        int pos = 0;
        while (pos < rest.length()) {
            if (!m.find(pos) || m.start() != pos) throw new UnsupportedAslException("JSONPath '" + path + "'");
            if (m.group(1) != null) steps.add(m.group(1));
            else if (m.group(2) != null) steps.add(Integer.parseInt(m.group(2)));
            else steps.add(m.group(3));
            pos = m.end();
        }
        return steps;
    }

    /** Reads a path; a missing field is a States.Runtime error, as in Step Functions. */
    static JsonNode read(String path, JsonNode input, JsonNode context) {
        JsonNode node = path.startsWith("$$") ? context : input;
        for (Object step : steps(path)) {
            JsonNode next = step instanceof Integer i ? node.get(i) : node.get((String) step);
            if (next == null) {
                throw new StatesError("States.Runtime", "The JSONPath '" + path + "' could not be found in the input " + abbreviate(input));
            }
            node = next;
        }
        return node;
    }

    /** Returns a copy of {@code input} with {@code value} placed at {@code path} (ResultPath semantics). */
    static JsonNode write(String path, JsonNode input, JsonNode value) {
        List<Object> steps = steps(path);
        if (path.startsWith("$$")) throw new UnsupportedAslException("ResultPath into the context object");
        if (steps.isEmpty()) return value;
        JsonNode root = input != null && input.isObject() ? input.deepCopy() : JsonNodeFactory.instance.objectNode();
        ObjectNode node = (ObjectNode) root;
        for (int i = 0; i < steps.size() - 1; i++) {
            if (!(steps.get(i) instanceof String field)) throw new UnsupportedAslException("array index in ResultPath '" + path + "'");
            JsonNode child = node.get(field);
            if (child == null || !child.isObject()) {
                child = JsonNodeFactory.instance.objectNode();
                node.set(field, child);
            }
            node = (ObjectNode) child;
        }
        if (!(steps.get(steps.size() - 1) instanceof String last)) throw new UnsupportedAslException("array index in ResultPath '" + path + "'");
        node.set(last, value);
        return root;
    }

    static String abbreviate(JsonNode n) {
        String s = String.valueOf(n);
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
