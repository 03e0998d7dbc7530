package dev.fanout.encoder.model;

/** The record the audio worker writes after its segments are uploaded; {@code sourceBytesRead}: what its ffmpeg read of the source. */
public record AudioOutput(double encodeSeconds, double uploadSeconds, TrackOutput track, long sourceBytesRead) {}
