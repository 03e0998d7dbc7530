package dev.fanout.local.iam;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.fanout.local.iam.TemplateNodes.branches;
import static dev.fanout.local.iam.TemplateNodes.get;
import static dev.fanout.local.iam.TemplateNodes.line;
import static dev.fanout.local.iam.TemplateNodes.mapping;
import static dev.fanout.local.iam.TemplateNodes.scalar;
import static dev.fanout.local.iam.TemplateNodes.values;

/**
 * The S3 permissions a SAM template gives each function and state machine, with every reference
 * resolved to the local bucket names, and a decision for one request the way IAM decides it
 * ("Policy evaluation logic", IAM user guide): an explicit Deny in any applicable policy wins;
 * otherwise an Allow in the principal's own policies or in the bucket's policy allows (same
 * account); anything else is an implicit deny.
 *
 * <p>What it reads: each function's and state machine's {@code Policies} (inline documents, and
 * SAM policy templates expanded by {@link SamPolicyTemplates}), every {@code AWS::IAM::Policy}
 * attached to a function's SAM-made role ({@code <Function>Role}), and every {@code AWS::S3::BucketPolicy}.
 * Statements without an S3 action are left out. Both branches of an {@code !If} count (their
 * union). What it cannot enforce faithfully it refuses by name when the template is read: managed
 * policies, a function's own {@code Role}, connectors, NotAction/NotResource, condition operators
 * other than String(Not)Equals, String(Not)Like and Bool (each also ...IfExists), and an S3
 * resource that names something other than a bucket of the template.
 */
public final class TemplatePolicies {
    public static final String S3_ARN = "arn:aws:s3:::";
    /** The values a local run gives CloudFormation's pseudo parameters. */
    private static final Map<String, String> PSEUDO = Map.of("AWS::Partition", "aws", "AWS::Region", "us-east-1",
            "AWS::AccountId", "000000000000", "AWS::StackName", "local", "AWS::URLSuffix", "amazonaws.com");
    private static final Set<String> OPERATORS = Set.of("StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "Bool");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]+)}");

    public enum Effect { ALLOW, DENY }

    /** One condition test: {@code operator} without the IfExists suffix, the context key, the policy's values. */
    public record Condition(String operator, boolean ifExists, String key, List<String> values) {
        /** Per "IAM JSON policy elements: Condition operators": an absent key fails a test unless it is negated or ...IfExists. */
        boolean holds(Map<String, String> context) {
            String actual = context.get(key.toLowerCase(Locale.ROOT));
            if (actual == null) return ifExists || operator.startsWith("StringNot");
            return switch (operator) {
                case "StringEquals" -> values.contains(actual);
                case "StringNotEquals" -> !values.contains(actual);
                case "StringLike" -> values.stream().anyMatch(v -> IamGlobs.matches(v, actual));
                case "StringNotLike" -> values.stream().noneMatch(v -> IamGlobs.matches(v, actual));
                case "Bool" -> values.stream().anyMatch(v -> v.equalsIgnoreCase(actual));
                default -> throw new IllegalStateException(operator);
            };
        }
    }

    /**
     * One statement, S3 actions only, resources resolved. {@code principals} is null for an
     * identity policy (its owner is the principal) and, for a bucket policy, the logical ids it
     * applies to ({@code "*"}: everyone).
     */
    public record Statement(String where, Effect effect, List<String> actions, List<String> resources, List<Condition> conditions,
                            Set<String> principals) {
        boolean matches(String action, String resource, Map<String, String> context) {
            String a = action.toLowerCase(Locale.ROOT);
            return actions.stream().anyMatch(p -> IamGlobs.matches(p.toLowerCase(Locale.ROOT), a))
                    && resources.stream().anyMatch(p -> IamGlobs.matches(p, resource))
                    && conditions.stream().allMatch(c -> c.holds(context));
        }

        boolean appliesTo(String principal) {
            return principals == null || principals.contains("*") || principals.contains(principal);
        }
    }

    /** The answer for one action on one resource; {@code statement} is the Deny or Allow that decided it, else null. */
    public record Decision(boolean allowed, boolean explicitDeny, Statement statement) {}

    private final Map<String, List<Statement>> identity = new LinkedHashMap<>();
    private final List<Statement> bucketPolicies = new ArrayList<>();
    private final Map<String, String> names = new HashMap<>();

    private TemplatePolicies() {}

