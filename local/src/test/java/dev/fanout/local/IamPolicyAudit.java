package dev.fanout.local;

import dev.fanout.local.iam.IamGlobs;
import dev.fanout.local.iam.SamPolicyTemplates;
import dev.fanout.local.iam.TemplateNodes;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.fanout.local.iam.TemplateNodes.branches;
import static dev.fanout.local.iam.TemplateNodes.get;
import static dev.fanout.local.iam.TemplateNodes.line;
import static dev.fanout.local.iam.TemplateNodes.mapping;
import static dev.fanout.local.iam.TemplateNodes.scalar;
import static dev.fanout.local.iam.TemplateNodes.values;

/**
 * Audits every Allow a SAM template grants, from every kind of grant in it: the functions' and
 * the state machine's {@code Policies} (inline documents, SAM policy templates expanded to the
 * statements SAM generates, managed policies refused), IAM roles and policies, bucket policies
 * (their {@code Principal}), and SAM connectors (standalone or embedded, expanded to the actions
 * SAM grants for Read and Write). Both branches of an {@code !If} count. Reads the YAML as nodes,
 * keeping line numbers and the comment block right above each statement (the node reading,
 * wildcard matching and SAM policy templates are shared with the local enforcement, in
 * {@code dev.fanout.local.iam}).
 * <ul>
 *   <li>An Allow statement written in the template must have a comment above it saying what it is for.</li>
 *   <li>A wildcard action ({@code s3:*}, {@code s3:Get*}, {@code *}), {@code Resource: "*"}, or a
 *       {@code *} in any ARN other than an object key of this template's own buckets
 *       ({@code ${OutputBucket.Arn}/work/*}) must be justified in that statement's own comment by
 *       a line {@code Wildcard: <why AWS needs it>} of at least {@value #MIN_REASON_WORDS} words.
 *       A comment that merely contains "*" or "wildcard" justifies nothing.</li>
 *   <li>NotAction/NotResource are never allowed in an Allow; managed policies never; SAM policy
 *       templates and connector destinations only where this audit knows what they grant.</li>
 *   <li>Uploads are only ever read: no principal may be allowed an action other than
 *       {@code s3:Get…}/{@code s3:List…} on any resource that can be the input bucket or one of
 *       its objects, with {@code "*"}, {@code arn:aws:s3:::*}, {@code ${InputBucket.Arn}/*},
 *       {@code arn:${AWS::Partition}:s3:::${InputBucket}} and action wildcards resolved.</li>
 * </ul>
 */
final class IamPolicyAudit {
    /** The logical id of the bucket uploads arrive in. */
    static final String INPUT_BUCKET = "InputBucket";
    static final int MIN_REASON_WORDS = 5;
    /** What a wildcard the audit cannot read stands for: anything. */
    private static final String ANY = TemplateNodes.ANY;
    private static final String S3_ARN = "arn:${AWS::Partition}:s3:::";
    private static final Pattern JUSTIFICATION = Pattern.compile("(?i)\\bwildcard:\\s*(.*)");

    /** One Allow: who may do which actions on which resources, and where the template says so. */
    record Grant(String principal, List<String> actions, List<String> resources, int line, String via) {}

    /** A principal's permission on the input bucket: one action pattern on one resource pattern. */
    record InputAccess(String principal, String action, String resource, int line, String via) {
        boolean readOnly() { return IamPolicyAudit.readOnly(action); }
    }

    private final String[] lines;
    private final Map<String, String> resourceTypes = new HashMap<>();
    private final List<String> violations = new ArrayList<>();
    private final List<Grant> grants = new ArrayList<>();

    private IamPolicyAudit(String text) {
        this.lines = text.split("\n", -1);
    }

    /** Every violation, as "line N: what is wrong"; empty when the template passes. */
    static List<String> violations(String templateText) {
        return read(templateText).violations;
    }

