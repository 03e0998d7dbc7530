package dev.fanout.encoder.manifest;

import dev.fanout.encoder.model.Rational;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DashManifestTest {
    @Test
    void writesAParseableStaticMpdWithTimelines() throws Exception {
        Presentation p = Presentation.of(7.007, 2.002,
                new Presentation.VideoSet(30000, Rational.of(30000, 1001),
                        List.of(new Presentation.Representation("360p", "avc1.64001e", 640, 360, 700000, 1, 800)),
                        List.of(new Presentation.TimelineRun(0, 60060, 2), new Presentation.TimelineRun(180180, 30030, 0))),
                new Presentation.AudioSet(48000, "mp4a.40.2", 48000, 2, 130000, 1,
                        List.of(new Presentation.TimelineRun(0, 95232, 0))));
        String xml = DashManifest.render(p);
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        Element mpd = doc.getDocumentElement();
        assertEquals("urn:mpeg:dash:schema:mpd:2011", mpd.getNamespaceURI());
        assertEquals("static", mpd.getAttribute("type"));
        assertEquals("PT7.007S", mpd.getAttribute("mediaPresentationDuration"));
        assertEquals(2, doc.getElementsByTagName("AdaptationSet").getLength());
        assertEquals(3, doc.getElementsByTagName("S").getLength());
        assertEquals("2", ((Element) doc.getElementsByTagName("S").item(0)).getAttribute("r"));
        assertTrue(xml.contains("frameRate=\"30000/1001\""));
        assertTrue(xml.contains("media=\"video/$RepresentationID$/seg-$Number%05d$.m4s\""));
    }

    @Test
    void durationsAreXsDurations() {
        assertEquals("PT0S", DashManifest.duration(0));
        assertEquals("PT10S", DashManifest.duration(10));
        assertEquals("PT1M2.5S", DashManifest.duration(62.5));
        assertEquals("PT2H0.01S", DashManifest.duration(7200.01));
    }

    @Test
    void pictureAspectOnlyWhenEveryRepresentationHasIt() {
        Presentation.Representation hd = new Presentation.Representation("720p", "avc1.64001f", 1280, 720, 3_000_000, 1, 3500);
        Presentation.Representation sd = new Presentation.Representation("360p", "avc1.64001e", 640, 360, 900_000, 1, 1000);
        Presentation.Representation odd = new Presentation.Representation("480p", "avc1.64001f", 854, 480, 1_500_000, 1, 1800);
        List<Presentation.TimelineRun> t = List.of(new Presentation.TimelineRun(0, 60, 0));
        String same = DashManifest.render(Presentation.of(2, 2, new Presentation.VideoSet(30, Rational.of(30, 1), List.of(hd, sd), t), null));
        assertTrue(same.contains(" par=\"16:9\""), same);
        String mixed = DashManifest.render(Presentation.of(2, 2, new Presentation.VideoSet(30, Rational.of(30, 1), List.of(hd, odd, sd), t), null));
        assertTrue(!mixed.contains(" par="), "854x480 is 427:240, not 16:9: no common @par\n" + mixed);
    }
}
