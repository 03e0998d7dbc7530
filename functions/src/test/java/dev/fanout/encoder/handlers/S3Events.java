package dev.fanout.encoder.handlers;

import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.RequestParametersEntity;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.ResponseElementsEntity;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3BucketEntity;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3Entity;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3EventNotificationRecord;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3ObjectEntity;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.UserIdentityEntity;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds {@link S3Event}s for tests: from an S3 notification JSON document (what Lambda's runtime
 * deserialises for the handler), or from a few fields.
 */
final class S3Events {
    private S3Events() {}

    static S3Event fromJson(JsonNode root) {
        List<S3EventNotificationRecord> records = new ArrayList<>();
        for (JsonNode r : root.path("Records")) {
            JsonNode s3 = r.path("s3");
            JsonNode bucket = s3.path("bucket");
            JsonNode object = s3.path("object");
            records.add(new S3EventNotificationRecord(
                    text(r, "awsRegion"), text(r, "eventName"), text(r, "eventSource"), text(r, "eventTime"), text(r, "eventVersion"),
                    new RequestParametersEntity(text(r.path("requestParameters"), "sourceIPAddress")),
                    new ResponseElementsEntity(text(r.path("responseElements"), "x-amz-id-2"), text(r.path("responseElements"), "x-amz-request-id")),
                    new S3Entity(text(s3, "configurationId"),
                            new S3BucketEntity(text(bucket, "name"), new UserIdentityEntity(text(bucket.path("ownerIdentity"), "principalId")), text(bucket, "arn")),
                            new S3ObjectEntity(text(object, "key"), object.path("size").isMissingNode() ? null : object.path("size").asLong(),
                                    text(object, "eTag"), text(object, "versionId"), text(object, "sequencer")),
                            text(s3, "s3SchemaVersion")),
                    new UserIdentityEntity(text(r.path("userIdentity"), "principalId"))));
        }
        return new S3Event(records);
    }

    /** One ObjectCreated:Put record per key (keys as S3 sends them: URL-encoded). */
    static S3Event of(String bucket, long size, String etag, String versionId, String... rawKeys) {
        List<S3EventNotificationRecord> records = new ArrayList<>();
        for (String key : rawKeys) {
            records.add(new S3EventNotificationRecord("eu-west-1", "ObjectCreated:Put", "aws:s3", "2024-07-14T09:21:37.518Z", "2.1",
                    new RequestParametersEntity("198.51.100.23"), new ResponseElementsEntity("id2", "reqid"),
                    new S3Entity("cfg", new S3BucketEntity(bucket, new UserIdentityEntity("owner"), "arn:aws:s3:::" + bucket),
                            new S3ObjectEntity(key, size, etag, versionId, "0066939A31791B1E2D"), "1.0"),
                    new UserIdentityEntity("AWS:uploader")));
        }
        return new S3Event(records);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
