package dev.fanout.encoder.storage;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the S3 client from configuration. On Lambda nothing is needed (region and credentials
 * come from the runtime). An endpoint override ({@code S3_ENDPOINT_URL}, or the standard
 * {@code AWS_ENDPOINT_URL_S3} / {@code AWS_ENDPOINT_URL}: see {@link ClientEndpoints}) points the
 * same code at any S3-compatible endpoint (the embedded local store, LocalStack), with path-style
 * addressing; with an override, the access key, secret and session token of the same map are used
 * as static credentials. ffmpeg never talks to S3: it reads the source from a
 * {@link dev.fanout.encoder.source.SourceServer} that uses this client.
 */
public final class S3Clients {
    private S3Clients() {}

    public static ObjectStore objectStore(Map<String, String> env) {
        Region region = Region.of(env.getOrDefault("AWS_REGION", "us-east-1"));
        Optional<URI> endpoint = ClientEndpoints.endpoint(env, "S3_ENDPOINT_URL", "S3");
        AwsCredentialsProvider credentials = ClientEndpoints.credentials(env, endpoint.isPresent());
        var s3 = S3Client.builder().region(region).credentialsProvider(credentials)
                .overrideConfiguration(o -> o.retryStrategy(b -> b.maxAttempts(6)));
        if (endpoint.isPresent()) {
            URI uri = endpoint.get();
            s3.endpointOverride(uri).forcePathStyle(true)
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        }
        return new ObjectStore(s3.build());
    }
}
