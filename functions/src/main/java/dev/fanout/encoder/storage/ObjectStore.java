package dev.fanout.encoder.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.encoder.errors.StorageException;
import dev.fanout.encoder.errors.TransientException;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The S3 operations the pipeline uses, streaming to and from files (media never sits in memory).
 * Failures are classified the way the AWS SDK's own retry policy classifies them: throttling (429,
 * 503 SlowDown), 5xx, request timeouts and I/O errors surface as {@link TransientException}
 * ({@code Transient.Storage}) after the SDK's retries, so the state machine retries the step;
 * everything else S3 refuses (403, a missing bucket or key, other 4xx) is a permanent
 * {@link StorageException} with its own name, which the state machine does not retry.
 */
public final class ObjectStore {
    private static final ObjectMapper JSON = Json.MAPPER;

    private final S3Client s3;

    public ObjectStore(S3Client s3) {
        this.s3 = s3;
    }

    public S3Client client() { return s3; }

    /** Size and ETag of an object, or empty when it does not exist. */
    public Optional<HeadObjectResponse> head(String bucket, String key) {
        try {
            return Optional.of(call("HEAD", bucket, key, () -> s3.headObject(b -> b.bucket(bucket).key(key))));
        } catch (StorageException e) {
            // a HEAD answer has no body, so no error code: any 404 means the object is not there
            if (e.statusCode() == 404) return Optional.empty();
            throw e;
        }
    }

