package dev.fanout.encoder.model;

/**
 * One output quality of one codec. {@code id} names it in URLs and the manifest: "720p" for H.264
 * (the layout every job had before other codecs), "720p-hevc", "720p-av1" for the others.
 *
 * @param maxrateKbps  peak bitrate cap for the capped-CRF encode
 * @param bufsizeKbps  VBV buffer for that cap
 * @param codec        the video codec it is encoded with (absent in plans written before codecs: H.264)
 */
public record Rendition(String id, int width, int height, int maxrateKbps, int bufsizeKbps, VideoCodec codec) {

    public Rendition {
        if (codec == null) codec = VideoCodec.H264;
    }

    /** An H.264 rendition. */
    public Rendition(String id, int width, int height, int maxrateKbps, int bufsizeKbps) {
        this(id, width, height, maxrateKbps, bufsizeKbps, VideoCodec.H264);
    }

    /** The id of a rung's rendition in a codec: H.264 keeps the plain "720p". */
    public static String idFor(String rungId, VideoCodec codec) {
        return codec == VideoCodec.H264 ? rungId : rungId + "-" + codec.id;
    }
}
