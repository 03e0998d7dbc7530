package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fanout.local.asl.SamTemplate;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * template.yaml and the code agree: every Handler names a class and method that exist in the
 * built Lambda jar, every ${...} in the ASL has a substitution and every substitution is used,
 * and every Task's function is one of the template's.
 */
class TemplateContractTest {
    static final Path ROOT = LocalStateMachine.findTemplate().getParent();

    static Path lambdaJar() throws Exception {
        try (Stream<Path> s = Files.list(ROOT.resolve("functions/target"))) {
            return s.filter(p -> p.getFileName().toString().endsWith("-lambda.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("functions/target/*-lambda.jar is missing: run mvn verify (it builds functions first)"));
        }
    }

    @Test
    void everyHandlerExistsInTheBuiltJar() throws Exception {
        SamTemplate template = SamTemplate.read(ROOT.resolve("template.yaml"));
        Map<String, String> handlers = template.handlers();
        assertEquals(java.util.Set.of("ProbeFunction", "EncodeChunkFunction", "PackageFunction", "RecordFailureFunction", "StartExecutionFunction"),
                handlers.keySet(), "the five functions of the template");
        try (URLClassLoader jar = new URLClassLoader(new URL[]{lambdaJar().toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            for (var e : handlers.entrySet()) {
                String[] parts = e.getValue().split("::");
                assertEquals(2, parts.length, e.getKey() + " Handler must be Class::method: " + e.getValue());
                Class<?> type = Class.forName(parts[0], false, jar);
                assertEquals(jar, type.getClassLoader(), parts[0] + " comes from the Lambda jar");
                Set<String> interfaces = new HashSet<>();
                for (Class<?> c = type; c != null; c = c.getSuperclass()) for (Class<?> i : c.getInterfaces()) interfaces.add(i.getName());
                boolean found = false;
                for (Method m : type.getMethods()) {
                    if (!m.getName().equals(parts[1])) continue;
                    Class<?>[] p = m.getParameterTypes();
                    boolean stream = p.length == 3 && p[0] == InputStream.class && p[1] == OutputStream.class;
                    boolean typed = p.length == 2 && p[1].getName().equals("com.amazonaws.services.lambda.runtime.Context");
                    found |= stream || typed;
                }
                assertTrue(found, e.getKey() + ": " + e.getValue() + " has no Lambda-callable method " + parts[1]);
                assertTrue(interfaces.contains("com.amazonaws.services.lambda.runtime.RequestStreamHandler")
                        || interfaces.contains("com.amazonaws.services.lambda.runtime.RequestHandler"), e.getValue() + " implements a Lambda handler interface");
                type.getConstructor(); // Lambda instantiates with the no-argument constructor
            }
        }
    }

    @Test
    void placeholdersAndSubstitutionsMatchOneToOne() throws Exception {
        SamTemplate template = SamTemplate.read(ROOT.resolve("template.yaml"));
        String asl = template.definitionText();
        Set<String> placeholders = new HashSet<>();
        Matcher m = Pattern.compile("\\$\\{([A-Za-z0-9_]+)}").matcher(asl);
        while (m.find()) placeholders.add(m.group(1));
        Set<String> substitutions = new HashSet<>();
        template.substitutions().fieldNames().forEachRemaining(substitutions::add);
        assertEquals(placeholders, substitutions, "every ${...} has a substitution and every substitution is used");

        Map<String, String> values = template.resolveSubstitutions(Map.of("OutputBucket", "out"), Map.of());
        JsonNode definition = new ObjectMapper().readTree(SamTemplate.substitute(asl, values));
        assertNotNull(definition.get("StartAt"));
        for (String v : values.values()) {
            if (v.startsWith(SamTemplate.LOCAL_FUNCTION_ARN_PREFIX)) {
                String id = v.substring(SamTemplate.LOCAL_FUNCTION_ARN_PREFIX.length());
                assertTrue(template.handlers().containsKey(id), id + " is a function of the template");
            }
        }
    }

    @Test
    void functionsRunOnJava21() throws Exception {
        JsonNode t = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("template.yaml").toFile());
        assertEquals("java21", t.path("Globals").path("Function").path("Runtime").asText());
    }
}
