package dev.fanout.encoder.manifest;

import dev.fanout.encoder.model.JobLayout;
import dev.fanout.encoder.model.Rational;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * How a player finds each segment from the manifest and the playlists: the MPD's template
 * number of the n-th timeline entry is the number in the file name a worker uploaded
 * (JobLayout.segmentFile), and each HLS EXTINF is that segment's own length.
 */
class ManifestNumberingTest {
    static Presentation presentation(long timescale, List<Presentation.TimelineRun> video) {
        return Presentation.of(7.007, 2.002,
                new Presentation.VideoSet(timescale, Rational.of(30000, 1001),
                        List.of(new Presentation.Representation("360p", "avc1.64001e", 640, 360, 700000, 1, 800)), video),
                new Presentation.AudioSet(48000, "mp4a.40.2", 48000, 2, 130000, 1, List.of(new Presentation.TimelineRun(0, 95232, 0))));
    }

    static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    /** The URL of each video segment as a DASH client forms it: $Number$ counts from startNumber along the timeline. */
    static List<String> dashSegmentFiles(Document mpd) {
        Element template = (Element) mpd.getElementsByTagName("SegmentTemplate").item(0);
        long number = Long.parseLong(template.getAttribute("startNumber").isEmpty() ? "1" : template.getAttribute("startNumber"));
        String media = template.getAttribute("media");
        NodeList s = template.getElementsByTagName("S");
        List<String> files = new ArrayList<>();
        for (int i = 0; i < s.getLength(); i++) {
            Element e = (Element) s.item(i);
            int repeat = e.getAttribute("r").isEmpty() ? 0 : Integer.parseInt(e.getAttribute("r"));
            for (int k = 0; k <= repeat; k++, number++) {
                files.add(media.replace("$RepresentationID$", "360p").replace("$Number%05d$", String.format("%05d", number)));
            }
        }
        return files;
    }

    @Test
    void theMpdsSegmentNumbersAreTheUploadedFileNames() throws Exception {
        List<Presentation.TimelineRun> runs = List.of(new Presentation.TimelineRun(0, 60060, 2), new Presentation.TimelineRun(180180, 30030, 0));
        Document mpd = parse(DashManifest.render(presentation(30000, runs)));
        assertEquals(List.of("video/360p/" + JobLayout.segmentFile(1), "video/360p/" + JobLayout.segmentFile(2),
                "video/360p/" + JobLayout.segmentFile(3), "video/360p/" + JobLayout.segmentFile(4)), dashSegmentFiles(mpd));
    }

    @Test
    void aSingleEntryRunHasNoRepeatCount() throws Exception {
        Document mpd = parse(DashManifest.render(presentation(30000,
                List.of(new Presentation.TimelineRun(0, 60060, 1), new Presentation.TimelineRun(120120, 30030, 0)))));
        Element last = (Element) mpd.getElementsByTagName("S").item(1);
        assertEquals("", last.getAttribute("r"), "@r is the number of repeats after the first: 0 is left out");
        assertEquals("120120", last.getAttribute("t"));
        assertEquals("30030", last.getAttribute("d"));
    }

    @Test
    void thePlayerBuffersTwoSegmentsBeforeItStarts() throws Exception {
        Document mpd = parse(DashManifest.render(presentation(30000, List.of(new Presentation.TimelineRun(0, 60060, 2)))));
        assertEquals("PT4.004S", mpd.getDocumentElement().getAttribute("minBufferTime"), "2 × 2.002 s segments");
    }

    @Test
    void eachExtinfIsItsSegmentsLengthToTheMicrosecondAndTheyAddUpExactly() {
        // one frame at 30000/1001 is 33366.67 µs: rounded per boundary the lengths alternate 33367, 33366, 33367
        String media = HlsPlaylists.media(30000, List.of(new Presentation.TimelineRun(0, 1001, 2)));
        List<BigDecimal> d = HlsPlaylistsTest.parseMedia(media).durations();
        assertEquals(List.of(new BigDecimal("0.033367"), new BigDecimal("0.033366"), new BigDecimal("0.033367")), d);
        assertEquals(new BigDecimal("0.100100"), d.stream().reduce(BigDecimal.ZERO, BigDecimal::add), "3003/30000 s exactly");
        // a timeline that does not start at 0 (a later period's): the same lengths
        String later = HlsPlaylists.media(30000, List.of(new Presentation.TimelineRun(3003, 1001, 2)));
        assertEquals(List.of(new BigDecimal("0.033367"), new BigDecimal("0.033366"), new BigDecimal("0.033367")),
                HlsPlaylistsTest.parseMedia(later).durations());
    }

    @Test
    void averageBandwidthIsOverTheTimelinesOwnLength() {
        // 1,000,000 bytes over 2 s of timeline that starts at 10 s: 4 Mbit/s
        assertEquals(4_000_000, HlsPlaylists.averageBandwidth(1_000_000, 1000, List.of(new Presentation.TimelineRun(10_000, 1000, 1))));
    }
}
