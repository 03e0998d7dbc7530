package dev.fanout.encoder.manifest;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Subtitles beside several codecs and several audio tracks: the MPD numbers its sets video (one
 * per codec), then audio (one per track, which the page maps by id), then text, each id once; every
 * HLS variant of every codec names both the audio group and the subtitles group.
 */
class TextTracksWithCodecsAndAudioTest {

    static Presentation everything() {
        Presentation codecs = ManifestCodecsTest.presentation();
        return new Presentation(codecs.durationSeconds(), codecs.segmentSeconds(), codecs.video(),
                ManifestAudioTracksTest.twoLanguages().audio(), TextTracksManifestTest.TEXT);
    }

    @Test
    void theMpdNumbersVideoThenAudioThenTextSets() throws Exception {
        String mpd = DashManifest.render(everything());
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(mpd.getBytes(StandardCharsets.UTF_8)));
        NodeList sets = doc.getElementsByTagName("AdaptationSet");
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < sets.getLength(); i++) {
            Element a = (Element) sets.item(i);
            seen.add(a.getAttribute("id") + " " + a.getAttribute("contentType") + " " + a.getAttribute("lang"));
        }
        assertEquals(List.of("0 video ", "1 video ", "2 video ", "3 audio en", "4 audio de", "5 text en", "6 text pt-BR"), seen, mpd);
    }

    @Test
    void everyVariantOfEveryCodecNamesTheAudioAndSubtitlesGroups() {
        String master = HlsPlaylists.master(everything());
        List<String> variants = master.lines().filter(l -> l.startsWith("#EXT-X-STREAM-INF:")).toList();
        assertEquals(5, variants.size(), master);
        for (String v : variants) {
            assertTrue(v.contains(",AUDIO=\"" + HlsPlaylists.AUDIO_GROUP + "\""), v);
            assertTrue(v.contains(",SUBTITLES=\"" + HlsPlaylists.SUBTITLES_GROUP + "\""), v);
        }
        assertEquals(2, master.lines().filter(l -> l.startsWith("#EXT-X-MEDIA:TYPE=SUBTITLES")).count(), master);
        assertEquals(2, master.lines().filter(l -> l.startsWith("#EXT-X-MEDIA:TYPE=AUDIO")).count(), master);
    }
}
