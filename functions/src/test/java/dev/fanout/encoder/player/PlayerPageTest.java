package dev.fanout.encoder.player;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.manifest.Presentation;
import dev.fanout.encoder.model.JobRecord;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.ThumbnailsOutput;
import dev.fanout.encoder.storage.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the page embeds; that it plays is PlayerPageBrowserTest's job (local/). */
class PlayerPageTest {
    static final Presentation PRESENTATION = Presentation.of(12.0, 2.0,
            new Presentation.VideoSet(15360, new Rational(30, 1), List.of(
                    new Presentation.Representation("720p", "avc1.64001f", 1280, 720, 1_304_000, 1_887_672, 3500),
                    new Presentation.Representation("360p", "avc1.64001e", 640, 360, 315_000, 430_942, 1000)),
                    List.of(new Presentation.TimelineRun(0, 30720, 5))),
            null);
    static final String PREFIX = "jobs/film-0123456789ab/";
    static final ThumbnailsOutput THUMBNAILS = ThumbnailsOutput.succeeded(
            new ThumbnailsOutput.Poster(PREFIX + "poster.jpg", 1280, 720, 1.2),
            new ThumbnailsOutput.Sprites(PREFIX + "thumbnails/thumbnails.vtt", List.of(PREFIX + "thumbnails/sprite-001.jpg"),
                    12, 1, 160, 90, 10, 2),
            0.4);
    static final ThumbnailsOutput NO_THUMBNAILS = ThumbnailsOutput.failed(new JobRecord.Failure("EncodeFailed.Thumbnails", "no frame"));

    static JsonNode config(String html) throws Exception {
        Matcher m = Pattern.compile("const config = (.*);\\n").matcher(html);
        assertTrue(m.find(), "the page's config line");
        return Json.MAPPER.readTree(m.group(1));
    }

    @Test
    void embedsTheRenditionsManifestsAndPinnedPlayers() throws Exception {
        String html = PlayerPage.of("film-0123456789ab", PRESENTATION, "manifest.mpd", "master.m3u8", THUMBNAILS, PREFIX).render();
        JsonNode c = config(html);
        assertEquals("manifest.mpd", c.path("dash").asText());
        assertEquals("master.m3u8", c.path("hls").asText());
        assertEquals("[{\"id\":\"720p\",\"width\":1280,\"height\":720,\"bandwidth\":1304000,\"codec\":\"h264\",\"codecs\":\"avc1.64001f\"},"
                + "{\"id\":\"360p\",\"width\":640,\"height\":360,\"bandwidth\":315000,\"codec\":\"h264\",\"codecs\":\"avc1.64001e\"}]", c.path("renditions").toString());
        assertEquals("{\"av1\":\"AV1\",\"h264\":\"H.264\",\"hevc\":\"HEVC\"}", c.path("codecLabels").toString(), "how the page names each codec");
        for (PlayerPage.Library lib : PlayerPage.LIBRARIES) {
            JsonNode p = c.path("players").path(lib.key());
            assertEquals(lib.url(), p.path("src").asText());
            assertTrue(p.path("src").asText().startsWith("https://") && p.path("src").asText().contains("@" + lib.version() + "/"), lib.url());
            assertTrue(p.path("integrity").asText().matches("sha384-[A-Za-z0-9+/]{64}"), lib.integrity());
        }
        assertTrue(html.contains("<title>film-0123456789ab</title>"));
        assertTrue(html.contains("<video id=\"video\" controls playsinline preload=\"metadata\" poster=\"poster.jpg\">"));
        assertFalse(html.contains("{{"), "every placeholder filled");
    }

    @Test
    void succeededThumbnailsGiveSeekPreviewsFromTheTrackBesideThePage() throws Exception {
        String html = PlayerPage.of("film-0123456789ab", PRESENTATION, "manifest.mpd", "master.m3u8", THUMBNAILS, PREFIX).render();
        assertEquals("thumbnails/thumbnails.vtt", config(html).path("thumbnails").asText(), "the track, relative to the page");
        // the bar is in the markup, hidden until the page has parsed the track
        assertTrue(html.contains("<div id=\"seek\" class=\"seek\" role=\"slider\" tabindex=\"0\""), "a focusable slider");
    }

    @Test
    void withoutThumbnailsOrHlsThePageSaysSo() throws Exception {
        String html = PlayerPage.of("film-0123456789ab", PRESENTATION, "manifest.mpd", null, NO_THUMBNAILS, PREFIX).render();
        JsonNode c = config(html);
        assertTrue(c.path("hls").isNull());
        assertTrue(c.has("thumbnails") && c.path("thumbnails").isNull(), "no track: the page loads none and shows no preview");
        assertFalse(html.contains("poster="));
    }

    @Test
    void aThumbnailKeyOutsideTheJobFolderIsRefused() {
        ThumbnailsOutput elsewhere = ThumbnailsOutput.succeeded(THUMBNAILS.poster(),
                new ThumbnailsOutput.Sprites("jobs/other-job/thumbnails/thumbnails.vtt", List.of(), 0, 1, 160, 90, 10, 1), 0.1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PlayerPage.of("film-0123456789ab", PRESENTATION, "manifest.mpd", null, elsewhere, PREFIX));
        assertTrue(e.getMessage().contains("jobs/other-job/thumbnails/thumbnails.vtt"), e.getMessage());
    }

    @Test
    void textCannotBreakOutOfTheScriptOrMarkup() throws Exception {
        PlayerPage page = new PlayerPage("a<b>\"&", "x</script><script>alert(1)</script>.mpd", null, "p\"><script>.jpg",
                "t</script><!--\"'.vtt", List.of(new PlayerPage.Rendition("</script>", 2, 2, 1)));
        String html = page.render();
        assertTrue(html.contains("<title>a&lt;b&gt;&quot;&amp;</title>"));
        assertTrue(html.contains(" poster=\"p&quot;&gt;&lt;script&gt;.jpg\">"), "the poster stays one attribute");
        assertEquals(1, html.split("</script>", -1).length - 1, "only the page's own closing script tag");
        assertFalse(html.contains("<!--"), "no comment (which would change how the script element ends) opened by a value");
        assertEquals("x</script><script>alert(1)</script>.mpd", config(html).path("dash").asText(), "the value survives as data");
        assertEquals("t</script><!--\"'.vtt", config(html).path("thumbnails").asText(), "the track name survives as data");
    }
}
