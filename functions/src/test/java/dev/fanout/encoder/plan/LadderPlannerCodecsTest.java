package dev.fanout.encoder.plan;

import dev.fanout.encoder.model.LadderRung;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.Rendition;
import dev.fanout.encoder.model.VideoCodec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.fanout.encoder.plan.LadderPlannerTest.sizes;
import static dev.fanout.encoder.plan.LadderPlannerTest.video;
import static org.junit.jupiter.api.Assertions.assertEquals;

class LadderPlannerCodecsTest {
    static final List<LadderRung> LADDER = LadderRung.parseList("720@3500,360@1000");

    @Test
    void everyCodecGetsEveryRungAndH264KeepsItsPlainIds() {
        List<Rendition> rs = LadderPlanner.plan(video(1280, 720, 0, Rational.of(1, 1)), LADDER,
                List.of(VideoCodec.H264, VideoCodec.HEVC, VideoCodec.AV1));
        assertEquals(List.of("720p=1280x720", "360p=640x360", "720p-hevc=1280x720", "360p-hevc=640x360",
                "720p-av1=1280x720", "360p-av1=640x360"), sizes(rs));
        assertEquals(List.of(VideoCodec.H264, VideoCodec.H264, VideoCodec.HEVC, VideoCodec.HEVC, VideoCodec.AV1, VideoCodec.AV1),
                rs.stream().map(Rendition::codec).toList());
        // the same caps in every codec: one ladder, several encoders
        assertEquals(List.of(3500, 1000, 3500, 1000, 3500, 1000), rs.stream().map(Rendition::maxrateKbps).toList());
    }

    @Test
    void anAv1OnlyLadderHasNoH264Rendition() {
        List<Rendition> rs = LadderPlanner.plan(video(640, 360, 0, Rational.of(1, 1)), LADDER, List.of(VideoCodec.AV1));
        assertEquals(List.of("360p-av1=640x360"), sizes(rs));
    }

    @Test
    void a2160RungIsKeptForA4kSourceAndDroppedForA1080pOne() {
        List<LadderRung> ladder = LadderRung.parseList("2160@16000," + LadderRung.DEFAULT_LADDER);
        assertEquals("2160p=3840x2160", sizes(LadderPlanner.plan(video(3840, 2160, 0, Rational.of(1, 1)), ladder)).get(0));
        assertEquals("1080p=1920x1080", sizes(LadderPlanner.plan(video(1920, 1080, 0, Rational.of(1, 1)), ladder)).get(0));
        // a 4K source with the default ladder is not upscaled, nor given a 4K rung it did not ask for
        assertEquals("1080p=1920x1080", sizes(LadderPlanner.plan(video(3840, 2160, 0, Rational.of(1, 1)), LadderRung.parseList(LadderRung.DEFAULT_LADDER))).get(0));
    }

    @Test
    void the4kSourceIsWithinTheDefaultPictureLimits() {
        PipelineConfig.Limits limits = PipelineConfig.fromEnv(java.util.Map.of()).limits();
        assertEquals(true, 3840 <= limits.maxLongSide() && 2160 <= limits.maxShortSide(),
                "3840x2160 must pass MAX_LONG_SIDE x MAX_SHORT_SIDE = " + limits.maxLongSide() + "x" + limits.maxShortSide());
    }

    @Test
    void aPlanWrittenBeforeCodecsReadsAsH264() throws Exception {
        Rendition r = dev.fanout.encoder.storage.Json.MAPPER.readValue(
                "{\"id\":\"720p\",\"width\":1280,\"height\":720,\"maxrateKbps\":3500,\"bufsizeKbps\":7000}", Rendition.class);
        assertEquals(VideoCodec.H264, r.codec());
    }
}
