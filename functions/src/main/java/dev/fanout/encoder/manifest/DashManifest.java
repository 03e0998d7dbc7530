package dev.fanout.encoder.manifest;

import java.util.List;
import java.util.Locale;

/**
 * Writes {@code manifest.mpd}: a static MPEG-DASH presentation (ISO/IEC 23009-1, live profile),
 * a video adaptation set per codec with a representation per rendition, and one audio adaptation
 * set per audio rendition (numbered after the video sets), then one text adaptation set per
 * subtitle track (numbered after the audio sets),
 * each with a SegmentTemplate ($RepresentationID$, $Number$) and an explicit SegmentTimeline.
 * Pure: the same presentation always gives the same text.
 */
public final class DashManifest {
    private DashManifest() {}

    public static final String SEGMENT_PATTERN = "seg-$Number%05d$.m4s";

    public static String render(Presentation p) {
        StringBuilder x = new StringBuilder(4096);
        x.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        x.append("<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" profiles=\"urn:mpeg:dash:profile:isoff-live:2011\" type=\"static\"")
                .append(" mediaPresentationDuration=\"").append(duration(p.durationSeconds())).append('"')
                .append(" minBufferTime=\"").append(duration(2 * p.segmentSeconds())).append("\">\n");
        x.append("  <Period id=\"0\" start=\"PT0S\">\n");

        Presentation.VideoSet v = p.video();
        // One adaptation set per codec: a player switches among the representations of a set, which
        // must all be decodable by one decoder, and takes the set whose codecs it supports (DASH-IF
        // IOP v4.2, https://dashif.org/docs/DASH-IF-IOP-v4.2-clean.htm, puts H.264 and HEVC in
        // separate adaptation sets, 3.8 / its adaptation-set-switching example). All share the one
        // timeline the assembler proved, so their segments are aligned across codecs too.
        int id = 0;
        for (List<Presentation.Representation> reps : v.byCodec().values()) videoSet(x, id++, v, reps);

        int setId = id; // after the video sets, one per codec
        for (Presentation.AudioSet a : p.audio()) {
            // @lang: RFC 5646 (ISO/IEC 23009-1 5.3.3.2). With several audio sets each also says who it
            // is for: Label (a name for a menu), Role main/alternate (urn:mpeg:dash:role:2011, 5.8.5.5)
            // and @selectionPriority (higher first), which players use to pick the default
            x.append("    <AdaptationSet id=\"").append(setId++).append("\" contentType=\"audio\" mimeType=\"audio/mp4\" lang=\"")
                    .append(xml(a.language())).append('"');
            if (a.several()) x.append(" selectionPriority=\"").append(a.main() ? 2 : 1).append('"');
            x.append(" segmentAlignment=\"true\" startWithSAP=\"1\">\n");
            if (a.several()) {
                x.append("      <Label>").append(xml(a.name())).append("</Label>\n");
                x.append("      <Role schemeIdUri=\"urn:mpeg:dash:role:2011\" value=\"").append(a.main() ? "main" : "alternate").append("\"/>\n");
            }
            template(x, a.timescale(), a.id() + "/init.mp4", a.id() + "/" + SEGMENT_PATTERN, a.timeline());
            x.append("      <Representation id=\"").append(xml(a.id())).append("\" codecs=\"").append(a.codecs()).append("\" bandwidth=\"").append(a.bandwidth())
                    .append("\" audioSamplingRate=\"").append(a.sampleRate()).append("\">\n");
            x.append("        <AudioChannelConfiguration schemeIdUri=\"urn:mpeg:dash:23003:3:audio_channel_configuration:2011\" value=\"")
                    .append(a.channels()).append("\"/>\n");
            x.append("      </Representation>\n");
            x.append("    </AdaptationSet>\n");
        }
        text(x, p.text(), setId); // after the audio sets
        x.append("  </Period>\n</MPD>\n");
        return x.toString();
    }