    /** Every Allow the template grants, by any kind of grant. */
    static List<Grant> grants(String templateText) {
        return read(templateText).grants;
    }

    /** Every (principal, action, resource) granted on something that can be the input bucket or an upload in it. */
    static List<InputAccess> inputBucketAccess(String templateText) {
        return inputAccess(read(templateText).grants);
    }

    private static List<InputAccess> inputAccess(List<Grant> grants) {
        List<InputAccess> out = new ArrayList<>();
        for (Grant g : grants) {
            for (String r : g.resources()) {
                if (!touchesInputBucket(r)) continue;
                for (String a : g.actions()) if (mayBeS3(a)) out.add(new InputAccess(g.principal(), a, r, g.line(), g.via()));
            }
        }
        return out;
    }

    private static IamPolicyAudit read(String templateText) {
        IamPolicyAudit audit = new IamPolicyAudit(templateText);
        Node root = TemplateNodes.compose(templateText);
        if (get(root, "Resources") instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) audit.resourceTypes.put(scalar(t.getKeyNode()), scalar(get(t.getValueNode(), "Type")));
            for (NodeTuple t : m.getValue()) audit.resource(scalar(t.getKeyNode()), t.getValueNode());
        }
        for (InputAccess a : inputAccess(audit.grants)) {
            if (!a.readOnly()) {
                audit.violations.add("line " + a.line() + ": " + a.principal() + " may " + a.action() + " on " + a.resource() + " (" + a.via()
                        + "), which can be the input bucket: uploads may only be read (s3:Get*/s3:List*)");
            }
        }
        return audit;
    }

    private void resource(String name, Node resource) {
        String type = scalar(get(resource, "Type"));
        Node properties = get(resource, "Properties");
        if (type == null || properties == null) return;
        if (get(properties, "Connectors") instanceof MappingNode embedded) {
            for (NodeTuple t : embedded.getValue()) connector(name, scalar(t.getKeyNode()), get(t.getValueNode(), "Properties"));
        }
        switch (type) {
            case "AWS::Serverless::Function", "AWS::Serverless::StateMachine" -> {
                Node policies = get(properties, "Policies");
                if (policies instanceof SequenceNode list) {
                    for (Node p : list.getValue()) samPolicy(name, p, p);
                } else if (policies != null) {
                    samPolicy(name, policies, policies);
                }
            }
            case "AWS::IAM::Role" -> {
                if (get(properties, "Policies") instanceof SequenceNode policies) {
                    for (Node p : policies.getValue()) document(name, get(p, "PolicyDocument"), "inline policy of the role");
                }
                if (get(properties, "ManagedPolicyArns") instanceof SequenceNode arns && !arns.getValue().isEmpty()) {
                    violation(arns, name + " attaches managed policies");
                }
            }
            case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy" -> document(name, get(properties, "PolicyDocument"), type);
            case "AWS::S3::BucketPolicy" -> document(null, get(properties, "PolicyDocument"), "bucket policy " + name);
            case "AWS::Serverless::Connector" -> {
                List<String> source = values(get(get(properties, "Source"), "Id"));
                connector(source.isEmpty() ? "the source of " + name : source.get(0), name, properties);
            }
            default -> { }
        }
    }

    /** One entry of a SAM resource's Policies: a document, a policy template, an !If of them, or a managed policy. */
    private void samPolicy(String owner, Node policy, Node commentAt) {
        for (Node p : branches(policy)) {
            if (p instanceof ScalarNode s) {
                violation(s, owner + " uses the managed policy " + values(s));
            } else if (get(p, "Statement") != null) {
                document(owner, p, "Policies");
            } else if (p instanceof MappingNode m && m.getValue().size() == 1) {
                String template = scalar(m.getValue().get(0).getKeyNode());
                SamPolicyTemplates.Template t = SamPolicyTemplates.ALL.get(template);
                if (t == null) {
                    violation(m, owner + " uses the SAM policy template " + template + ", which this audit cannot expand");
                    continue;
                }
                Map<String, String> params = new HashMap<>();
                for (NodeTuple arg : mapping(m.getValue().get(0).getValueNode())) {
                    List<String> v = values(arg.getValueNode());
                    params.put(scalar(arg.getKeyNode()), v.size() == 1 ? v.get(0) : ANY);
                }
                // the wildcards SAM writes into a template are its own (see SamPolicyTemplates); one passed in is not
                params.forEach((k, v) -> {
                    if (wildcard(v)) violation(m, owner + " passes the wildcard " + v + " as " + k + " of the SAM policy template " + template);
                });
                for (SamPolicyTemplates.Statement s : t.statements()) {
                    List<String> resources = s.resources().stream().map(r -> t.fill(r, params)).map(this::canonical).toList();
                    grants.add(new Grant(owner, s.actions(), resources, line(m), "SAM policy template " + template));
                }
            } else {
                violation(p, owner + " has a policy entry this audit does not understand");
            }
        }
    }

    /** A SAM connector: what SAM grants its source on its destination for Read and Write. */
    private void connector(String source, String name, Node properties) {
        Node destinations = get(properties, "Destination");
        List<Node> each = destinations instanceof SequenceNode seq ? seq.getValue() : destinations == null ? List.of() : List.of(destinations);
        List<String> permissions = values(get(properties, "Permissions"));
        for (Node d : each) {
            String id = scalar(get(d, "Id"));
            String type = id != null ? resourceTypes.get(id) : scalar(get(d, "Type"));
            List<String> arns = id != null ? List.of("${" + id + ".Arn}") : values(get(d, "Arn"));
            SamConnectors.Destination kind = SamConnectors.ALL.get(type);
            if (kind == null) {
                violation(d, "connector " + name + " of " + source + " reaches a " + type + ", which this audit cannot expand");
                continue;
            }
            for (String permission : permissions) {
                List<String> actions = kind.actions().get(permission);
                if (actions == null) {
                    violation(d, "connector " + name + " grants " + permission + " on a " + type + ", which this audit cannot expand");
                    continue;
                }
                List<String> resources = new ArrayList<>();
                for (String arn : arns) for (String suffix : kind.resourceSuffixes()) resources.add(canonical(arn + suffix));
                grants.add(new Grant(source, actions, resources, line(d), "connector " + name + " " + permission));
            }
        }
    }

    /** A policy document; {@code owner} null for a resource policy, whose statements name their principal. */
    private void document(String owner, Node document, String via) {
        if (!(get(document, "Statement") instanceof SequenceNode statements)) return;
        for (Node s : statements.getValue()) for (Node b : branches(s)) statement(owner, b, s, via);
    }

    private void statement(String owner, Node statement, Node commentAt, String via) {
        if (!"Allow".equals(scalar(get(statement, "Effect")))) return; // a Deny only narrows
        String principal = owner != null ? owner : principal(get(statement, "Principal"));
        boolean notAction = get(statement, "NotAction") != null, notResource = get(statement, "NotResource") != null;
        List<String> actions = notAction ? List.of(ANY) : values(get(statement, "Action"));
        List<String> resources = notResource ? List.of(ANY) : values(get(statement, "Resource")).stream().map(this::canonical).toList();
        grants.add(new Grant(principal, actions, resources, line(statement), via));

        String where = principal + " statement " + String.join(",", actions);
        if (notAction || notResource) violation(statement, where + ": NotAction/NotResource grants everything else");
        String comment = commentAbove(commentAt);
        if (comment.isBlank()) violation(statement, where + ": no comment above it says what it is for");
        boolean justified = justified(comment);
        for (String action : actions) {
            if (wildcard(action) && !justified) violation(statement, where + ": wildcard action " + action + " is not justified by a 'Wildcard: <why>' comment");
        }
        for (String resource : resources) {
            if (!wildcard(resource) || ownObjectKeys(resource)) continue;
            if (!justified) violation(statement, where + ": wildcard resource " + resource + " is not justified by a 'Wildcard: <why>' comment");
        }
    }

    /** A "Wildcard: reason" line in the statement's own comment, the reason at least a few words long. */
    static boolean justified(String comment) {
        Matcher m = JUSTIFICATION.matcher(comment);
        if (!m.find()) return false;
        String reason = m.group(1).replaceAll("[^A-Za-z0-9' ]", " ").strip();
        return !reason.isEmpty() && reason.split("\\s+").length >= MIN_REASON_WORDS;
    }

    private static String principal(Node p) {
        if (p instanceof ScalarNode) return "principal " + String.join(",", values(p));
        List<String> out = new ArrayList<>();
        for (NodeTuple t : mapping(p)) out.add(scalar(t.getKeyNode()) + " " + String.join(",", values(t.getValueNode())));
        return out.isEmpty() ? "an unnamed principal" : "principal " + String.join("; ", out);
    }

    private static boolean wildcard(String s) {
        return s.contains("*") || s.contains("?");
    }

    /** An object-key pattern inside one of this stack's buckets, e.g. ${OutputBucket.Arn}/work/*. */
    private static boolean ownObjectKeys(String resource) {
        return resource.matches("(" + Pattern.quote(S3_ARN) + "\\$\\{[A-Za-z0-9]+Bucket}|\\$\\{[A-Za-z0-9]+Bucket\\.Arn})/[^*?]*[*?].*");
    }

    /** One spelling per S3 ARN: ${X.Arn} of a bucket and arn:aws:s3::: become arn:${AWS::Partition}:s3:::${X}. */
    private String canonical(String resource) {
        Matcher m = Pattern.compile("\\$\\{([A-Za-z0-9]+)\\.Arn}").matcher(resource);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            boolean bucket = m.group(1).equals(INPUT_BUCKET) || "AWS::S3::Bucket".equals(resourceTypes.get(m.group(1)));
            m.appendReplacement(out, Matcher.quoteReplacement(bucket ? S3_ARN + "${" + m.group(1) + "}" : m.group()));
        }
        m.appendTail(out);
        return out.toString().replaceFirst("^arn:aws(-[a-z-]+)?:s3:::", Matcher.quoteReplacement(S3_ARN));
    }

    /**
     * Can this resource pattern be the input bucket or one of its objects? The input bucket's name
     * is generated by CloudFormation, so a literal bucket name is another bucket; ${InputBucket} or
     * any wildcard (or unknown reference) in the bucket part may be it.
     */
    static boolean touchesInputBucket(String resource) {
        if (!IamGlobs.intersect(resource, S3_ARN + "*")) return false;
        if (!resource.startsWith(S3_ARN)) return true; // a wildcard before the bucket: any bucket
        String rest = resource.substring(S3_ARN.length());
        String bucket = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
        if (bucket.equals("${" + INPUT_BUCKET + "}")) return true;
        if (bucket.matches("\\$\\{[A-Za-z0-9]+}")) return false; // another resource or parameter
        return wildcard(bucket) || bucket.contains("${");
    }

    private static boolean mayBeS3(String action) {
        return IamGlobs.intersect(action.toLowerCase(Locale.ROOT), "s3:*");
    }

    /** Every action the pattern can match starts with s3:Get or s3:List (S3's read actions). */
    static boolean readOnly(String action) {
        String a = action.toLowerCase(Locale.ROOT);
        int w = a.length();
        for (int i = 0; i < a.length(); i++) if (a.charAt(i) == '*' || a.charAt(i) == '?') { w = i; break; }
        String literal = a.substring(0, w);
        return literal.startsWith("s3:get") || literal.startsWith("s3:list");
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

    private void violation(Node at, String what) {
        violations.add("line " + line(at) + ": " + what);
    }

    private static int line(Node n) {
        return n.getStartMark().getLine() + 1;
    }
}
