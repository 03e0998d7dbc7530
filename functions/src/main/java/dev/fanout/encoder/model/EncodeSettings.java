package dev.fanout.encoder.model;

/** Encoder settings applied identically in every chunk (identical settings give identical init segments). */
public record EncodeSettings(String x264Preset, int crf, int audioBitrateKbps) {}
