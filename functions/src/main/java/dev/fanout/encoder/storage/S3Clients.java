package dev.fanout.encoder.storage;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.net.URI;
import java.util.Map;

/**
 * Builds the S3 client and presigner from configuration. On Lambda nothing is needed (region and
 * credentials come from the runtime). {@code S3_ENDPOINT_URL} points the same code at any
 * S3-compatible endpoint (the embedded local store, LocalStack), with path-style addressing; with
 * an endpoint override, {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY} from the same map
 * are used as static credentials.
 */
public final class S3Clients {
    private S3Clients() {}

    public static ObjectStore objectStore(Map<String, String> env) {
        Region region = Region.of(env.getOrDefault("AWS_REGION", "us-east-1"));
        String endpoint = env.get("S3_ENDPOINT_URL");
        AwsCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
        if (endpoint != null && env.containsKey("AWS_ACCESS_KEY_ID") && env.containsKey("AWS_SECRET_ACCESS_KEY")) {
            credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")));
        }
        var s3 = S3Client.builder().region(region).credentialsProvider(credentials)
                .overrideConfiguration(o -> o.retryStrategy(b -> b.maxAttempts(6)));
        var presigner = S3Presigner.builder().region(region).credentialsProvider(credentials);
        if (endpoint != null && !endpoint.isBlank()) {
            URI uri = URI.create(endpoint);
            s3.endpointOverride(uri).forcePathStyle(true)
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
            presigner.endpointOverride(uri).serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build());
        }
        return new ObjectStore(s3.build(), presigner.build());
    }
}
