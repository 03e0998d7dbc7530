package dev.fanout.local;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The manifests against the media, as a player reads them: the segment timeline is taken from
 * {@code manifest.mpd} (SegmentTemplate {@code @timescale}, {@code @startNumber},
 * {@code @presentationTimeOffset}, {@code @initialization}, {@code @media}, SegmentTimeline
 * {@code S@t/@d/@r}), every segment is addressed through its template (a wrong start number or
 * template names a file that is not there), and each segment's start and duration in the MPD must
 * equal, exactly, what its own boxes say: the earliest presentation time from {@code tfdt}, the
 * {@code trun} sample durations and composition offsets and the init's edit list, in the track's
 * {@code mdhd} timescale. The HLS media playlists likewise: each {@code EXTINF} and the running
 * sum of them against the same boxes. The boxes are read by {@link Mp4Boxes}, never by the
 * product's parser.
 *
 * <p>One exception is allowed, the one the DASH and HLS players expect: AAC priming. The first
 * audio segment's first samples present before 0 (the edit list hides them); its MPD start is 0
 * and its duration ends where the media ends.
 */
public final class ManifestTimelineCheck {

    /**
     * How far an EXTINF (a decimal number of seconds) and the sum of the EXTINFs before a segment
     * may be from the segment's own timing. RFC 8216 4.3.2.1: durations "SHOULD be
     * decimal-floating-point, with enough accuracy to avoid perceptible error when segment
     * durations are accumulated". 1 ms allows millisecond decimals yet is far below one video frame
     * (16.7 ms at 60 fps) and one AAC frame (21.3 ms), the smallest mistakes a producer can make.
     */
    static final double HLS_TOLERANCE_SECONDS = 0.001;

    /** A segment the MPD describes: its number, the file its template names, and the MPD's start and duration. */
    record MpdSegment(long number, Path file, long start, long duration) {}

    /** One Representation's timeline as the MPD gives it. */
    record MpdTrack(String adaptationType, String representationId, Path init, long timescale, long presentationTimeOffset,
                    List<MpdSegment> segments) {}

    private ManifestTimelineCheck() {}

    /** Checks manifest.mpd and, when present, master.m3u8 of a job folder against the segments on disk. */
    public static void assertManifestsMatchMedia(Path jobDir) throws Exception {
        Path mpd = jobDir.resolve("manifest.mpd");
        List<MpdTrack> tracks = readMpd(mpd);
        assertTrue(!tracks.isEmpty(), "manifest.mpd describes at least one representation");
        for (MpdTrack t : tracks) assertTrackMatchesMedia(t);
        assertEverySegmentFileReferenced(tracks);
        assertVideoEndsAtPresentationDuration(mpd, tracks);
        Path master = jobDir.resolve("master.m3u8");
        if (Files.exists(master)) assertHlsMatchesMedia(master, tracks);
    }

    // ---- DASH ----

