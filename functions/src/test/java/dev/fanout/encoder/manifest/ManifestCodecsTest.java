package dev.fanout.encoder.manifest;

import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.VideoCodec;
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

/** Each codec its own DASH adaptation set and its own HLS variants, over the one audio track. */
class ManifestCodecsTest {
    static final List<Presentation.TimelineRun> TIMELINE = List.of(new Presentation.TimelineRun(0, 60, 2));

    static Presentation presentation() {
        return Presentation.of(6, 2, new Presentation.VideoSet(30, Rational.of(30, 1), List.of(
                new Presentation.Representation("720p", "avc1.64001f", 1280, 720, 3_000_000, 1, 3500, VideoCodec.H264),
                new Presentation.Representation("360p", "avc1.64001e", 640, 360, 900_000, 1, 1000, VideoCodec.H264),
                new Presentation.Representation("720p-hevc", "hvc1.1.6.L93.90", 1280, 720, 2_000_000, 1, 3500, VideoCodec.HEVC),
                new Presentation.Representation("360p-hevc", "hvc1.1.6.L63.90", 640, 360, 600_000, 1, 1000, VideoCodec.HEVC),
                new Presentation.Representation("360p-av1", "av01.0.01M.08", 640, 360, 500_000, 1, 1000, VideoCodec.AV1)), TIMELINE),
                new Presentation.AudioSet(48000, "mp4a.40.2", 48000, 2, 130_000, 1, List.of(new Presentation.TimelineRun(0, 96000, 2))));
    }

    @Test
    void eachCodecIsItsOwnAdaptationSetAndTheAudioIsOneSet() throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(DashManifest.render(presentation()).getBytes(StandardCharsets.UTF_8)));
        NodeList sets = doc.getElementsByTagName("AdaptationSet");
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < sets.getLength(); i++) {
            Element set = (Element) sets.item(i);
            NodeList reps = set.getElementsByTagName("Representation");
            List<String> r = new ArrayList<>();
            for (int k = 0; k < reps.getLength(); k++) r.add(((Element) reps.item(k)).getAttribute("id") + " " + ((Element) reps.item(k)).getAttribute("codecs"));
            seen.add(set.getAttribute("id") + " " + set.getAttribute("contentType") + " max " + set.getAttribute("maxWidth") + "x" + set.getAttribute("maxHeight") + " " + r
                    + " S=" + set.getElementsByTagName("S").getLength());
        }
        assertEquals(List.of(
                "0 video max 1280x720 [720p avc1.64001f, 360p avc1.64001e] S=1",
                "1 video max 1280x720 [720p-hevc hvc1.1.6.L93.90, 360p-hevc hvc1.1.6.L63.90] S=1",
                "2 video max 640x360 [360p-av1 av01.0.01M.08] S=1",
                "3 audio max x [audio mp4a.40.2] S=1"), seen);
    }

    @Test
    void eachCodecHasItsOwnHlsVariantsWithItsCodecsAndTheSameAudioGroup() {
        List<String> variants = new ArrayList<>();
        String[] lines = HlsPlaylists.master(presentation()).split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].startsWith("#EXT-X-STREAM-INF:")) continue;
            String inf = lines[i];
            String codecs = inf.replaceAll(".*CODECS=\"([^\"]*)\".*", "$1");
            String audio = inf.replaceAll(".*AUDIO=\"([^\"]*)\".*", "$1");
            variants.add(lines[i + 1] + " " + codecs + " " + audio);
        }
        assertEquals(List.of(
                "video/720p/playlist.m3u8 avc1.64001f,mp4a.40.2 audio",
                "video/360p/playlist.m3u8 avc1.64001e,mp4a.40.2 audio",
                "video/720p-hevc/playlist.m3u8 hvc1.1.6.L93.90,mp4a.40.2 audio",
                "video/360p-hevc/playlist.m3u8 hvc1.1.6.L63.90,mp4a.40.2 audio",
                "video/360p-av1/playlist.m3u8 av01.0.01M.08,mp4a.40.2 audio"), variants);
    }
}
