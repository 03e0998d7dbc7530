package dev.fanout.integration;

import cloud.localstack.Localstack;
import cloud.localstack.docker.annotation.LocalstackDockerConfiguration;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The LocalStack the test deploys into: started with localstack-utils (which drives the docker
 * CLI: {@code docker run} of the pinned image, the Docker socket mounted so LocalStack can start
 * Lambda containers, a random host port for the edge endpoint, and a wait for "Ready."), or one
 * already running at a configured endpoint. Stopped on close only if started here.
 */
public final class LocalStackTarget implements AutoCloseable {
    /** LocalStack's fixed test credentials and account. */
    public static final String ACCOUNT = "000000000000";
    static final String DOCKER_SOCKET = "/var/run/docker.sock";

    private final URI endpoint;
    private final String region;
    private final boolean startedHere;

    private LocalStackTarget(URI endpoint, String region, boolean startedHere) {
        this.endpoint = endpoint;
        this.region = region;
        this.startedHere = startedHere;
    }

    public static LocalStackTarget open(LocalStackConfig config, Consumer<String> log) {
        if (config.endpoint() != null) return new LocalStackTarget(config.endpoint(), config.region(), false);
        log.accept("starting " + config.imageName() + ":" + config.imageTag() + " (the first run pulls the image)");
        Localstack.INSTANCE.startup(dockerConfiguration(config));
        URI endpoint = URI.create(Localstack.INSTANCE.endpointForPort(Localstack.DEFAULT_EDGE_PORT));
        log.accept("LocalStack ready at " + endpoint);
        return new LocalStackTarget(endpoint, config.region(), true);
    }

    /** The container: the pinned image, a random host port for the edge endpoint, the Docker socket, the region (and a token if given). */
    static LocalstackDockerConfiguration dockerConfiguration(LocalStackConfig config) {
        Map<String, String> env = new LinkedHashMap<>(config.containerEnv());
        env.put("AWS_DEFAULT_REGION", config.region());
        return LocalstackDockerConfiguration.builder()
                .imageName(config.imageName()).imageTag(config.imageTag())
                .pullNewImage(false)
                .randomizePorts(true)
                .bindMounts(Map.of(DOCKER_SOCKET, DOCKER_SOCKET))
                .environmentVariables(env)
                .build();
    }

    /**
     * The settings that point the production client code at LocalStack: the standard
     * AWS_ENDPOINT_URL (the same variable LocalStack sets inside the Lambda containers) and its
     * test credentials.
     */
    public Map<String, String> clientEnv() {
        return Map.of("AWS_ENDPOINT_URL", endpoint.toString(), "AWS_REGION", region,
                "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test");
    }

    public String region() { return region; }

    @Override
    public void close() {
        if (startedHere) Localstack.INSTANCE.stop();
    }
}