    static List<MpdTrack> readMpd(Path mpd) throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(mpd.toFile());
        Element root = doc.getDocumentElement();
        assertEquals("static", root.getAttribute("type"), "a VOD presentation");
        List<MpdTrack> out = new ArrayList<>();
        for (Element period : children(root, "Period")) {
            for (Element set : children(period, "AdaptationSet")) {
                for (Element rep : children(set, "Representation")) {
                    out.add(track(mpd.getParent(), period, set, rep));
                }
            }
        }
        return out;
    }

    /** SegmentTemplate attributes are inherited Period → AdaptationSet → Representation (ISO/IEC 23009-1, 5.3.9.1). */
    private static MpdTrack track(Path base, Element period, Element set, Element rep) {
        List<Element> templates = Stream.of(rep, set, period).map(e -> first(e, "SegmentTemplate")).filter(e -> e != null).toList();
        assertTrue(!templates.isEmpty(), "representation " + rep.getAttribute("id") + " has a SegmentTemplate");
        Map<String, String> attr = new HashMap<>();
        Element timeline = null;
        for (Element tpl : templates.reversed()) { // outermost first, inner levels override
            var a = tpl.getAttributes();
            for (int i = 0; i < a.getLength(); i++) attr.put(a.item(i).getNodeName(), a.item(i).getNodeValue());
            Element tl = first(tpl, "SegmentTimeline");
            if (tl != null) timeline = tl;
        }
        String id = rep.getAttribute("id");
        String bandwidth = rep.getAttribute("bandwidth");
        assertTrue(timeline != null, id + ": a SegmentTimeline");
        assertTrue(attr.containsKey("media") && attr.containsKey("initialization"), id + ": @media and @initialization");
        long timescale = Long.parseLong(attr.getOrDefault("timescale", "1"));
        long startNumber = Long.parseLong(attr.getOrDefault("startNumber", "1"));
        long pto = Long.parseLong(attr.getOrDefault("presentationTimeOffset", "0"));
        List<MpdSegment> segments = new ArrayList<>();
        long number = startNumber;
        long next = 0;
        for (Element s : children(timeline, "S")) {
            long t = s.hasAttribute("t") ? Long.parseLong(s.getAttribute("t")) : next;
            long d = Long.parseLong(s.getAttribute("d"));
            int r = s.hasAttribute("r") ? Integer.parseInt(s.getAttribute("r")) : 0;
            assertTrue(r >= 0, id + ": S@r = " + r + " (open-ended repeats are for live presentations)");
            for (int i = 0; i <= r; i++, number++) {
                long start = t + i * d;
                segments.add(new MpdSegment(number, base.resolve(substitute(attr.get("media"), id, bandwidth, number, start)), start, d));
            }
            next = t + (r + 1L) * d;
        }
        String type = set.getAttribute("contentType");
        return new MpdTrack(type, id, base.resolve(substitute(attr.get("initialization"), id, bandwidth, 0, 0)), timescale, pto, segments);
    }

    private static final Pattern IDENTIFIER = Pattern.compile("\\$(RepresentationID|Number|Time|Bandwidth|)(%0(\\d+)d)?\\$");

    /** Template identifiers, ISO/IEC 23009-1 5.3.9.4.4: $RepresentationID$, $Number$, $Time$, $Bandwidth$, with %0Nd widths, and $$. */
    static String substitute(String template, String id, String bandwidth, long number, long time) {
        Matcher m = IDENTIFIER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = switch (m.group(1)) {
                case "RepresentationID" -> id;
                case "Number" -> width(number, m.group(3));
                case "Time" -> width(time, m.group(3));
                case "Bandwidth" -> width(Long.parseLong(bandwidth), m.group(3));
                default -> "$";
            };
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String width(long v, String digits) {
        return digits == null ? Long.toString(v) : String.format(Locale.ROOT, "%0" + Integer.parseInt(digits) + "d", v);
    }

    /** Every segment's MPD start and duration against its boxes, as exact fractions of a second. */
    static void assertTrackMatchesMedia(MpdTrack t) throws IOException {
        String who = t.adaptationType() + " " + t.representationId();
        assertTrue(Files.isRegularFile(t.init()), who + ": the init segment its template names exists: " + t.init());
        Mp4Boxes.Init init = Mp4Boxes.readInit(t.init());
        assertTrue(!t.segments().isEmpty(), who + ": the timeline has segments");
        for (int k = 0; k < t.segments().size(); k++) {
            MpdSegment s = t.segments().get(k);
            String at = who + " segment " + s.number() + " (" + s.file().getFileName() + ")";
            assertTrue(Files.isRegularFile(s.file()), at + ": the file the MPD's template names exists");
            Mp4Boxes.Segment media = Mp4Boxes.readSegment(s.file(), init);
            long start = media.earliestPresentation(init);
            long end = start + media.duration();
            long mpdStart = s.start() - t.presentationTimeOffset();
            long mpdEnd = mpdStart + s.duration();
            boolean priming = k == 0 && start < 0 && mpdStart == 0 && "audio".equals(t.adaptationType());
            if (!priming) {
                assertSameInstant(mpdStart, t.timescale(), start, init.timescale(),
                        at + ": MPD start " + mpdStart + "/" + t.timescale() + " s vs the segment's own (tfdt, trun, edit list) " + start + "/" + init.timescale() + " s");
            }
            assertSameInstant(mpdEnd, t.timescale(), end, init.timescale(),
                    at + ": MPD end (t + d) " + mpdEnd + "/" + t.timescale() + " s vs the segment's own (tfdt + trun durations) " + end + "/" + init.timescale() + " s");
        }
    }

    private static void assertSameInstant(long a, long aScale, long b, long bScale, String message) {
        assertEquals(Math.multiplyExact(a, bScale), Math.multiplyExact(b, aScale), message);
    }

    /** No media segment on disk that the MPD does not address (a wrong start number would leave one out). */
    static void assertEverySegmentFileReferenced(List<MpdTrack> tracks) throws IOException {
        Set<Path> referenced = new TreeSet<>();
        Set<Path> dirs = new TreeSet<>();
        for (MpdTrack t : tracks) {
            for (MpdSegment s : t.segments()) { referenced.add(s.file().normalize()); dirs.add(s.file().normalize().getParent()); }
        }
        for (Path dir : dirs) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".m4s")).toList()) {
                    assertTrue(referenced.contains(f.normalize()), "segment file " + f + " is addressed by the MPD's timeline");
                }
            }
        }
    }

    /** The video timeline ends at @mediaPresentationDuration (written to the millisecond). */
    static void assertVideoEndsAtPresentationDuration(Path mpd, List<MpdTrack> tracks) throws Exception {
        Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(mpd.toFile()).getDocumentElement();
        double declared = Duration.parse(root.getAttribute("mediaPresentationDuration")).toNanos() / 1e9;
        for (MpdTrack t : tracks) {
            if (!"video".equals(t.adaptationType())) continue;
            MpdSegment last = t.segments().get(t.segments().size() - 1);
            double end = (double) (last.start() + last.duration() - t.presentationTimeOffset()) / t.timescale();
            assertEquals(declared, end, 0.0005 + 1e-9, t.representationId() + ": the timeline ends at mediaPresentationDuration");
        }
    }

    // ---- HLS ----

    /** A media playlist: its init (EXT-X-MAP), target duration, and each segment's file and EXTINF. */
    record HlsMedia(Path playlist, Path init, int targetDuration, List<Path> files, List<Double> extinf) {}

    static void assertHlsMatchesMedia(Path master, List<MpdTrack> tracks) throws IOException {
        List<Path> mediaPlaylists = new ArrayList<>();
        List<String> lines = Files.readAllLines(master);
        Pattern uriAttr = Pattern.compile("URI=\"([^\"]+)\"");
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.startsWith("#EXT-X-MEDIA:")) {
                Matcher m = uriAttr.matcher(l);
                if (m.find()) mediaPlaylists.add(master.resolveSibling(m.group(1)));
            } else if (l.startsWith("#EXT-X-STREAM-INF:")) {
                mediaPlaylists.add(master.resolveSibling(lines.get(i + 1).strip()));
            }
        }
        Map<List<Path>, MpdTrack> bySegments = new LinkedHashMap<>();
        for (MpdTrack t : tracks) bySegments.put(t.segments().stream().map(s -> s.file().normalize()).toList(), t);
        assertEquals(tracks.size(), mediaPlaylists.size(), "one HLS media playlist per DASH representation: " + mediaPlaylists);
        for (Path p : mediaPlaylists) {
            HlsMedia media = readMediaPlaylist(p);
            MpdTrack same = bySegments.get(media.files());
            assertTrue(same != null, p + " lists the segments of one DASH representation, in order: " + media.files());
            assertEquals(same.init().normalize(), media.init(), p + ": EXT-X-MAP is the representation's init segment");
            assertExtinfMatchesMedia(media);
        }
    }

    static HlsMedia readMediaPlaylist(Path p) throws IOException {
        Path init = null;
        int target = -1;
        List<Path> files = new ArrayList<>();
        List<Double> extinf = new ArrayList<>();
        Double pending = null;
        for (String raw : Files.readAllLines(p)) {
            String l = raw.strip();
            if (l.startsWith("#EXT-X-MAP:")) {
                Matcher m = Pattern.compile("URI=\"([^\"]+)\"").matcher(l);
                assertTrue(m.find(), p + ": EXT-X-MAP has a URI");
                init = p.resolveSibling(m.group(1)).normalize();
            } else if (l.startsWith("#EXT-X-TARGETDURATION:")) {
                target = Integer.parseInt(l.substring(l.indexOf(':') + 1));
            } else if (l.startsWith("#EXTINF:")) {
                pending = Double.parseDouble(l.substring(8, l.indexOf(',')));
            } else if (!l.isEmpty() && !l.startsWith("#")) {
                assertTrue(pending != null, p + ": " + l + " has an EXTINF");
                files.add(p.resolveSibling(l).normalize());
                extinf.add(pending);
                pending = null;
            }
        }
        assertTrue(init != null && target > 0, p + ": EXT-X-MAP and EXT-X-TARGETDURATION");
        return new HlsMedia(p, init, target, files, extinf);
    }

    /**
     * Each EXTINF is the segment's presented duration, and the EXTINFs before a segment add up to
     * its presentation start (players place segments by that sum), within {@link #HLS_TOLERANCE_SECONDS};
     * and each EXTINF rounded to an integer is at most the target duration (RFC 8216 4.3.3.1, a MUST).
     */
    static void assertExtinfMatchesMedia(HlsMedia media) throws IOException {
        Mp4Boxes.Init init = Mp4Boxes.readInit(media.init());
        double sum = 0;
        for (int k = 0; k < media.files().size(); k++) {
            Path f = media.files().get(k);
            String at = media.playlist() + " segment " + (k + 1) + " (" + f.getFileName() + ")";
            Mp4Boxes.Segment s = Mp4Boxes.readSegment(f, init);
            long startTicks = s.earliestPresentation(init);
            long endTicks = startTicks + s.duration();
            // the priming samples of the first AAC segment present before 0: not part of the playlist's time
            double start = Math.max(0, (double) startTicks / init.timescale());
            double end = (double) endTicks / init.timescale();
            double extinf = media.extinf().get(k);
            assertEquals(end - start, extinf, HLS_TOLERANCE_SECONDS, at + ": EXTINF vs the segment's trun durations");
            assertEquals(start, sum, HLS_TOLERANCE_SECONDS, at + ": the sum of the EXTINFs before it vs its tfdt-based start");
            assertTrue(Math.round(extinf) <= media.targetDuration(), at + ": EXTINF " + extinf + " rounds to at most EXT-X-TARGETDURATION " + media.targetDuration());
            sum += extinf;
        }
    }

    // ---- XML ----

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) out.add(e);
        }
        return out;
    }

    private static Element first(Element parent, String name) {
        List<Element> c = children(parent, name);
        return c.isEmpty() ? null : c.get(0);
    }
}
