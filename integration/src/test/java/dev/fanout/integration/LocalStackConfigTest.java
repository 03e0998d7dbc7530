package dev.fanout.integration;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalStackConfigTest {
    static final DockerEngine NO_ENGINE = new DockerEngine(false,
            "`docker info` exit 1: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?");
    static final DockerEngine ENGINE = new DockerEngine(true, "Docker engine 28.2.2");

    @Test
    void defaultsAndOverrides() {
        LocalStackConfig c = LocalStackConfig.from(Map.of(), Map.of());
        assertFalse(c.requested());
        assertEquals("localstack/localstack", c.imageName());
        assertEquals("4.4.0", c.imageTag());
        assertEquals(null, c.endpoint());
        assertEquals(Duration.ofMinutes(20), c.runTimeout());
        assertEquals(Map.of(), c.containerEnv());

        c = LocalStackConfig.from(Map.of("fanout.localstack", "true", "fanout.localstack.image", "localhost:5000/ls/localstack:4.9.2",
                "fanout.localstack.endpoint", "http://localhost:4566", "fanout.localstack.runMinutes", "5"), Map.of("LOCALSTACK_AUTH_TOKEN", "tok"));
        assertTrue(c.requested());
        assertEquals("localhost:5000/ls/localstack", c.imageName(), "a registry port is not a tag");
        assertEquals("4.9.2", c.imageTag());
        assertEquals(URI.create("http://localhost:4566"), c.endpoint());
        assertEquals(Duration.ofMinutes(5), c.runTimeout());
        assertEquals(Map.of("LOCALSTACK_AUTH_TOKEN", "tok"), c.containerEnv(), "the token reaches the container");
    }

    @Test
    void theContainerLocalStackUtilsStarts() {
        var docker = LocalStackTarget.dockerConfiguration(LocalStackConfig.from(
                Map.of("fanout.localstack.region", "eu-west-1"), Map.of("LOCALSTACK_AUTH_TOKEN", "tok")));
        assertEquals("localstack/localstack", docker.getImageName());
        assertEquals("4.4.0", docker.getImageTag());
        assertTrue(docker.isRandomizePorts(), "no clash with a LocalStack already on 4566");
        assertEquals(Map.of("/var/run/docker.sock", "/var/run/docker.sock"), docker.getBindMounts(), "LocalStack starts Lambda containers through it");
        assertEquals(Map.of("AWS_DEFAULT_REGION", "eu-west-1", "LOCALSTACK_AUTH_TOKEN", "tok"), docker.getEnvironmentVariables());
    }

    @Test
    void anUnpinnedImageIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> LocalStackConfig.from(Map.of("fanout.localstack.image", "localhost:5000/localstack"), Map.of()));
        assertTrue(e.getMessage().contains("name:tag"), e.getMessage());
    }

    @Test
    void theDefaultRunSkipsWithOneLineSayingWhy() {
        LocalStackConfig.Decision d = LocalStackConfig.from(Map.of(), Map.of()).decide(() -> NO_ENGINE);
        assertEquals(LocalStackConfig.Verdict.SKIP, d.verdict());
        assertEquals("LocalStack integration skipped: no Docker engine reachable (`docker info` exit 1: Cannot connect to the Docker daemon at "
                + "unix:///var/run/docker.sock. Is the docker daemon running?); run `mvn verify -Plocalstack` on a machine with Docker", d.message());
        d = LocalStackConfig.from(Map.of(), Map.of()).decide(() -> ENGINE);
        assertEquals(LocalStackConfig.Verdict.SKIP, d.verdict());
        assertTrue(d.message().startsWith("LocalStack integration skipped: not requested (Docker engine 28.2.2 found)"), d.message());
    }

    @Test
    void requestedRunsWithDockerOrAnEndpointAndFailsLoudlyWithNeither() {
        Map<String, String> requested = Map.of("fanout.localstack", "true");
        assertEquals(LocalStackConfig.Verdict.RUN, LocalStackConfig.from(requested, Map.of()).decide(() -> ENGINE).verdict());
        var d = LocalStackConfig.from(requested, Map.of()).decide(() -> NO_ENGINE);
        assertEquals(LocalStackConfig.Verdict.FAIL, d.verdict());
        assertTrue(d.message().contains("requested but no Docker engine reachable"), d.message());
        d = LocalStackConfig.from(Map.of("fanout.localstack", "true", "fanout.localstack.endpoint", "http://ls:4566"), Map.of())
                .decide(() -> { throw new AssertionError("Docker is not needed for a running LocalStack"); });
        assertEquals(LocalStackConfig.Verdict.RUN, d.verdict());
    }

    @Test
    void dockerProbeReadsTheCliAnswer() {
        assertEquals(new DockerEngine(true, "Docker engine 28.2.2"),
                DockerEngine.probe(cmd -> new DockerEngine.Output(0, "28.2.2\n", "")));
        assertEquals(new DockerEngine(false, "`docker info` exit 1: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"),
                DockerEngine.probe(cmd -> new DockerEngine.Output(1, "\n", "Client:\n Version: 28.2.2\n\nCannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n")));
        assertEquals(new DockerEngine(false, "docker CLI not runnable: Cannot run program \"docker\": error=2, No such file or directory"),
                DockerEngine.probe(cmd -> { throw new IOException("Cannot run program \"docker\": error=2, No such file or directory"); }));
        assertEquals(List.of("docker", "info", "--format", "{{.ServerVersion}}"), DockerEngine.INFO);
    }
}
