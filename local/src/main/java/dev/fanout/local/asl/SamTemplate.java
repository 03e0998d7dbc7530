package dev.fanout.local.asl;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of {@code template.yaml} the local run and the LocalStack deployment need: the state
 * machine's definition file and its DefinitionSubstitutions, each function's Handler and
 * properties, and parameter defaults. Substitution values are resolved for a local run (a
 * function becomes a local ARN naming its logical id) or with the ARNs of a real deployment; a
 * bucket becomes the given bucket name, a parameter its default (or an override).
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
        try (YAMLParser p = new YAMLFactory().createParser(templateFile.toFile())) {
            if (p.nextToken() == null) throw new IOException(templateFile + " is empty");
            return new SamTemplate(templateFile.toAbsolutePath().getParent(), readValue(p));
        }
    }

    /**
     * One YAML value as a tree, with CloudFormation's short tags turned into their long form
     * ({@code !Ref X} → {@code {"Ref": "X"}}, {@code !Sub s} → {@code {"Fn::Sub": s}}, {@code !If [..]}
     * → {@code {"Fn::If": [..]}}), so a tagged value is never mistaken for a literal.
     */
    private static JsonNode readValue(YAMLParser p) throws IOException {
        JsonNodeFactory f = JsonNodeFactory.instance;
        String tag = p.getTypeId();
        JsonNode value = switch (p.currentToken()) {
            case START_OBJECT -> {
                ObjectNode o = f.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    o.set(name, readValue(p));
                }
                yield o;
            }
            case START_ARRAY -> {
                ArrayNode a = f.arrayNode();
                while (p.nextToken() != JsonToken.END_ARRAY) a.add(readValue(p));
                yield a;
            }
            case VALUE_NUMBER_INT -> f.numberNode(p.getLongValue());
            case VALUE_NUMBER_FLOAT -> f.numberNode(p.getDoubleValue());
            case VALUE_TRUE -> f.booleanNode(true);
            case VALUE_FALSE -> f.booleanNode(false);
            case VALUE_NULL -> f.nullNode();
            default -> f.textNode(p.getText());
        };
        if (tag == null || tag.startsWith("tag:yaml.org")) return value;
        String name = tag.equals("Ref") || tag.equals("Condition") ? tag : "Fn::" + tag;
        return f.objectNode().set(name, value);
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
        return resolveSubstitutions(localNames, parameterOverrides, (id, alias) -> LOCAL_FUNCTION_ARN_PREFIX + id);
    }

    /** The ARN a deployment gives a function: {@code alias} is its AutoPublishAlias when referenced as {@code X.Alias}, else null. */
    @FunctionalInterface
    public interface FunctionArns {
        String arn(String functionId, String alias);
    }

    /** As {@link #resolveSubstitutions(Map, Map)}, with the function ARNs of a real deployment. */
    public Map<String, String> resolveSubstitutions(Map<String, String> names, Map<String, String> parameterOverrides, FunctionArns arns) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = substitutions().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), resolve(e.getKey(), e.getValue(), names, parameterOverrides, arns));
        }
        return out;
    }

    private String resolve(String key, JsonNode v, Map<String, String> localNames, Map<String, String> overrides, FunctionArns arns) {
        if (v.isTextual() || v.isNumber()) return v.asText();
        if (v.has("Fn::GetAtt")) {
            JsonNode g = v.get("Fn::GetAtt");
            String id = g.isArray() ? g.get(0).asText() : g.asText().substring(0, g.asText().indexOf('.'));
            return arns.arn(requireFunction(id), null);
        }
        if (v.has("Ref")) {
            String ref = v.get("Ref").asText();
            if (ref.endsWith(".Alias")) {
                String id = requireFunction(ref.substring(0, ref.length() - ".Alias".length()));
                String alias = autoPublishAlias(id);
                if (alias == null) throw new IllegalStateException(ref + " names an alias, but " + id + " has no AutoPublishAlias");
                return arns.arn(id, alias);
            }
            if (template.path("Parameters").has(ref)) return parameterValue(ref, overrides);
            if (localNames.containsKey(ref)) return localNames.get(ref);
            if (template.path("Resources").has(ref) && "AWS::Serverless::Function".equals(template.path("Resources").path(ref).path("Type").asText())) {
                return ref;
            }
        }
        throw new UnsupportedAslException("the DefinitionSubstitutions value of " + key + " (" + v + ") in a local run");
    }

    private String requireFunction(String id) {
        if (!"AWS::Serverless::Function".equals(template.path("Resources").path(id).path("Type").asText())) {
            throw new IllegalStateException(id + " is not a function in template.yaml");
        }
        return id;
    }

    /** A parameter's value: the override, else its Default. */
    public String parameterValue(String name, Map<String, String> overrides) {
        if (!template.path("Parameters").has(name)) throw new IllegalStateException("template.yaml has no parameter " + name);
        String value = overrides.getOrDefault(name, template.path("Parameters").path(name).path("Default").asText(null));
        if (value == null) throw new IllegalStateException("parameter " + name + " has no Default and no value was given");
        return value;
    }

    /** A parameter's declaration (Type, Default, AllowedValues, AllowedPattern, MinValue, MaxValue…). */
    public JsonNode parameter(String name) {
        JsonNode p = template.path("Parameters").path(name);
        if (p.isMissingNode()) throw new IllegalStateException("template.yaml has no parameter " + name);
        return p;
    }

    /** Logical ids of the resources of one type, in template order. */
    public List<String> resourceIds(String type) {
        List<String> out = new ArrayList<>();
        template.path("Resources").fields().forEachRemaining(e -> {
            if (type.equals(e.getValue().path("Type").asText())) out.add(e.getKey());
        });
        return out;
    }

    /** A resource's Properties (short tags in long form: {@code {"Ref": …}}, {@code {"Fn::Sub": …}}). */
    public JsonNode properties(String id) {
        JsonNode r = template.path("Resources").path(id);
        if (r.isMissingNode()) throw new IllegalStateException("template.yaml has no resource " + id);
        return r.path("Properties");
    }

    /** A condition of the Conditions section (e.g. {@code {"Fn::Equals": [{"Ref": "Architecture"}, "arm64"]}}). */
    public JsonNode condition(String name) {
        JsonNode c = template.path("Conditions").path(name);
        if (c.isMissingNode()) throw new IllegalStateException("template.yaml has no condition " + name);
        return c;
    }

    /** Globals.Function: defaults of every function's properties. */
    public JsonNode functionGlobals() {
        return template.path("Globals").path("Function");
    }

    /**
     * A function's whole-number property (its own, else the Globals'), with a parameter reference
     * resolved to the parameter's value; {@code fallback} when neither sets it (Lambda's default).
     */
    public int functionNumber(String functionId, String property, int fallback, Map<String, String> parameterOverrides) {
        JsonNode v = properties(functionId).path(property);
        if (v.isMissingNode()) v = functionGlobals().path(property);
        if (v.isMissingNode()) return fallback;
        if (v.has("Ref")) return Integer.parseInt(parameterValue(v.get("Ref").asText(), parameterOverrides));
        if (!v.canConvertToInt()) throw new UnsupportedAslException(functionId + "." + property + " = " + v);
        return v.asInt();
    }

    /** The function's AutoPublishAlias (a published version behind a named alias), or null. */
    public String autoPublishAlias(String functionId) {
        JsonNode a = properties(functionId).path("AutoPublishAlias");
        return a.isTextual() ? a.asText() : null;
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
