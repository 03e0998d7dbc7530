package dev.fanout.encoder.model;

/** The uploaded object. {@code etag} pins the version a job was planned from. */
public record SourceRef(String bucket, String key, String etag, long sizeBytes) {}
