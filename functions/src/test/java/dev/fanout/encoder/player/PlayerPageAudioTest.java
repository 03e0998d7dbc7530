package dev.fanout.encoder.player;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.manifest.Presentation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The audio menu's entries in the page's config: every audio rendition in the MPD's order; names from the source's tags stay text. */
class PlayerPageAudioTest {
    static final List<Presentation.TimelineRun> T = List.of(new Presentation.TimelineRun(0, 96256, 5));

    @Test
    void everyAudioRenditionIsAChoiceAndANameCannotCloseTheScript() throws Exception {
        Presentation p = new Presentation(12, 2, PlayerPageTest.PRESENTATION.video(), List.of(
                new Presentation.AudioSet(48000, "mp4a.40.2", 48000, 2, 130000, 1, T, "audio", "en", "English", true, true),
                new Presentation.AudioSet(48000, "mp4a.40.2", 48000, 2, 130000, 1, T, "audio-de", "de", "</script><img src=x onerror=alert(1)>", false, true)));
        String html = PlayerPage.of("film", p, "manifest.mpd", "master.m3u8", PlayerPageTest.THUMBNAILS, PlayerPageTest.PREFIX).render();
        assertFalse(html.contains("<img src=x"), "a track's title is never markup in the page");
        JsonNode audio = PlayerPageTest.config(html).path("audio");
        assertEquals(List.of("audio", "audio-de"), audio.findValuesAsText("id"));
        assertEquals(List.of("en", "de"), audio.findValuesAsText("language"));
        assertEquals("</script><img src=x onerror=alert(1)>", audio.get(1).path("name").asText(), "the name arrives intact as data");
        assertEquals(List.of(true, false), List.of(audio.get(0).path("main").asBoolean(), audio.get(1).path("main").asBoolean()));
    }

    @Test
    void aJobWithoutAudioOffersNoAudioChoice() throws Exception {
        String html = PlayerPage.of("film", PlayerPageTest.PRESENTATION, "manifest.mpd", "master.m3u8", PlayerPageTest.THUMBNAILS, PlayerPageTest.PREFIX).render();
        assertEquals(0, PlayerPageTest.config(html).path("audio").size());
    }
}
