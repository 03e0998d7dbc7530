package dev.fanout.integration;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * How the LocalStack end-to-end test runs, from system properties (set by the Maven profile) and
 * the environment, and whether it runs at all.
 *
 * <ul>
 *   <li>{@code fanout.localstack=true} – requested ({@code mvn verify -Plocalstack})</li>
 *   <li>{@code fanout.localstack.image} – image:tag to start (default from integration/pom.xml)</li>
 *   <li>{@code fanout.localstack.endpoint} – use a LocalStack already running there instead of starting one</li>
 *   <li>{@code fanout.localstack.region} – default us-east-1</li>
 *   <li>{@code fanout.localstack.startMinutes}, {@code fanout.localstack.runMinutes} – how long to wait for the
 *       execution to appear (the first Lambda invocation pulls the java21 runtime image) and to end</li>
 *   <li>{@code LOCALSTACK_AUTH_TOKEN} (environment) – passed to the container if set (newer images need one)</li>
 * </ul>
 */
public record LocalStackConfig(boolean requested, String imageName, String imageTag, URI endpoint, String region,
                               Duration startTimeout, Duration runTimeout, Map<String, String> containerEnv) {

    public static final String DEFAULT_IMAGE = "localstack/localstack:4.4.0";
    static final String HOW_TO_RUN = "run `mvn verify -Plocalstack` on a machine with Docker";

    public static LocalStackConfig from(Map<String, String> props, Map<String, String> env) {
        String image = props.getOrDefault("fanout.localstack.image", DEFAULT_IMAGE).strip();
        int colon = image.lastIndexOf(':');
        if (colon <= 0 || colon == image.length() - 1 || image.substring(colon).contains("/")) {
            throw new IllegalArgumentException("fanout.localstack.image='" + image + "' must be name:tag (a pinned tag, e.g. " + DEFAULT_IMAGE + ")");
        }
        String endpoint = props.getOrDefault("fanout.localstack.endpoint", "").strip();
        Map<String, String> containerEnv = new LinkedHashMap<>();
        String token = env.get("LOCALSTACK_AUTH_TOKEN");
        if (token != null && !token.isBlank()) containerEnv.put("LOCALSTACK_AUTH_TOKEN", token);
        return new LocalStackConfig(
                Boolean.parseBoolean(props.getOrDefault("fanout.localstack", "false").strip()),
                image.substring(0, colon), image.substring(colon + 1),
                endpoint.isEmpty() ? null : URI.create(endpoint),
                props.getOrDefault("fanout.localstack.region", "us-east-1"),
                Duration.ofMinutes(Long.parseLong(props.getOrDefault("fanout.localstack.startMinutes", "8"))),
                Duration.ofMinutes(Long.parseLong(props.getOrDefault("fanout.localstack.runMinutes", "20"))),
                Map.copyOf(containerEnv));
    }

    public enum Verdict { RUN, SKIP, FAIL }

    /** Whether to run, with the one line that says why. */
    public record Decision(Verdict verdict, String message) {}

    /**
     * Not requested: skip, saying whether Docker would have allowed it. Requested: run if there is
     * an endpoint to use or a Docker engine to start LocalStack on, else fail (asked for, cannot be done).
     */
    public Decision decide(Supplier<DockerEngine> docker) {
        if (requested && endpoint != null) {
            return new Decision(Verdict.RUN, "LocalStack integration: using the LocalStack at " + endpoint);
        }
        DockerEngine engine = docker.get();
        if (!requested) {
            return engine.reachable()
                    ? new Decision(Verdict.SKIP, "LocalStack integration skipped: not requested (" + engine.detail() + " found); run `mvn verify -Plocalstack`")
                    : new Decision(Verdict.SKIP, "LocalStack integration skipped: no Docker engine reachable (" + engine.detail() + "); " + HOW_TO_RUN);
        }
        return engine.reachable()
                ? new Decision(Verdict.RUN, "LocalStack integration: starting " + imageName + ":" + imageTag + " on " + engine.detail())
                : new Decision(Verdict.FAIL, "LocalStack integration requested but no Docker engine reachable (" + engine.detail() + "); "
                        + HOW_TO_RUN + ", or point -Dfanout.localstack.endpoint at a running LocalStack");
    }
}
