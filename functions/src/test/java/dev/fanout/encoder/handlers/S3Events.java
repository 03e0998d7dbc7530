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
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.encoder.storage.Json;

import java.util.ArrayList;
import java.util.List;

/**
 * S3 events for tests: the SDK model of an S3 notification JSON document (to check a sample
 * event's fields), or the JSON S3 delivers, built from a few fields.
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

    /** One ObjectCreated:Put record per key (keys as S3 sends them: URL-encoded), as the JSON S3 delivers. */
    static ObjectNode of(String bucket, long size, String etag, String versionId, String... rawKeys) {
        ObjectNode event = Json.MAPPER.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (String key : rawKeys) {
            ObjectNode r = records.addObject().put("eventVersion", "2.1").put("eventSource", "aws:s3").put("awsRegion", "eu-west-1")
                    .put("eventTime", "2024-07-14T09:21:37.518Z").put("eventName", "ObjectCreated:Put");
            r.putObject("userIdentity").put("principalId", "AWS:uploader");
            ObjectNode s3 = r.putObject("s3").put("s3SchemaVersion", "1.0").put("configurationId", "cfg");
            s3.putObject("bucket").put("name", bucket).put("arn", "arn:aws:s3:::" + bucket).putObject("ownerIdentity").put("principalId", "owner");
            ObjectNode object = s3.putObject("object").put("key", key).put("size", size).put("eTag", etag).put("sequencer", "0066939A31791B1E2D");
            if (versionId != null) object.put("versionId", versionId);
        }
        return event;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
