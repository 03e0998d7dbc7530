package dev.fanout.encoder.model;

/**
 * One output quality. {@code id} names it in URLs and the manifest (e.g. "720p").
 *
 * @param maxrateKbps  peak bitrate cap for the capped-CRF encode
 * @param bufsizeKbps  VBV buffer for that cap
 */
public record Rendition(String id, int width, int height, int maxrateKbps, int bufsizeKbps) {}