    /**
     * @param templateText template.yaml
     * @param bucketNames  logical id of each AWS::S3::Bucket → the local bucket's name
     */
    public static TemplatePolicies read(String templateText, Map<String, String> bucketNames) {
        TemplatePolicies p = new TemplatePolicies();
        Node resources = get(TemplateNodes.compose(templateText), "Resources");
        Map<String, String> types = new HashMap<>();
        for (NodeTuple t : mapping(resources)) types.put(scalar(t.getKeyNode()), scalar(get(t.getValueNode(), "Type")));
        PSEUDO.forEach(p.names::put);
        types.forEach((id, type) -> {
            if (!"AWS::S3::Bucket".equals(type)) return;
            String name = bucketNames.get(id);
            if (name == null) throw new IllegalArgumentException("no local bucket name for " + id + " of template.yaml");
            p.names.put(id, name);
            p.names.put(id + ".Arn", S3_ARN + name);
        });
        Map<String, List<Statement>> attachedPolicies = new HashMap<>();
        for (NodeTuple t : mapping(resources)) {
            String id = scalar(t.getKeyNode());
            Node props = get(t.getValueNode(), "Properties");
            String type = types.get(id);
            if ("AWS::Serverless::Connector".equals(type) || get(props, "Connectors") != null) {
                throw refused(t.getValueNode(), id + " uses SAM connectors, which the local run does not enforce");
            }
            switch (type == null ? "" : type) {
                case "AWS::Serverless::Function", "AWS::Serverless::StateMachine" -> {
                    if (get(props, "Role") != null) throw refused(props, id + " names its own Role, whose policies the local run cannot see");
                    List<Statement> own = new ArrayList<>();
                    Node policies = get(props, "Policies");
                    List<Node> entries = policies instanceof SequenceNode s ? s.getValue() : policies == null ? List.of() : List.of(policies);
                    for (Node entry : entries) for (Node b : branches(entry)) p.samPolicy(id, b, own);
                    p.identity.put(id, own);
                }
                case "AWS::S3::BucketPolicy" -> p.document("bucket policy " + id, get(props, "PolicyDocument"), true, p.bucketPolicies);
                case "AWS::IAM::Policy" -> {
                    // a policy attached to the role SAM makes for a function (<Function>Role): that function's too
                    List<Statement> attached = new ArrayList<>();
                    p.document(id, get(props, "PolicyDocument"), false, attached);
                    for (String role : values(get(props, "Roles"))) {
                        Matcher m = Pattern.compile("\\$\\{([A-Za-z0-9]+)Role}").matcher(role);
                        if (!m.matches() || !"AWS::Serverless::Function".equals(types.get(m.group(1)))) {
                            throw refused(t.getValueNode(), id + " is attached to " + role + ", which is not the role of a function of the template");
                        }
                        attachedPolicies.computeIfAbsent(m.group(1), k -> new ArrayList<>()).addAll(attached);
                    }
                }
                default -> { }
            }
        }
        attachedPolicies.forEach((function, statements) -> p.identity.get(function).addAll(statements));
        return p;
    }

    /** The logical ids of the functions and state machines, whose S3 calls this decides. */
    public Set<String> principals() { return identity.keySet(); }

    /** The statements of a principal's own policies (S3 actions only). */
    public List<Statement> statements(String principal) {
        List<Statement> s = identity.get(principal);
        if (s == null) throw new IllegalArgumentException(principal + " is not a function or state machine of template.yaml");
        return s;
    }

    /**
     * Does IAM allow {@code principal} the {@code action} on {@code resource} (an S3 ARN), given the
     * request's condition keys (lower-case names)?
     */
    public Decision decide(String principal, String action, String resource, Map<String, String> context) {
        List<Statement> applicable = new ArrayList<>(statements(principal));
        for (Statement s : bucketPolicies) if (s.appliesTo(principal)) applicable.add(s);
        for (Statement s : applicable) {
            if (s.effect() == Effect.DENY && s.matches(action, resource, context)) return new Decision(false, true, s);
        }
        for (Statement s : applicable) {
            if (s.effect() == Effect.ALLOW && s.matches(action, resource, context)) return new Decision(true, false, s);
        }
        return new Decision(false, false, null);
    }

