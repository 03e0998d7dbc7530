package dev.fanout.integration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.local.asl.SamTemplate;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Derives a {@link DeploymentPlan} from template.yaml, the way SAM and CloudFormation would
 * resolve it, so the LocalStack deployment carries no second copy of handlers, sizes,
 * environment, aliases, the trigger or the state machine's substitutions. Resolves {@code Ref}
 * (parameters, buckets, functions, pseudo parameters), {@code Fn::Sub} (string form),
 * {@code Fn::GetAtt …Arn} and {@code Fn::If} over {@code Fn::Equals} conditions; anything else is
 * refused by name rather than guessed.
 *
 * <p>One deliberate difference: LocalStack Community accepts layers but does not mount them, so a
 * function that uses the ffmpeg layer gets the binaries inside its code bundle and
 * {@code FFMPEG_PATH}/{@code FFPROBE_PATH} pointing there (configuration the handlers already read).
 * IAM policies, SnapStart, bucket policies and encryption settings are not applied (LocalStack
 * Community does not enforce them).
 */
public final class DeploymentPlanner {
    private static final Pattern SUB = Pattern.compile("\\$\\{([A-Za-z0-9_:.]+)}");
    /** The layer whose binaries the bundle carries instead. */
    static final String FFMPEG_LAYER_CONTENT = "layers/ffmpeg";

    /**
     * @param parameters  template parameter overrides (the rest take their Default)
     * @param bundleBinDir where the bundled ffmpeg/ffprobe are inside the function's container
     */
    public record Settings(String stackName, String region, String account, Map<String, String> parameters, String bundleBinDir) {}

    private final SamTemplate template;
    private final Settings settings;
    private final Map<String, String> bucketNames = new LinkedHashMap<>();

    private DeploymentPlanner(SamTemplate template, Settings settings) {
        this.template = template;
        this.settings = settings;
        for (String id : template.resourceIds("AWS::S3::Bucket")) bucketNames.put(id, bucketName(settings.stackName(), id));
    }

    public static DeploymentPlan plan(SamTemplate template, Settings settings) throws IOException {
        return new DeploymentPlanner(template, settings).plan();
    }

    private DeploymentPlan plan() throws IOException {
        settings.parameters().forEach(this::checkParameter);
        List<DeploymentPlan.Function> functions = new ArrayList<>();
        List<DeploymentPlan.Trigger> triggers = new ArrayList<>();
        for (String id : template.resourceIds("AWS::Serverless::Function")) {
            functions.add(function(id));
            triggers.addAll(triggers(id));
        }
        String smId = template.stateMachineId();
        JsonNode sm = template.properties(smId);
        String smName = resolve(sm.path("Name"), smId + ".Name");
        Map<String, String> values = template.resolveSubstitutions(bucketNames, settings.parameters(),
                (fid, alias) -> functionArn(functionName(fid)) + (alias == null ? "" : ":" + alias));
        String definition = SamTemplate.substitute(template.definitionText(), values);
        var stateMachine = new DeploymentPlan.StateMachine(smId, smName,
                "arn:aws:states:" + settings.region() + ":" + settings.account() + ":stateMachine:" + smName,
                sm.path("Type").asText("STANDARD"), definition);
        return new DeploymentPlan(settings.stackName(), settings.region(), settings.account(), Map.copyOf(bucketNames),
                bucketName(settings.stackName(), "artifacts"), List.copyOf(functions), stateMachine, List.copyOf(triggers));
    }