    /**
     * One text AdaptationSet per subtitle track: the whole track is one WebVTT file, named by the
     * Representation's BaseURL ("sidecar" WebVTT; DASH-IF IOP v3.2+ §6.4.2 notes it and leaves its
     * playback to the players, and dash.js and Shaka Player play this form: contentType text,
     * mimeType text/vtt, lang, Role subtitle, one Representation with a @bandwidth and a BaseURL,
     * as in Dash-Industry-Forum/dash.js#1614 and gpac/gpac#2197). A separate AdaptationSet per
     * track, as ISO/IEC 23009-1 wants for different languages, so each is its own menu entry.
     */
    private static void text(StringBuilder x, List<Presentation.TextTrack> tracks, int firstId) {
        int id = firstId;
        for (Presentation.TextTrack t : tracks) {
            x.append("    <AdaptationSet id=\"").append(id++).append("\" contentType=\"text\" mimeType=\"text/vtt\" lang=\"")
                    .append(xml(t.language())).append("\">\n");
            x.append("      <Label>").append(xml(t.label())).append("</Label>\n");
            x.append("      <Role schemeIdUri=\"urn:mpeg:dash:role:2011\" value=\"subtitle\"/>\n");
            x.append("      <Representation id=\"text-").append(xml(t.id())).append("\" bandwidth=\"").append(t.bandwidth()).append("\">\n");
            x.append("        <BaseURL>").append(xml(t.path())).append("</BaseURL>\n");
            x.append("      </Representation>\n");
            x.append("    </AdaptationSet>\n");
        }
    }

    private static void videoSet(StringBuilder x, int id, Presentation.VideoSet v, List<Presentation.Representation> reps) {
        int maxW = reps.stream().mapToInt(Presentation.Representation::width).max().orElse(0);
        int maxH = reps.stream().mapToInt(Presentation.Representation::height).max().orElse(0);
        x.append("    <AdaptationSet id=\"").append(id).append("\" contentType=\"video\" mimeType=\"video/mp4\" segmentAlignment=\"true\" startWithSAP=\"1\"")
                .append(" maxWidth=\"").append(maxW).append("\" maxHeight=\"").append(maxH).append('"')
                .append(" frameRate=\"").append(frameRate(v)).append('"');
        // @par must equal width × sar / height of every representation; even sizes can break that (854x480 is not 16:9)
        List<String> aspects = reps.stream().map(r -> pictureAspect(r.width(), r.height())).distinct().toList();
        if (aspects.size() == 1) x.append(" par=\"").append(aspects.get(0)).append('"');
        x.append(">\n");
        template(x, v.timescale(), "video/$RepresentationID$/init.mp4", "video/$RepresentationID$/" + SEGMENT_PATTERN, v.timeline());
        for (Presentation.Representation r : reps) {
            x.append("      <Representation id=\"").append(r.id()).append("\" codecs=\"").append(r.codecs())
                    .append("\" bandwidth=\"").append(r.bandwidth()).append("\" width=\"").append(r.width())
                    .append("\" height=\"").append(r.height()).append("\" sar=\"1:1\"/>\n");
        }
        x.append("    </AdaptationSet>\n");
    }

    private static void template(StringBuilder x, long timescale, String init, String media, List<Presentation.TimelineRun> runs) {
        x.append("      <SegmentTemplate timescale=\"").append(timescale).append("\" initialization=\"").append(init)
                .append("\" media=\"").append(media).append("\" startNumber=\"1\">\n");
        x.append("        <SegmentTimeline>\n");
        for (Presentation.TimelineRun run : runs) {
            x.append("          <S t=\"").append(run.t()).append("\" d=\"").append(run.d()).append('"');
            if (run.r() > 0) x.append(" r=\"").append(run.r()).append('"');
            x.append("/>\n");
        }
        x.append("        </SegmentTimeline>\n");
        x.append("      </SegmentTemplate>\n");
    }

    private static String frameRate(Presentation.VideoSet v) {
        return v.frameRate().den() == 1 ? Long.toString(v.frameRate().num()) : v.frameRate().num() + "/" + v.frameRate().den();
    }

    private static String pictureAspect(int w, int h) {
        int g = java.math.BigInteger.valueOf(w).gcd(java.math.BigInteger.valueOf(h)).intValue();
        return g == 0 ? "1:1" : (w / g) + ":" + (h / g);
    }

    /** Text as XML character data or an attribute value. */
    static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&apos;");
    }

    /** xs:duration with millisecond precision, e.g. PT1M2.335S. */
    static String duration(double seconds) {
        long ms = Math.round(seconds * 1000);
        long h = ms / 3_600_000, m = (ms / 60_000) % 60;
        double s = (ms % 60_000) / 1000.0;
        StringBuilder b = new StringBuilder("PT");
        if (h > 0) b.append(h).append('H');
        if (m > 0) b.append(m).append('M');
        b.append(String.format(Locale.ROOT, "%.3f", s).replaceAll("\\.?0+$", "")).append('S');
        return b.toString();
    }
}