    private void samPolicy(String owner, Node policy, List<Statement> out) {
        if (policy instanceof ScalarNode s) throw refused(s, owner + " uses the managed policy " + s.getValue() + ", whose statements the local run cannot see");
        if (get(policy, "Statement") != null) {
            document(owner + " Policies", policy, false, out);
            return;
        }
        if (policy instanceof MappingNode m && m.getValue().size() == 1) {
            String name = scalar(m.getValue().get(0).getKeyNode());
            SamPolicyTemplates.Template t = SamPolicyTemplates.ALL.get(name);
            if (t == null) throw refused(m, owner + " uses the SAM policy template " + name + ", which the local run cannot expand");
            Map<String, String> params = new HashMap<>();
            for (NodeTuple arg : mapping(m.getValue().get(0).getValueNode())) {
                List<String> v = values(arg.getValueNode());
                params.put(scalar(arg.getKeyNode()), v.size() == 1 ? v.get(0) : TemplateNodes.ANY);
            }
            for (SamPolicyTemplates.Statement s : t.statements()) {
                List<String> actions = s.actions().stream().filter(TemplatePolicies::mayBeS3).toList();
                if (actions.isEmpty()) continue;
                List<String> resources = s.resources().stream().map(r -> resolve(t.fill(r, params), m)).toList();
                out.add(new Statement(owner + " SAM policy template " + name + " (line " + line(m) + ")", Effect.ALLOW, actions, resources, List.of(), null));
            }
            return;
        }
        throw refused(policy, owner + " has a policy entry the local run does not understand");
    }

    private void document(String where, Node document, boolean resourcePolicy, List<Statement> out) {
        if (!(get(document, "Statement") instanceof SequenceNode statements)) return;
        for (Node s : statements.getValue()) for (Node b : branches(s)) statement(where, b, resourcePolicy, out);
    }

    private void statement(String where, Node s, boolean resourcePolicy, List<Statement> out) {
        if (get(s, "NotAction") != null || get(s, "NotResource") != null || get(s, "NotPrincipal") != null) {
            throw refused(s, where + ": NotAction/NotResource/NotPrincipal is not enforced locally");
        }
        List<String> actions = values(get(s, "Action")).stream().filter(TemplatePolicies::mayBeS3).toList();
        if (actions.isEmpty()) return;
        Set<String> principals = resourcePolicy ? principals(get(s, "Principal")) : null;
        if (principals != null && principals.isEmpty()) return; // e.g. a service principal: none of the local functions
        Effect effect = switch (String.valueOf(scalar(get(s, "Effect")))) {
            case "Allow" -> Effect.ALLOW;
            case "Deny" -> Effect.DENY;
            default -> throw refused(s, where + ": Effect must be Allow or Deny");
        };
        List<String> resources = values(get(s, "Resource")).stream().map(r -> resolve(r, s)).toList();
        List<Condition> conditions = new ArrayList<>();
        for (NodeTuple op : mapping(get(s, "Condition"))) {
            String operator = scalar(op.getKeyNode());
            boolean ifExists = operator != null && operator.endsWith("IfExists");
            String base = ifExists ? operator.substring(0, operator.length() - "IfExists".length()) : operator;
            if (!OPERATORS.contains(base)) throw refused(op.getKeyNode(), where + ": the condition operator " + operator + " is not enforced locally");
            for (NodeTuple key : mapping(op.getValueNode())) {
                conditions.add(new Condition(base, ifExists, scalar(key.getKeyNode()), values(key.getValueNode()).stream().map(v -> resolve(v, key.getValueNode())).toList()));
            }
        }
        out.add(new Statement(where + " line " + line(s), effect, actions, resources, conditions, principals));
    }

    /** A bucket policy's Principal: "*" (or AWS "*") is everyone; a function's role ({@code ${XRole.Arn}}) is that function; others are no local principal. */
    private static Set<String> principals(Node principal) {
        Set<String> out = new java.util.HashSet<>();
        List<String> raw = principal instanceof ScalarNode ? values(principal) : values(get(principal, "AWS"));
        for (String v : raw) {
            if (v.equals("*")) out.add("*");
            Matcher m = Pattern.compile("\\$\\{([A-Za-z0-9]+)Role\\.Arn}").matcher(v);
            if (m.matches()) out.add(m.group(1));
        }
        return out;
    }

    /** ${Bucket}, ${Bucket.Arn} and pseudo parameters to their local values; anything else left is refused. */
    private String resolve(String text, Node at) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String ref = m.group(1);
            String value = names.get(ref);
            if (value == null) throw refused(at, "the S3 statement value " + text + " names ${" + ref + "}, which has no local value");
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static boolean mayBeS3(String action) {
        return IamGlobs.intersect(action.toLowerCase(Locale.ROOT), "s3:*");
    }

    private static IllegalStateException refused(Node at, String what) {
        return new IllegalStateException("template.yaml line " + line(at) + ": " + what);
    }
}
