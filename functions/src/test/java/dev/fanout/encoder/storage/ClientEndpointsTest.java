package dev.fanout.encoder.storage;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientEndpointsTest {

    @Test
    void projectVariableThenServiceVariableThenGlobalVariable() {
        Map<String, String> all = Map.of("S3_ENDPOINT_URL", "http://project:1", "AWS_ENDPOINT_URL_S3", "http://service:2",
                "AWS_ENDPOINT_URL", "http://global:3");
        assertEquals(Optional.of(URI.create("http://project:1")), ClientEndpoints.endpoint(all, "S3_ENDPOINT_URL", "S3"));
        assertEquals(Optional.of(URI.create("http://service:2")), ClientEndpoints.endpoint(
                Map.of("AWS_ENDPOINT_URL_S3", "http://service:2", "AWS_ENDPOINT_URL", "http://global:3"), "S3_ENDPOINT_URL", "S3"));
        assertEquals(Optional.of(URI.create("http://global:3")), ClientEndpoints.endpoint(
                Map.of("AWS_ENDPOINT_URL_S3", "http://service:2", "AWS_ENDPOINT_URL", "http://global:3"), "SFN_ENDPOINT_URL", "SFN"),
                "another service's variable does not apply");
        assertEquals(Optional.empty(), ClientEndpoints.endpoint(Map.of("S3_ENDPOINT_URL", " "), "S3_ENDPOINT_URL", "S3"), "blank is unset");
        assertEquals(Optional.empty(), ClientEndpoints.endpoint(Map.of(), "S3_ENDPOINT_URL", "S3"), "nothing set: AWS itself");
    }

    @Test
    void theStandardIgnoreSwitchDropsOnlyTheStandardVariables() {
        Map<String, String> env = Map.of("AWS_ENDPOINT_URL", "http://global:3", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
        assertEquals(Optional.empty(), ClientEndpoints.endpoint(env, "S3_ENDPOINT_URL", "S3"));
        assertEquals(Optional.of(URI.create("http://project:1")), ClientEndpoints.endpoint(
                Map.of("S3_ENDPOINT_URL", "http://project:1", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"), "S3_ENDPOINT_URL", "S3"));
    }

    @Test
    void aRelativeEndpointIsRefusedByName() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> ClientEndpoints.endpoint(Map.of("AWS_ENDPOINT_URL", "localhost:4566"), "SFN_ENDPOINT_URL", "SFN"));
        assertTrue(e.getMessage().contains("localhost:4566") && e.getMessage().contains("SFN"), e.getMessage());
    }

    @Test
    void credentialsOfTheMapOnlyWithAnOverrideAndKeepTheSessionToken() {
        Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", "id", "AWS_SECRET_ACCESS_KEY", "secret", "AWS_SESSION_TOKEN", "token");
        assertInstanceOf(DefaultCredentialsProvider.class, ClientEndpoints.credentials(env, false));
        var provider = assertInstanceOf(StaticCredentialsProvider.class, ClientEndpoints.credentials(env, true));
        var session = assertInstanceOf(AwsSessionCredentials.class, provider.resolveCredentials());
        assertEquals("token", session.sessionToken());
        assertInstanceOf(DefaultCredentialsProvider.class, ClientEndpoints.credentials(Map.of(), true));
    }

    /** The real S3 client, configured only by AWS_ENDPOINT_URL, talks path-style to that endpoint. */
    @Test
    void s3ClientFollowsTheStandardVariablePathStyle() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("Host") + exchange.getRequestURI().getPath());
            exchange.getResponseHeaders().set("ETag", "\"e\"");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try {
            String endpoint = "http://127.0.0.1:" + server.getAddress().getPort();
            ObjectStore store = S3Clients.objectStore(Map.of("AWS_ENDPOINT_URL", endpoint, "AWS_REGION", "eu-west-1",
                    "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test"));
            assertTrue(store.head("input-bucket", "uploads/a.mp4").isPresent());
            assertEquals(List.of("HEAD 127.0.0.1:" + server.getAddress().getPort() + "/input-bucket/uploads/a.mp4"), requests);
        } finally {
            server.stop(0);
        }
    }
}
