package dev.fanout.encoder.stages;

import dev.fanout.encoder.manifest.SubtitleCue;
import dev.fanout.encoder.manifest.SubtitleParser;
import dev.fanout.encoder.model.JobRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Which objects are a video's sidecars, their languages and labels, and cues put on the output's timeline. */
class ProbeSubtitlesTest {
    static final String VIDEO = "uploads/film.mp4";

    @Test
    void sidecarsAreNamedAfterTheirVideo() {
        assertEquals(new ProbeSubtitles.Sidecar("en", SubtitleParser.Format.SRT), ProbeSubtitles.sidecarName(VIDEO, "uploads/film.en.srt"));
        assertEquals(new ProbeSubtitles.Sidecar("pt-BR", SubtitleParser.Format.WEBVTT), ProbeSubtitles.sidecarName(VIDEO, "uploads/film.PT-br.VTT"));
        assertEquals(new ProbeSubtitles.Sidecar("und", SubtitleParser.Format.SRT), ProbeSubtitles.sidecarName(VIDEO, "uploads/film.srt"));
        for (String other : List.of("uploads/film.mp4", "uploads/film.en.txt", "uploads/film2.en.srt", "uploads/film.english.srt",
                "uploads/film.en..srt", "uploads/film.e.srt", "uploads/film.en.de.srt", "uploads/other/film.en.srt", "uploads/film.<b>.srt")) {
            assertNull(ProbeSubtitles.sidecarName(VIDEO, other), other);
        }
        assertEquals("uploads/a.b", ProbeSubtitles.baseOf("uploads/a.b.mov"));
        assertEquals("uploads.d/noext", ProbeSubtitles.baseOf("uploads.d/noext"));
    }

    @Test
    void languagesAsBcp47AndLabels() {
        assertEquals("en", ProbeSubtitles.languageOf("eng"));
        assertEquals("de", ProbeSubtitles.languageOf("ger"));
        assertEquals("de", ProbeSubtitles.languageOf("deu"));
        assertEquals("und", ProbeSubtitles.languageOf("und"));
        assertEquals("und", ProbeSubtitles.languageOf("<script>"));
        assertEquals("English", ProbeSubtitles.label("", "en"));
        assertEquals("Portuguese (Brazil)", ProbeSubtitles.label("", "pt-BR"));
        assertEquals("Commentary", ProbeSubtitles.label("Commentary", "en"));
        assertEquals("Directors cut", ProbeSubtitles.label("Director\"s\u0000 cut", "en"), "no quote or control character from a title");
        assertEquals("Subtitles", ProbeSubtitles.label("", "und"));
    }

    @Test
    void cuesMoveToTheVideosStartAndAreCutToItsLength() {
        List<JobRecord.Warning> warnings = new ArrayList<>();
        List<SubtitleCue> cues = List.of(new SubtitleCue(0, 50, "before"), new SubtitleCue(80, 1000, "straddles 0"),
                new SubtitleCue(2000, 3000, "inside"), new SubtitleCue(7900, 9000, "past the end"), new SubtitleCue(8200, 8300, "after"));
        List<SubtitleCue> out = ProbeSubtitles.onTimeline(cues, 100, 8000, "x.srt", warnings);
        assertEquals(List.of(new SubtitleCue(0, 900, "straddles 0"), new SubtitleCue(1900, 2900, "inside"), new SubtitleCue(7800, 8000, "past the end")), out);
        assertEquals(List.of(new JobRecord.Warning("Subtitles.OutsideVideo", "x.srt: 2 cue(s) lie outside the video (0 to 8000 ms) and are left out")), warnings);
    }
}
