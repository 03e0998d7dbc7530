package dev.fanout.encoder.model;

import java.util.List;

/** A plan for unit tests: 900 frames at 29.97 fps, 60-frame segments, 300-frame chunks, two renditions. */
public final class TestPlans {
    private TestPlans() {}

    public static JobPlan ntsc720() {
        SourceInfo.Video v = new SourceInfo.Video("h264", 1280, 720, 0, Rational.of(1, 1), Rational.of(30000, 1001), 900, "yuv420p", 0, "progressive", "bt709", true);
        return new JobPlan("j", new SourceRef("b", "k", "e", 1), new SourceInfo("mov", 1, 30, v, null), Rational.of(30000, 1001),
                900, 60, 300, 3, 15, List.of(new Rendition("720p", 1280, 720, 3500, 7000), new Rendition("360p", 640, 360, 1000, 2000)),
                new EncodeSettings("veryfast", 23, 128), JobLayout.of("out", "j"), 0, 0, 0);
    }
}
