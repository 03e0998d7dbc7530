package dev.fanout.local;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Audits the IAM statements of a SAM template for wildcards. Reads the YAML as nodes (keeping
 * line numbers, ignoring CloudFormation tags) and the comment block right above each statement.
 * <ul>
 *   <li>An Allow statement must have a comment above it saying what it is for.</li>
 *   <li>A wildcard action ({@code s3:*}, {@code s3:Get*}, {@code *}), {@code Resource: "*"}, or
 *       a {@code *} in any ARN other than an object key of this template's own buckets
 *       ({@code ${InputBucket.Arn}/work/*}) must be justified: the comment says "wildcard" or
 *       {@code "*"}.</li>
 *   <li>NotAction/NotResource are never allowed in an Allow statement; managed policies (a bare
 *       name or ARN in a function's Policies) are never allowed; of SAM's policy templates only
 *       those scoped to one named resource are.</li>
 * </ul>
 */
final class IamPolicyAudit {
    /** SAM policy templates that grant access to one resource named in their parameters. */
    static final Set<String> SCOPED_SAM_TEMPLATES = Set.of("LambdaInvokePolicy", "StepFunctionsExecutionPolicy");

    /** An Allow statement as granted: who, which actions, on which resources. */
    record Grant(String owner, List<String> actions, List<String> resources) {}

    private final String[] lines;
    private final List<String> violations = new ArrayList<>();
    private final List<Grant> grants = new ArrayList<>();

    private IamPolicyAudit(String text) {
        this.lines = text.split("\n", -1);
    }

    /** Every violation, as "line N: what is wrong"; empty when the template passes. */
    static List<String> violations(String templateText) {
        return read(templateText).violations;
    }

    /** Every Allow statement of the functions and the state machine. */
    static List<Grant> grants(String templateText) {
        return read(templateText).grants;
    }

    private static IamPolicyAudit read(String templateText) {
        IamPolicyAudit audit = new IamPolicyAudit(templateText);
        Node root = new Yaml(new LoaderOptions()).compose(new StringReader(templateText));
        Node resources = get(root, "Resources");
        if (resources instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) audit.resource(scalar(t.getKeyNode()), t.getValueNode());
        }
        return audit;
    }

    private void resource(String name, Node resource) {
        String type = scalar(get(resource, "Type"));
        Node properties = get(resource, "Properties");
        if (type == null || properties == null) return;
        switch (type) {
            case "AWS::Serverless::Function", "AWS::Serverless::StateMachine" -> {
                if (get(properties, "Policies") instanceof SequenceNode policies) {
                    for (Node p : policies.getValue()) samPolicy(name, p);
                } else if (get(properties, "Policies") instanceof ScalarNode s) {
                    violation(s, name + " uses the managed policy " + s.getValue());
                }
            }
            case "AWS::IAM::Role" -> {
                if (get(properties, "Policies") instanceof SequenceNode policies) {
                    for (Node p : policies.getValue()) document(name, get(p, "PolicyDocument"));
                }
                if (get(properties, "ManagedPolicyArns") instanceof SequenceNode arns && !arns.getValue().isEmpty()) {
                    violation(arns, name + " attaches managed policies");
                }
            }
            case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy" -> document(name, get(properties, "PolicyDocument"));
            default -> { }
        }
    }

    private void samPolicy(String owner, Node policy) {
        if (policy instanceof ScalarNode s) {
            violation(s, owner + " uses the managed policy " + s.getValue());
        } else if (get(policy, "Statement") != null) {
            document(owner, policy);
        } else if (policy instanceof MappingNode m && m.getValue().size() == 1) {
            String template = scalar(m.getValue().get(0).getKeyNode());
            if (!SCOPED_SAM_TEMPLATES.contains(template)) violation(m, owner + " uses the SAM policy template " + template + ", which is not scoped to one resource");
        } else {
            violation(policy, owner + " has a policy entry this audit does not understand");
        }
    }

    private void document(String owner, Node document) {
        if (!(get(document, "Statement") instanceof SequenceNode statements)) return;
        for (Node s : statements.getValue()) statement(owner, s);
    }

    private void statement(String owner, Node statement) {
        if (!"Allow".equals(scalar(get(statement, "Effect")))) return; // a Deny only narrows
        grants.add(new Grant(owner, values(get(statement, "Action")), values(get(statement, "Resource"))));
        String where = owner + " statement " + describe(statement);
        if (get(statement, "NotAction") != null || get(statement, "NotResource") != null) {
            violation(statement, where + ": NotAction/NotResource grants everything else");
        }
        String comment = commentAbove(statement).toLowerCase(Locale.ROOT);
        if (comment.isBlank()) violation(statement, where + ": no comment above it says what it is for");
        boolean justified = comment.contains("wildcard") || comment.contains("\"*\"");
        for (String action : values(get(statement, "Action"))) {
            if (action.contains("*") && !justified) violation(statement, where + ": wildcard action " + action + " is not justified in a comment");
        }
        for (String resource : values(get(statement, "Resource"))) {
            if (!resource.contains("*") || ownObjectKeys(resource)) continue;
            if (!justified) violation(statement, where + ": wildcard resource " + resource + " is not justified in a comment");
        }
    }

    /** An object-key pattern inside one of this stack's buckets, e.g. ${OutputBucket.Arn}/work/*. */
    private static boolean ownObjectKeys(String resource) {
        return resource.matches("\\$\\{[A-Za-z0-9]+Bucket\\.Arn}/[^*]*\\*.*");
    }

    /** The comment lines directly above a node (skipping its list dash), joined. */
    private String commentAbove(Node node) {
        StringBuilder out = new StringBuilder();
        for (int i = node.getStartMark().getLine() - 1; i >= 0; i--) {
            String line = lines[i].strip();
            if (!line.startsWith("#")) break;
            out.insert(0, line.substring(1).strip() + " ");
        }
        return out.toString();
    }

    private static String describe(Node statement) {
        return String.join(",", values(get(statement, "Action")));
    }

    private void violation(Node at, String what) {
        violations.add("line " + (at.getStartMark().getLine() + 1) + ": " + what);
    }

    /** Scalar values of a node: a scalar, a list of scalars, or a tagged scalar like !Sub "...". */
    private static List<String> values(Node node) {
        List<String> out = new ArrayList<>();
        if (node instanceof ScalarNode s) out.add(s.getValue());
        if (node instanceof SequenceNode seq) for (Node n : seq.getValue()) out.addAll(values(n));
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                String key = scalar(t.getKeyNode());
                if ("Fn::Sub".equals(key)) out.addAll(values(t.getValueNode()));
                else if ("Fn::GetAtt".equals(key) || "Ref".equals(key)) out.add("${" + String.join(".", values(t.getValueNode())) + "}");
                else out.add(key + ":…"); // an intrinsic the audit cannot read: shown, never assumed safe
            }
        }
        return out;
    }

    private static Node get(Node map, String key) {
        if (!(map instanceof MappingNode m)) return null;
        for (NodeTuple t : m.getValue()) if (key.equals(scalar(t.getKeyNode()))) return t.getValueNode();
        return null;
    }

    private static String scalar(Node n) {
        return n instanceof ScalarNode s ? s.getValue() : null;
    }
}
