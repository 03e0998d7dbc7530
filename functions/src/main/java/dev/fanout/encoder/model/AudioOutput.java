package dev.fanout.encoder.model;

/** The record the audio worker writes after its segments are uploaded. */
public record AudioOutput(double encodeSeconds, double uploadSeconds, TrackOutput track) {}
