package dev.fanout.encoder.player;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.manifest.Presentation;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.storage.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the page embeds; that it plays is PlayerPageBrowserTest's job (local/). */
class PlayerPageTest {
    static final Presentation PRESENTATION = new Presentation(12.0, 2.0,
            new Presentation.VideoSet(15360, new Rational(30, 1), List.of(
                    new Presentation.Representation("720p", "avc1.64001f", 1280, 720, 1_304_000, 1_887_672, 3500),
                    new Presentation.Representation("360p", "avc1.64001e", 640, 360, 315_000, 430_942, 1000)),
                    List.of(new Presentation.TimelineRun(0, 30720, 5))),
            null);

    static JsonNode config(String html) throws Exception {
        Matcher m = Pattern.compile("const config = (.*);\\n").matcher(html);
        assertTrue(m.find(), "the page's config line");
        return Json.MAPPER.readTree(m.group(1));
    }

    @Test
    void embedsTheRenditionsManifestsAndPinnedPlayers() throws Exception {
        String html = PlayerPage.of("film-0123456789ab", PRESENTATION, "manifest.mpd", "master.m3u8", "poster.jpg").render();
        JsonNode c = config(html);
        assertEquals("manifest.mpd", c.path("dash").asText());
        assertEquals("master.m3u8", c.path("hls").asText());
        assertEquals("[{\"id\":\"720p\",\"width\":1280,\"height\":720,\"bandwidth\":1304000},"
                + "{\"id\":\"360p\",\"width\":640,\"height\":360,\"bandwidth\":315000}]", c.path("renditions").toString());
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
    void withoutPosterOrHlsThePageSaysSo() throws Exception {
        String html = PlayerPage.of("film-0123456789ab", PRESENTATION, "manifest.mpd", null, null).render();
        assertTrue(config(html).path("hls").isNull());
        assertFalse(html.contains("poster="));
    }

    @Test
    void textCannotBreakOutOfTheScriptOrMarkup() throws Exception {
        PlayerPage page = new PlayerPage("a<b>\"&", "x</script><script>alert(1)</script>.mpd", null, null,
                List.of(new PlayerPage.Rendition("</script>", 2, 2, 1)));
        String html = page.render();
        assertTrue(html.contains("<title>a&lt;b&gt;&quot;&amp;</title>"));
        assertEquals(1, html.split("</script>", -1).length - 1, "only the page's own closing script tag");
        assertEquals("x</script><script>alert(1)</script>.mpd", config(html).path("dash").asText(), "the value survives as data");
    }
}
