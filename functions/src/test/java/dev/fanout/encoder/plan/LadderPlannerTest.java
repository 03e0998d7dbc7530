package dev.fanout.encoder.plan;

import dev.fanout.encoder.model.LadderRung;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.Rendition;
import dev.fanout.encoder.model.SourceInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LadderPlannerTest {
    static final List<LadderRung> DEFAULT = LadderRung.parseList(LadderRung.DEFAULT_LADDER);

    static SourceInfo.Video video(int w, int h, int rotation, Rational sar) {
        return new SourceInfo.Video("h264", w, h, rotation, sar, Rational.of(30, 1), 300, "yuv420p", 0, "progressive", "bt709", true);
    }

    static List<String> sizes(List<Rendition> rs) {
        return rs.stream().map(r -> r.id() + "=" + r.width() + "x" + r.height()).toList();
    }

    @Test
    void fullHdGetsTheDefaultLadder() {
        assertEquals(List.of("1080p=1920x1080", "720p=1280x720", "480p=854x480", "360p=640x360"),
                sizes(LadderPlanner.plan(video(1920, 1080, 0, Rational.of(1, 1)), DEFAULT)));
    }

    @Test
    void neverUpscales() {
        assertEquals(List.of("720p=1280x720", "480p=854x480", "360p=640x360"),
                sizes(LadderPlanner.plan(video(1280, 720, 0, Rational.of(1, 1)), DEFAULT)));
    }

    @Test
    void portraitAndRotatedKeepTheirShape() {
        assertEquals("1080p=1080x1920", sizes(LadderPlanner.plan(video(1080, 1920, 0, Rational.of(1, 1)), DEFAULT)).get(0));
        // stored landscape, shown portrait
        assertEquals("1080p=1080x1920", sizes(LadderPlanner.plan(video(1920, 1080, 90, Rational.of(1, 1)), DEFAULT)).get(0));
    }

    @Test
    void oddAndAnamorphicSourcesGetEvenSquarePixelSizes() {
        assertEquals("1080p=1920x1080", sizes(LadderPlanner.plan(video(1921, 1081, 0, Rational.of(1, 1)), DEFAULT)).get(0));
        // DV NTSC widescreen: 720x480 with 32:27 pixels shows as 853x480
        assertEquals(List.of("480p=854x480", "360p=640x360"), sizes(LadderPlanner.plan(video(720, 480, 0, Rational.of(32, 27)), DEFAULT)));
    }

    @Test
    void tinySourcesGetOneRenditionAtTheirOwnSize() {
        assertEquals(List.of("16p=16x16"), sizes(LadderPlanner.plan(video(16, 16, 0, Rational.of(1, 1)), DEFAULT)));
        assertEquals(List.of("240p=320x240"), sizes(LadderPlanner.plan(video(320, 240, 0, Rational.of(1, 1)), DEFAULT)));
    }

    @Test
    void ladderTextIsValidated() {
        assertEquals(List.of(new LadderRung(720, 3500)), LadderRung.parseList("720p@3500"));
        assertThrows(IllegalArgumentException.class, () -> LadderRung.parseList("720"));
        assertThrows(IllegalArgumentException.class, () -> LadderRung.parseList(" , "));
    }
}
