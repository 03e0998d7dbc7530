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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Subtitle tracks in the MPD and the HLS playlists. */
public class TextTracksManifestTest {
    static final List<Presentation.TextTrack> TEXT = List.of(
            new Presentation.TextTrack("en", "en", "English", "subtitles/en.vtt", 1200),
            new Presentation.TextTrack("pt-BR", "pt-BR", "Portuguese \"BR\" <&>", "subtitles/pt-BR.vtt", 900));

    public static Presentation withText() {
        Presentation p = HlsPlaylistsTest.presentation(true);
        return new Presentation(p.durationSeconds(), p.segmentSeconds(), p.video(), p.audio(), TEXT);
    }

    @Test
    void theMpdHasOneTextAdaptationSetPerTrack() throws Exception {
        String mpd = DashManifest.render(withText());
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(mpd.getBytes(StandardCharsets.UTF_8)));
        NodeList sets = doc.getElementsByTagName("AdaptationSet");
        List<String> text = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < sets.getLength(); i++) {
            Element a = (Element) sets.item(i);
            ids.add(a.getAttribute("id"));
            if (!a.getAttribute("contentType").equals("text")) continue;
            Element rep = (Element) a.getElementsByTagName("Representation").item(0);
            text.add(a.getAttribute("mimeType") + " " + a.getAttribute("lang") + " " + a.getElementsByTagName("Label").item(0).getTextContent()
                    + " " + ((Element) a.getElementsByTagName("Role").item(0)).getAttribute("value") + " " + rep.getAttribute("id")
                    + " " + rep.getAttribute("bandwidth") + " " + rep.getElementsByTagName("BaseURL").item(0).getTextContent());
        }
        assertEquals(List.of("text/vtt en English subtitle text-en 1200 subtitles/en.vtt",
                "text/vtt pt-BR Portuguese \"BR\" <&> subtitle text-pt-BR 900 subtitles/pt-BR.vtt"), text, mpd);
        assertEquals(List.of("0", "1", "2", "3"), ids, "AdaptationSet ids stay unique");
        assertFalse(DashManifest.render(HlsPlaylistsTest.presentation(true)).contains("text/vtt"), "no tracks, no text AdaptationSet");
    }

    @Test
    void hlsHasASubtitlesGroupAndOneSegmentPlaylistPerTrack() {
        Presentation p = withText();
        List<HlsPlaylists.Playlist> all = HlsPlaylists.render(p);
        String master = all.get(all.size() - 1).text();
        assertTrue(master.contains("#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",LANGUAGE=\"en\",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI=\"subtitles/en.m3u8\"\n"), master);
        assertTrue(master.contains("NAME=\"Portuguese BR <&>\",LANGUAGE=\"pt-BR\""), "no double quote inside a quoted string: " + master);
        assertEquals(2, master.lines().filter(l -> l.startsWith("#EXT-X-STREAM-INF") && l.endsWith(",SUBTITLES=\"subs\"")).count(), master);
        HlsPlaylists.Playlist en = all.stream().filter(x -> x.path().equals("subtitles/en.m3u8")).findFirst().orElseThrow();
        HlsPlaylistsTest.Media m = HlsPlaylistsTest.parseMedia(en.text());
        assertEquals(List.of("en.vtt"), m.uris(), en.text());
        assertEquals(7, m.targetDuration(), "6.2396 s rounded up");
        assertEquals(new java.math.BigDecimal("6.239567"), m.total(), en.text());
        assertFalse(en.text().contains("EXT-X-MAP"), "plain WebVTT, no init");
        assertTrue(en.text().endsWith("#EXT-X-ENDLIST\n"));
        assertFalse(HlsPlaylists.master(HlsPlaylistsTest.presentation(true)).contains("SUBTITLES"), "no tracks, no group");
    }
}
