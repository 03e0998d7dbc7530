package dev.fanout.local;

import dev.fanout.encoder.storage.ObjectStore;
import dev.fanout.encoder.storage.S3Clients;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * An S3-compatible server in this JVM on 127.0.0.1 (S3Proxy over a folder): real S3 API calls,
 * AWS Signature V4, and Range GETs — what the handlers use on AWS. Started on a free port;
 * objects live under {@code dataDir}. Clients address it by the host name {@code localhost}, as
 * they address S3 by a host name on AWS: anything in the media path that resolves a name (the
 * layer's static ffmpeg crashes on any lookup) then fails here too, not only on Lambda.
 */
public final class LocalS3 implements AutoCloseable {
    public static final String ACCESS_KEY = "local-access-key";
    public static final String SECRET_KEY = "local-secret-key";

    /** The name clients use for this server (it listens on 127.0.0.1 only). */
    public static final String HOST_NAME = "localhost";

    private final S3Proxy proxy;
    private final String endpoint;

    private LocalS3(S3Proxy proxy, String endpoint) {
        this.proxy = proxy;
        this.endpoint = endpoint;
    }

    public static LocalS3 start(Path dataDir) throws Exception {
        Files.createDirectories(dataDir);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(new FilesystemNio2BlobStore(dataDir.toAbsolutePath().toString()))
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) throw new IOException("the local S3 server did not start");
            Thread.sleep(10);
        }
        return new LocalS3(proxy, "http://" + HOST_NAME + ":" + proxy.getPort());
    }

    public String endpoint() { return endpoint; }

    /** The settings that point the production S3 client code at this server. */
    public Map<String, String> clientEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("S3_ENDPOINT_URL", endpoint);
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        return env;
    }

    public ObjectStore objectStore() { return S3Clients.objectStore(clientEnv()); }

    public void createBucket(String name) {
        try (var s3 = objectStore().client()) {
            s3.createBucket(b -> b.bucket(name));
        }
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
