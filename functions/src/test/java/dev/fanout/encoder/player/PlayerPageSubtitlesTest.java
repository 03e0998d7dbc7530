package dev.fanout.encoder.player;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.manifest.TextTracksManifestTest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The subtitle tracks in the page's config; that the players show them is PlayerPageBrowserTest's job. */
class PlayerPageSubtitlesTest {
    @Test
    void thePlayerPageListsTheTracksWithoutMarkup() throws Exception {
        String html = PlayerPage.of("film-0123456789ab", TextTracksManifestTest.withText(), "manifest.mpd", "master.m3u8", PlayerPageTest.THUMBNAILS, PlayerPageTest.PREFIX).render();
        JsonNode c = PlayerPageTest.config(html);
        assertEquals("[{\"id\":\"en\",\"language\":\"en\",\"label\":\"English\"},{\"id\":\"pt-BR\",\"language\":\"pt-BR\",\"label\":\"Portuguese \\\"BR\\\" \\u003c&>\"}]",
                c.path("subtitles").toString().replace("<", "\\u003c"));
        assertFalse(html.contains("<&>"), "a label cannot open a tag in the page");
    }

    @Test
    void noTracksNoMenu() throws Exception {
        String html = PlayerPage.of("j", PlayerPageTest.PRESENTATION, "manifest.mpd", "master.m3u8", PlayerPageTest.THUMBNAILS, PlayerPageTest.PREFIX).render();
        assertEquals("[]", PlayerPageTest.config(html).path("subtitles").toString());
        assertTrue(html.contains("<label id=\"subtitles-menu\" hidden>"), "the menu starts hidden; the page shows it only with tracks");
    }
}
