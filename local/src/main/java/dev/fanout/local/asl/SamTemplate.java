package dev.fanout.local.asl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of {@code template.yaml} the local run needs: the state machine's definition file
 * and its DefinitionSubstitutions, each function's Handler, and parameter defaults. Substitution
 * values are resolved for a local run: a function becomes a local ARN naming its logical id, a
 * bucket the local bucket name, a parameter its default (or an override).
 */
public final class SamTemplate {
    public static final String LOCAL_FUNCTION_ARN_PREFIX = "arn:aws:lambda:local:000000000000:function:";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_]+)}");

    private final Path root;
    private final JsonNode template;

    private SamTemplate(Path root, JsonNode template) {
        this.root = root;
        this.template = template;
    }

    public static SamTemplate read(Path templateFile) throws IOException {
        // CloudFormation short tags (!Ref, !Sub…) are read as their plain values; the parts used
        // here are written in long form (Fn::GetAtt, Ref) so their meaning survives.
        JsonNode t = new ObjectMapper(new YAMLFactory()).readTree(templateFile.toFile());
        return new SamTemplate(templateFile.toAbsolutePath().getParent(), t);
    }

    /** The one AWS::Serverless::StateMachine resource's logical id. */
    public String stateMachineId() {
        String found = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = template.path("Resources").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if ("AWS::Serverless::StateMachine".equals(e.getValue().path("Type").asText())) {
                if (found != null) throw new IllegalStateException("template.yaml has more than one state machine");
                found = e.getKey();
            }
        }
        if (found == null) throw new IllegalStateException("template.yaml has no AWS::Serverless::StateMachine");
        return found;
    }

    public Path definitionFile() {
        return root.resolve(template.path("Resources").path(stateMachineId()).path("Properties").path("DefinitionUri").asText());
    }

    /** Handler string ("package.Class::method") of a function resource. */
    public String handlerOf(String functionId) {
        JsonNode props = template.path("Resources").path(functionId).path("Properties");
        String handler = props.path("Handler").asText(template.path("Globals").path("Function").path("Handler").asText(""));
        if (handler.isEmpty()) throw new IllegalStateException("function " + functionId + " has no Handler in template.yaml");
        return handler;
    }

    /** Every function resource and its handler. */
    public Map<String, String> handlers() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = template.path("Resources").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if ("AWS::Serverless::Function".equals(e.getValue().path("Type").asText())) out.put(e.getKey(), handlerOf(e.getKey()));
        }
        return out;
    }

    public JsonNode substitutions() {
        return template.path("Resources").path(stateMachineId()).path("Properties").path("DefinitionSubstitutions");
    }

    /**
     * Resolves the substitutions for a local run.
     *
     * @param localNames    logical id → local name, for buckets
     * @param parameterOverrides parameter name → value (else the parameter's Default)
     */
    public Map<String, String> resolveSubstitutions(Map<String, String> localNames, Map<String, String> parameterOverrides) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = substitutions().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), resolve(e.getKey(), e.getValue(), localNames, parameterOverrides));
        }
        return out;
    }

    private String resolve(String key, JsonNode v, Map<String, String> localNames, Map<String, String> overrides) {
        if (v.isTextual() || v.isNumber()) return v.asText();
        if (v.has("Fn::GetAtt")) {
            JsonNode g = v.get("Fn::GetAtt");
            String id = g.isArray() ? g.get(0).asText() : g.asText().substring(0, g.asText().indexOf('.'));
            return functionArn(id);
        }
        if (v.has("Ref")) {
            String ref = v.get("Ref").asText();
            if (ref.endsWith(".Alias")) return functionArn(ref.substring(0, ref.length() - ".Alias".length()));
            if (template.path("Parameters").has(ref)) {
                String value = overrides.getOrDefault(ref, template.path("Parameters").path(ref).path("Default").asText(null));
                if (value == null) throw new IllegalStateException("parameter " + ref + " has no Default and no local value");
                return value;
            }
            if (localNames.containsKey(ref)) return localNames.get(ref);
            if (template.path("Resources").has(ref) && "AWS::Serverless::Function".equals(template.path("Resources").path(ref).path("Type").asText())) {
                return ref;
            }
        }
        throw new UnsupportedAslException("the DefinitionSubstitutions value of " + key + " (" + v + ") in a local run");
    }

    private String functionArn(String id) {
        if (!"AWS::Serverless::Function".equals(template.path("Resources").path(id).path("Type").asText())) {
            throw new IllegalStateException(id + " is not a function in template.yaml");
        }
        return LOCAL_FUNCTION_ARN_PREFIX + id;
    }

    /**
     * Fills {@code ${Name}} placeholders. Every placeholder must have a value and every value must
     * be used; anything else is a mismatch between the template and the definition.
     */
    public static String substitute(String definition, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(definition);
        StringBuilder out = new StringBuilder();
        java.util.Set<String> used = new java.util.HashSet<>();
        while (m.find()) {
            String name = m.group(1);
            if (!values.containsKey(name)) throw new IllegalStateException("the definition uses ${" + name + "} but DefinitionSubstitutions has no " + name);
            used.add(name);
            m.appendReplacement(out, Matcher.quoteReplacement(values.get(name)));
        }
        m.appendTail(out);
        for (String k : values.keySet()) {
            if (!used.contains(k)) throw new IllegalStateException("DefinitionSubstitutions has " + k + " but the definition never uses ${" + k + "}");
        }
        return out.toString();
    }

    public String definitionText() throws IOException {
        return Files.readString(definitionFile());
    }
}