    /** The first bytes of an object (a ranged GET), e.g. to look at its file signature. */
    public byte[] readPrefix(String bucket, String key, int length) {
        ResponseBytes<GetObjectResponse> bytes = call("GET", bucket, key,
                () -> s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).range("bytes=0-" + (length - 1))));
        return bytes.asByteArray();
    }

    /**
     * Bytes [{@code offset}, {@code offset + length}) of the object with ETag {@code etag} (fewer
     * at its end): one ranged GET with If-Match, so a replaced object answers 412 (a permanent
     * {@link StorageException} with status 412) instead of bytes of another upload. For small
     * reads of box headers; {@code length} bounds the memory.
     */
    public byte[] readRange(String bucket, String key, String etag, long offset, int length) {
        if (length <= 0) return new byte[0];
        return call("GET", bucket, key, () -> s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).ifMatch('"' + etag + '"')
                .range("bytes=" + offset + "-" + (offset + length - 1)))).asByteArray();
    }

    public void download(String bucket, String key, Path target) {
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            Path tmp = target.resolveSibling(target.getFileName() + ".part");
            call("GET", bucket, key, () -> s3.getObject(b -> b.bucket(bucket).key(key), ResponseTransformer.toFile(tmp)));
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void upload(Path file, String bucket, String key, String contentType) {
        call("PUT", bucket, key, () -> s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType), RequestBody.fromFile(file)));
    }

    public void putBytes(String bucket, String key, byte[] bytes, String contentType) {
        call("PUT", bucket, key, () -> s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType), RequestBody.fromBytes(bytes)));
    }

    public void putText(String bucket, String key, String text, String contentType) {
        call("PUT", bucket, key, () -> s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType),
                RequestBody.fromString(text, StandardCharsets.UTF_8)));
    }

    public void putJson(String bucket, String key, Object value) {
        try {
            putText(bucket, key, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value), "application/json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public <T> T getJson(String bucket, String key, Class<T> type) {
        byte[] bytes = call("GET", bucket, key, () -> s3.getObjectAsBytes(b -> b.bucket(bucket).key(key))).asByteArray();
        try {
            return JSON.readValue(bytes, type);
        } catch (IOException e) {
            throw new UncheckedIOException("s3://" + bucket + "/" + key + " is not a valid " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Returns null when the object does not exist. */
    public <T> T getJsonIfExists(String bucket, String key, Class<T> type) {
        try {
            return getJson(bucket, key, type);
        } catch (StorageException e) {
            if (e.getCause() instanceof NoSuchKeyException) return null;
            throw e;
        }
    }

    public List<S3Object> list(String bucket, String prefix) {
        List<S3Object> out = new ArrayList<>();
        call("LIST", bucket, prefix, () -> {
            s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().forEach(out::add);
            return null;
        });
        return out;
    }

    /**
     * Deletes every object under {@code prefix} whose key {@code keep} rejects, in batches of
     * 1,000 keys; returns how many were deleted. Idempotent: a retry deletes what is left.
     */
    public int deletePrefix(String bucket, String prefix, Predicate<String> keep) {
        List<ObjectIdentifier> doomed = list(bucket, prefix).stream().map(S3Object::key).filter(keep.negate())
                .map(k -> ObjectIdentifier.builder().key(k).build()).toList();
        for (int from = 0; from < doomed.size(); from += 1000) {
            List<ObjectIdentifier> batch = doomed.subList(from, Math.min(doomed.size(), from + 1000));
            DeleteObjectsResponse r = call("DELETE", bucket, prefix + "*",
                    () -> s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(batch).quiet(true))));
            if (r.hasErrors() && !r.errors().isEmpty()) {
                // DeleteObjects answers 200 and reports each key it did not delete with S3's error
                // code (DeleteObjects, S3 API Reference: "For each key, Amazon S3 performs a delete
                // operation and returns the result of that delete, success, or failure"): a key the
                // role may not delete is AccessDenied, permanent like a 403, not a retry
                var e = r.errors().get(0);
                String code = e.code() == null ? "" : e.code();
                String detail = "DELETE s3://" + bucket + "/" + e.key() + " failed: " + code + " " + e.message() + " ("
                        + r.errors().size() + " keys not deleted)";
                if (isTransient(0, code)) throw new TransientException("Storage", detail, null);
                int status = "AccessDenied".equals(code) ? 403 : 400; // what the same refusal of one DeleteObject would answer
                throw new StorageException(permanentName(status, code), detail, status, null);
            }
        }
        return doomed.size();
    }

    private static <T> T call(String op, String bucket, String key, Supplier<T> action) {
        String what = op + " s3://" + bucket + "/" + key + " failed: ";
        try {
            return action.get();
        } catch (S3Exception e) {
            String code = e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null ? "" : e.awsErrorDetails().errorCode();
            String detail = what + "HTTP " + e.statusCode() + " " + code;
            if (isTransient(e.statusCode(), code) || e.isThrottlingException()) throw new TransientException("Storage", detail, e);
            throw new StorageException(permanentName(e.statusCode(), code), detail, e.statusCode(), e);
        } catch (SdkClientException e) {
            // no answer from S3 (connection refused or reset, timeouts): I/O, worth a retry
            throw new TransientException("Storage", what + e.getMessage(), e);
        } catch (SdkException e) {
            throw new TransientException("Storage", what + e.getMessage(), e);
        }
    }

    /**
     * What a retry may cure, after the AWS SDK for Java v2's own retry conditions: 5xx, 429 and the
     * throttling and timeout error codes S3 sends (SlowDown comes as 503; RequestTimeout as 400).
     */
    static boolean isTransient(int status, String code) {
        return status >= 500 || status == 429 || TRANSIENT_CODES.contains(code);
    }

    private static final java.util.Set<String> TRANSIENT_CODES = java.util.Set.of("SlowDown", "Throttling", "ThrottlingException",
            "RequestLimitExceeded", "TooManyRequests", "RequestTimeout", "RequestTimeTooSkewed", "ExpiredToken", "InternalError",
            "ServiceUnavailable");

    /** The permanent name of a refused request: what a person has to fix. */
    static String permanentName(int status, String code) {
        if (status == 403) return "AccessDenied";
        if ("NoSuchBucket".equals(code)) return "NoSuchBucket";
        if (status == 404) return "NoSuchKey";
        return "BadRequest";
    }
}
