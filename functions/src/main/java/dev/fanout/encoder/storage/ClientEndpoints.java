package dev.fanout.encoder.storage;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where an AWS client sends its requests, from configuration only: the project's own variable
 * ({@code S3_ENDPOINT_URL}, {@code SFN_ENDPOINT_URL}), else the AWS SDKs' standard
 * {@code AWS_ENDPOINT_URL_<SERVICE>}, else {@code AWS_ENDPOINT_URL}; none of them unless
 * {@code AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true}. Nothing set means the service's own AWS
 * endpoint. The same code thus reaches AWS, the embedded local store and LocalStack (which puts
 * {@code AWS_ENDPOINT_URL} into every Lambda container it runs).
 *
 * <p>The settings come as a map (the process environment on Lambda, a built map in local runs and
 * tests), which is why the SDK's own reading of the process environment is not enough.
 */
public final class ClientEndpoints {
    private ClientEndpoints() {}

    /**
     * @param projectVariable e.g. {@code S3_ENDPOINT_URL}, or null for a client with only the standard variables
     * @param serviceId       the SDKs' service id in upper case, e.g. {@code S3}, {@code SFN}
     */
    public static Optional<URI> endpoint(Map<String, String> env, String projectVariable, String serviceId) {
        String value = projectVariable == null ? null : firstSet(env, projectVariable);
        if (value == null && !"true".equals(env.getOrDefault("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").strip().toLowerCase(Locale.ROOT))) {
            value = firstSet(env, "AWS_ENDPOINT_URL_" + serviceId, "AWS_ENDPOINT_URL");
        }
        if (value == null) return Optional.empty();
        URI uri = URI.create(value.strip());
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new IllegalArgumentException("endpoint '" + value + "' for " + serviceId + " must be an absolute URL such as http://localhost:4566");
        }
        return Optional.of(uri);
    }

    /**
     * With an endpoint override, the access key, secret and session token of the same map (a local
     * run passes them there); otherwise, or when the map has none, the SDK's default chain.
     */
    public static AwsCredentialsProvider credentials(Map<String, String> env, boolean endpointOverridden) {
        String id = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (!endpointOverridden || id == null || secret == null) return DefaultCredentialsProvider.builder().build();
        String token = env.get("AWS_SESSION_TOKEN");
        return StaticCredentialsProvider.create(token == null || token.isBlank()
                ? AwsBasicCredentials.create(id, secret)
                : AwsSessionCredentials.create(id, secret, token));
    }

    private static String firstSet(Map<String, String> env, String... names) {
        for (String n : names) {
            String v = env.get(n);
            if (v != null && !v.isBlank()) return v;
        }
        return null;
    }
}
