package dev.fanout.encoder.manifest;

import dev.fanout.encoder.model.Rational;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Several audio renditions in the MPD (one AdaptationSet each) and in HLS (one EXT-X-MEDIA each, one group). */
class ManifestAudioTracksTest {
    static final List<Presentation.TimelineRun> T = List.of(new Presentation.TimelineRun(0, 96256, 2));

    static Presentation twoLanguages() {
        return new Presentation(6, 2,
                new Presentation.VideoSet(30, Rational.of(30, 1),
                        List.of(new Presentation.Representation("360p", "avc1.64001e", 640, 360, 700000, 1, 800),
                                new Presentation.Representation("240p", "avc1.64001e", 426, 240, 400000, 1, 400)),
                        List.of(new Presentation.TimelineRun(0, 60, 2))),
                List.of(new Presentation.AudioSet(48000, "mp4a.40.2", 48000, 2, 130000, 40000, T, "audio", "en", "English", false, true),
                        new Presentation.AudioSet(48000, "mp4a.40.2", 48000, 2, 150000, 50000, T, "audio-de", "de", "Deutsch & <Kommentar>", true, true)));
    }

    @Test
    void eachAudioRenditionIsAnAdaptationSetWithItsLanguageLabelAndRole() throws Exception {
        String xml = DashManifest.render(twoLanguages());
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        List<Element> audio = new ArrayList<>();
        NodeList sets = doc.getElementsByTagName("AdaptationSet");
        for (int i = 0; i < sets.getLength(); i++) {
            Element s = (Element) sets.item(i);
            if (s.getAttribute("contentType").equals("audio")) audio.add(s);
        }
        assertEquals(2, audio.size(), xml);
        assertEquals(List.of("1", "2"), audio.stream().map(s -> s.getAttribute("id")).toList(), "the page finds rendition i as set i + 1");
        assertEquals(List.of("en", "de"), audio.stream().map(s -> s.getAttribute("lang")).toList());
        assertEquals(List.of("English", "Deutsch & <Kommentar>"), audio.stream().map(s -> s.getElementsByTagName("Label").item(0).getTextContent()).toList());
        assertEquals(List.of("alternate", "main"), audio.stream().map(s -> ((Element) s.getElementsByTagName("Role").item(0)).getAttribute("value")).toList());
        assertEquals(List.of("1", "2"), audio.stream().map(s -> s.getAttribute("selectionPriority")).toList(), "the default first");
        Element deTemplate = (Element) audio.get(1).getElementsByTagName("SegmentTemplate").item(0);
        assertEquals("audio-de/init.mp4", deTemplate.getAttribute("initialization"));
        assertEquals("audio-de/seg-$Number%05d$.m4s", deTemplate.getAttribute("media"));
        assertEquals("audio-de", ((Element) audio.get(1).getElementsByTagName("Representation").item(0)).getAttribute("id"));
        // ISO/IEC 23009-1 schema order in an AdaptationSet: Label (RepresentationBase) before Role before SegmentTemplate
        assertTrue(xml.indexOf("<Label>Deutsch") < xml.indexOf("value=\"main\"") && xml.indexOf("value=\"main\"") < xml.indexOf("audio-de/init.mp4"), xml);
    }

    @Test
    void hlsHasOneAudioGroupWithEveryLanguageAndOneDefault() {
        List<HlsPlaylists.Playlist> all = HlsPlaylists.render(twoLanguages());
        assertEquals(List.of("video/360p/playlist.m3u8", "video/240p/playlist.m3u8", "audio/playlist.m3u8", "audio-de/playlist.m3u8", "master.m3u8"),
                all.stream().map(HlsPlaylists.Playlist::path).toList(), "media playlists before the master");
        String master = all.get(all.size() - 1).text();
        List<String> media = master.lines().filter(l -> l.startsWith("#EXT-X-MEDIA:")).toList();
        assertEquals(List.of(
                "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",LANGUAGE=\"en\",NAME=\"English\",DEFAULT=NO,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"audio/playlist.m3u8\"",
                "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",LANGUAGE=\"de\",NAME=\"Deutsch & <Kommentar>\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"audio-de/playlist.m3u8\""),
                media);
        List<String> variants = master.lines().filter(l -> l.startsWith("#EXT-X-STREAM-INF:")).toList();
        assertEquals(2, variants.size());
        for (String v : variants) {
            assertTrue(v.contains("AUDIO=\"audio\""), v);
            assertTrue(v.contains("CODECS=\"avc1.64001e,mp4a.40.2\""), "one audio codec named once: " + v);
        }
        // the variant's peak is its video's plus the highest audio rendition's (any may play with it)
        assertTrue(variants.get(0).startsWith("#EXT-X-STREAM-INF:BANDWIDTH=850000,"), variants.get(0));
    }

    @Test
    void oneAudioTrackKeepsTheSingleTrackManifests() {
        Presentation one = new Presentation(6, 2, twoLanguages().video(),
                List.of(new Presentation.AudioSet(48000, "mp4a.40.2", 48000, 2, 130000, 40000, T)));
        String xml = DashManifest.render(one);
        assertTrue(xml.contains("<AdaptationSet id=\"1\" contentType=\"audio\" mimeType=\"audio/mp4\" lang=\"und\" segmentAlignment=\"true\" startWithSAP=\"1\">"), xml);
        assertFalse(xml.contains("<Role") || xml.contains("<Label") || xml.contains("selectionPriority"), xml);
        String master = HlsPlaylists.master(one);
        assertTrue(master.contains("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"Audio\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"audio/playlist.m3u8\"\n"), master);
    }
}
