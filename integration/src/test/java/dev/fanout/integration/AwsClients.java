package dev.fanout.integration;

import dev.fanout.encoder.storage.ClientEndpoints;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/** Lambda and Step Functions clients configured exactly like the production ones: endpoint and credentials from the settings map. */
final class AwsClients {
    private AwsClients() {}

    static LambdaClient lambda(Map<String, String> env) {
        Optional<URI> endpoint = ClientEndpoints.endpoint(env, null, "LAMBDA");
        var b = LambdaClient.builder().region(Region.of(env.getOrDefault("AWS_REGION", "us-east-1")))
                .credentialsProvider(ClientEndpoints.credentials(env, endpoint.isPresent()));
        endpoint.ifPresent(b::endpointOverride);
        return b.build();
    }

    static SfnClient sfn(Map<String, String> env) {
        Optional<URI> endpoint = ClientEndpoints.endpoint(env, "SFN_ENDPOINT_URL", "SFN");
        var b = SfnClient.builder().region(Region.of(env.getOrDefault("AWS_REGION", "us-east-1")))
                .credentialsProvider(ClientEndpoints.credentials(env, endpoint.isPresent()));
        endpoint.ifPresent(b::endpointOverride);
        return b.build();
    }
}