    /** The checks CloudFormation makes of a parameter value before it deploys anything. */
    private void checkParameter(String name, String value) {
        JsonNode p = template.parameter(name);
        String what = "parameter " + name + " = '" + value + "'";
        if (p.has("AllowedValues")) {
            List<String> allowed = new ArrayList<>();
            p.get("AllowedValues").forEach(a -> allowed.add(a.asText()));
            if (!allowed.contains(value)) throw new IllegalArgumentException(what + " is not one of " + allowed);
        }
        if (p.has("AllowedPattern") && !Pattern.compile(p.get("AllowedPattern").asText()).matcher(value).matches()) {
            throw new IllegalArgumentException(what + " does not match " + p.get("AllowedPattern").asText());
        }
        if ("Number".equals(p.path("Type").asText())) {
            double d;
            try {
                d = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + " is not a number");
            }
            if (p.has("MinValue") && d < p.get("MinValue").asDouble()) throw new IllegalArgumentException(what + " is below " + p.get("MinValue").asText());
            if (p.has("MaxValue") && d > p.get("MaxValue").asDouble()) throw new IllegalArgumentException(what + " is above " + p.get("MaxValue").asText());
        }
    }

    private DeploymentPlan.Function function(String id) {
        String name = functionName(id);
        Map<String, String> env = new LinkedHashMap<>();
        variables(template.functionGlobals().path("Environment").path("Variables"), id, env);
        variables(template.properties(id).path("Environment").path("Variables"), id, env);
        boolean ffmpeg = usesFfmpegLayer(id);
        if (ffmpeg) {
            env.putIfAbsent("FFMPEG_PATH", settings.bundleBinDir() + "/ffmpeg");
            env.putIfAbsent("FFPROBE_PATH", settings.bundleBinDir() + "/ffprobe");
        }
        JsonNode arch = select(property(id, "Architectures"));
        String architecture = arch.isArray() && arch.size() == 1 ? resolve(arch.get(0), id + ".Architectures")
                : resolve(arch, id + ".Architectures");
        return new DeploymentPlan.Function(id, name, functionArn(name), template.handlerOf(id),
                resolve(property(id, "Runtime"), id + ".Runtime"), architecture,
                integer(property(id, "MemorySize"), 128, id + ".MemorySize"),
                integer(property(id, "Timeout"), 3, id + ".Timeout"),
                integer(property(id, "EphemeralStorage").path("Size"), 512, id + ".EphemeralStorage.Size"),
                Map.copyOf(env), template.autoPublishAlias(id), ffmpeg);
    }

    private List<DeploymentPlan.Trigger> triggers(String id) {
        List<DeploymentPlan.Trigger> out = new ArrayList<>();
        template.properties(id).path("Events").fields().forEachRemaining(e -> {
            JsonNode event = e.getValue();
            String where = id + ".Events." + e.getKey();
            // the trigger's replay mapping from its failure queue is disabled until someone replays:
            // nothing to deploy for a test run (no queue in this deployment)
            if ("SQS".equals(event.path("Type").asText()) && !event.path("Properties").path("Enabled").asBoolean(true)) return;
            if (!"S3".equals(event.path("Type").asText())) {
                throw new IllegalStateException(where + " is a " + event.path("Type").asText() + " event; only S3 events are deployed");
            }
            JsonNode p = event.path("Properties");
            if (p.has("Filter")) throw new IllegalStateException(where + " has a Filter, which this deployment does not apply");
            List<String> events = new ArrayList<>();
            JsonNode ev = p.path("Events");
            if (ev.isArray()) ev.forEach(x -> events.add(resolve(x, where + ".Events")));
            else events.add(resolve(ev, where + ".Events"));
            out.add(new DeploymentPlan.Trigger(resolve(p.path("Bucket"), where + ".Bucket"), id, List.copyOf(events)));
        });
        return out;
    }

    /** True if the function's layers are the ffmpeg layer (any other layer is refused: LocalStack Community would not mount it). */
    private boolean usesFfmpegLayer(String id) {
        JsonNode layers = property(id, "Layers");
        if (layers.isMissingNode() || layers.isEmpty()) return false;
        for (JsonNode l : layers) {
            JsonNode chosen = select(l);
            String ref = chosen.path("Ref").asText("");
            boolean ffmpegLayer = !ref.isEmpty() && template.resourceIds("AWS::Serverless::LayerVersion").contains(ref)
                    && FFMPEG_LAYER_CONTENT.equals(template.properties(ref).path("ContentUri").asText());
            if (!ffmpegLayer) {
                throw new IllegalStateException(id + ".Layers has " + chosen + ", which is not the ffmpeg layer (" + FFMPEG_LAYER_CONTENT
                        + "): LocalStack Community does not mount layers, and only the ffmpeg binaries are bundled instead");
            }
        }
        return true;
    }

    private JsonNode property(String id, String name) {
        JsonNode own = template.properties(id).path(name);
        return own.isMissingNode() ? template.functionGlobals().path(name) : own;
    }

    private void variables(JsonNode vars, String id, Map<String, String> into) {
        vars.fields().forEachRemaining(e -> into.put(e.getKey(), resolve(e.getValue(), id + ".Environment." + e.getKey())));
    }

    private int integer(JsonNode v, int fallback, String where) {
        if (v.isMissingNode()) return fallback;
        String s = resolve(v, where);
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(where + " = '" + s + "' is not a whole number");
        }
    }

    /** Follows Fn::If to the branch its condition picks. */
    private JsonNode select(JsonNode v) {
        if (v.isObject() && v.has("Fn::If")) {
            JsonNode args = v.get("Fn::If");
            boolean yes = condition(template.condition(args.get(0).asText()), args.get(0).asText());
            return select(args.get(yes ? 1 : 2));
        }
        return v;
    }

    private boolean condition(JsonNode c, String where) {
        if (c.has("Fn::Equals")) {
            JsonNode args = c.get("Fn::Equals");
            return resolve(args.get(0), where).equals(resolve(args.get(1), where));
        }
        throw new IllegalStateException("condition " + where + " (" + c + ") is not a Fn::Equals this deployment can evaluate");
    }

    /** A scalar value: literals as they are, intrinsic functions resolved for this deployment. */
    String resolve(JsonNode raw, String where) {
        JsonNode v = select(raw);
        if (v.isTextual() || v.isNumber() || v.isBoolean()) return v.asText();
        if (v.isObject() && v.size() == 1) {
            if (v.has("Ref")) return ref(v.get("Ref").asText(), where);
            if (v.has("Fn::GetAtt")) {
                JsonNode g = v.get("Fn::GetAtt");
                String target = g.isArray() ? g.get(0).asText() + "." + g.get(1).asText() : g.asText();
                return getAtt(target, where);
            }
            if (v.has("Fn::Sub") && v.get("Fn::Sub").isTextual()) {
                Matcher m = SUB.matcher(v.get("Fn::Sub").asText());
                StringBuilder out = new StringBuilder();
                while (m.find()) {
                    String name = m.group(1);
                    String value = name.contains(".") && !name.startsWith("AWS::") ? getAtt(name, where) : ref(name, where);
                    m.appendReplacement(out, Matcher.quoteReplacement(value));
                }
                m.appendTail(out);
                return out.toString();
            }
        }
        throw new IllegalStateException(where + " = " + raw + " cannot be resolved for a LocalStack deployment");
    }

    private String ref(String name, String where) {
        switch (name) {
            case "AWS::Region": return settings.region();
            case "AWS::AccountId": return settings.account();
            case "AWS::StackName": return settings.stackName();
            case "AWS::Partition": return "aws";
            default: break;
        }
        if (bucketNames.containsKey(name)) return bucketNames.get(name);
        if (template.resourceIds("AWS::Serverless::Function").contains(name)) return functionName(name);
        try {
            return template.parameterValue(name, settings.parameters());
        } catch (IllegalStateException e) {
            throw new IllegalStateException(where + ": Ref " + name + " is not a parameter, bucket, function or pseudo parameter");
        }
    }

    private String getAtt(String target, String where) {
        int dot = target.indexOf('.');
        String id = target.substring(0, dot), attr = target.substring(dot + 1);
        if (attr.equals("Arn") && bucketNames.containsKey(id)) return "arn:aws:s3:::" + bucketNames.get(id);
        if (attr.equals("Arn") && template.resourceIds("AWS::Serverless::Function").contains(id)) return functionArn(functionName(id));
        throw new IllegalStateException(where + ": Fn::GetAtt " + target + " is not resolved for a LocalStack deployment");
    }

    private String functionName(String id) {
        String name = settings.stackName() + "-" + id;
        if (name.length() > 64) throw new IllegalStateException("function name " + name + " is longer than Lambda's 64 characters");
        return name;
    }

    private String functionArn(String name) {
        return "arn:aws:lambda:" + settings.region() + ":" + settings.account() + ":function:" + name;
    }

    /** S3 bucket names: lower case, digits and '-', 3–63 characters. */
    static String bucketName(String stackName, String logicalId) {
        String name = (stackName + "-" + logicalId).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        if (name.length() > 63) throw new IllegalStateException("bucket name " + name + " is longer than 63 characters");
        return name;
    }
}
