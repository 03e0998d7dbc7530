package dev.fanout.encoder.model;

import java.util.List;

/**
 * One encoded track (a video rendition of one chunk, or the whole audio track) as uploaded.
 *
 * @param trackId    rendition id, or "audio"
 * @param initSha256 hash of the init segment; equal across chunks for a rendition
 * @param codecs     RFC 6381 codecs string read from the init segment (e.g. avc1.64001f)
 */
public record TrackOutput(String trackId, String initSha256, String codecs, int width, int height,
                          int sampleRate, int channels, long timescale, List<SegmentOutput> segments) {}
