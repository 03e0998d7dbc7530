package dev.fanout.local.iam;

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

/**
 * Reads a SAM template as YAML nodes (which keep their line numbers, so a finding can point at its
 * statement) and turns CloudFormation intrinsics into text: {@code !Ref X} is {@code ${X}},
 * {@code !GetAtt X.Arn} is {@code ${X.Arn}}, {@code !Sub} its text, both branches of an {@code !If}
 * count. Any other intrinsic becomes {@code "*"}: never assumed narrow. Shared by the IAM audit
 * (IamPolicyAudit) and the local enforcement of the policies ({@link TemplatePolicies}).
 */
public final class TemplateNodes {
    /** What a value the reader cannot read stands for: anything. */
    public static final String ANY = "*";

    private TemplateNodes() {}

    public static Node compose(String templateText) {
        return new Yaml(new LoaderOptions()).compose(new StringReader(templateText));
    }

    /** The alternatives a node stands for: both branches of an !If (without AWS::NoValue), else itself. */
    public static List<Node> branches(Node n) {
        List<Node> items = ifItems(n);
        if (items == null) return List.of(n);
        List<Node> out = new ArrayList<>();
        for (Node b : items.subList(1, items.size())) {
            if (List.of("${AWS::NoValue}").equals(values(b))) continue;
            out.addAll(branches(b));
        }
        return out;
    }

    private static List<Node> ifItems(Node n) {
        if (n instanceof SequenceNode s && "!If".equals(n.getTag().getValue()) && s.getValue().size() == 3) return s.getValue();
        if (n instanceof MappingNode m && m.getValue().size() == 1 && "Fn::If".equals(scalar(m.getValue().get(0).getKeyNode()))
                && m.getValue().get(0).getValueNode() instanceof SequenceNode s && s.getValue().size() == 3) return s.getValue();
        return null;
    }

    /**
     * The values a node can take, as text: scalars, lists, !Ref/!GetAtt as ${X}/${X.Attr}, !Sub's
     * text, both branches of !If. Any other intrinsic becomes "*": never assumed narrow.
     */
    public static List<String> values(Node node) {
        List<String> out = new ArrayList<>();
        if (node == null) return out;
        String tag = node.getTag().getValue();
        List<Node> ifs = ifItems(node);
        if (ifs != null) {
            for (Node b : ifs.subList(1, 3)) out.addAll(values(b));
            out.remove("${AWS::NoValue}");
            return out;
        }
        if (node instanceof ScalarNode s) {
            switch (tag) {
                case "!Ref", "!GetAtt" -> out.add("${" + s.getValue() + "}");
                case "!Sub" -> out.add(s.getValue());
                default -> out.add(tag.startsWith("!") && !tag.startsWith("!!") ? ANY : s.getValue());
            }
        } else if (node instanceof SequenceNode seq) {
            switch (tag) {
                case "!Sub" -> out.add(substitute(seq.getValue()));
                case "!GetAtt" -> out.add("${" + String.join(".", seq.getValue().stream().flatMap(n -> values(n).stream()).toList()) + "}");
                default -> {
                    if (tag.startsWith("!") && !tag.startsWith("!!")) out.add(ANY);
                    else for (Node n : seq.getValue()) out.addAll(values(n));
                }
            }
        } else if (node instanceof MappingNode m) {
            if (m.getValue().size() != 1) return List.of(ANY);
            String key = scalar(m.getValue().get(0).getKeyNode());
            Node v = m.getValue().get(0).getValueNode();
            switch (key == null ? "" : key) {
                case "Ref" -> out.add("${" + scalar(v) + "}");
                case "Fn::GetAtt" -> out.add("${" + String.join(".", values(v)) + "}");
                case "Fn::Sub" -> out.add(v instanceof SequenceNode seq ? substitute(seq.getValue()) : scalar(v));
                default -> out.add(ANY);
            }
        }
        return out;
    }

    /** !Sub [text, {name: value}]: each ${name} replaced by its value's text ("*" when it has several). */
    private static String substitute(List<Node> items) {
        String text = items.isEmpty() ? ANY : scalar(items.get(0));
        if (text == null) return ANY;
        if (items.size() > 1) {
            for (NodeTuple t : mapping(items.get(1))) {
                List<String> v = values(t.getValueNode());
                text = text.replace("${" + scalar(t.getKeyNode()) + "}", v.size() == 1 ? v.get(0) : ANY);
            }
        }
        return text;
    }

    public static List<NodeTuple> mapping(Node n) {
        return n instanceof MappingNode m ? m.getValue() : List.of();
    }

    public static Node get(Node map, String key) {
        if (!(map instanceof MappingNode m)) return null;
        for (NodeTuple t : m.getValue()) if (key.equals(scalar(t.getKeyNode()))) return t.getValueNode();
        return null;
    }

    public static String scalar(Node n) {
        return n instanceof ScalarNode s ? s.getValue() : null;
    }

    public static int line(Node n) {
        return n.getStartMark().getLine() + 1;
    }
}
