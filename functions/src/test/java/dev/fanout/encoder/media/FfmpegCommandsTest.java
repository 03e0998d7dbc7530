package dev.fanout.encoder.media;

import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.SourceInfo;
import dev.fanout.encoder.model.TestPlans;
import dev.fanout.encoder.plan.AudioPieces;
import dev.fanout.encoder.plan.ChunkPlanner;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FfmpegCommandsTest {
    @Test
    void inputsAreLockedToMp4OverLoopbackHttp() {
        List<String> probe = FfmpegCommands.probe(Path.of("/opt/bin/ffprobe"), "http://127.0.0.1:9/s");
        assertTrue(Collections.indexOfSubList(probe, List.of("-protocol_whitelist", "http,tcp", "-f", "mov", "-enable_drefs", "0")) >= 0, probe.toString());
    }

    /**
     * Every builder refuses an input that would make ffmpeg resolve a name (the layer's static
     * build crashes on any lookup), speak TLS (it does not verify certificates), hold a credential
     * (a presigned URL) or open anything but the loopback source server.
     */
    @Test
    void everyBuilderRefusesAnInputThatIsNotHttpOnALoopbackIpLiteral() {
        JobPlan plan = TestPlans.ntsc720();
        List<java.util.function.Function<String, List<String>>> builders = List.of(
                in -> FfmpegCommands.probe(Path.of("ffprobe"), in),
                in -> FfmpegCommands.packetTimes(Path.of("ffprobe"), in),
                in -> FfmpegCommands.tailCheck(Path.of("ffmpeg"), in, 1),
                in -> FfmpegCommands.encodeChunk(Path.of("ffmpeg"), in, plan, ChunkPlanner.chunk(0, 900, 60, 300), Path.of("/tmp/c")),
                in -> AudioPieceCommands.encode(Path.of("ffmpeg"), in, plan, AudioPieces.of(plan), AudioPieces.of(plan).piece(0), Path.of("/tmp/a.mp4")));
        List<String> refused = List.of(
                "https://input.s3.us-east-1.amazonaws.com/uploads/a.mp4?X-Amz-Signature=1", // a host name, TLS and a credential
                "http://input.s3.us-east-1.amazonaws.com/uploads/a.mp4",
                "http://localhost:9/s",                  // a name, even for loopback
                "http://10.0.0.1:9/s", "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]:9/s",
                "http://127.0.0.1@evil.example/s",       // user info: the host is evil.example
                "http://127.0.0.1:9@evil.example/s",
                "https://127.0.0.1:9/s", "tcp://127.0.0.1:9", "file:/etc/passwd", "/tmp/in.mp4",
                "concat:http://127.0.0.1:9/s|/etc/passwd", "subfile,,start,0,end,0,,:http://127.0.0.1:9/s", "http://128.0.0.1/s");
        for (var build : builders) {
            assertTrue(build.apply("http://127.0.0.1:41234/0123abcd/source").contains("http://127.0.0.1:41234/0123abcd/source"));
            assertTrue(build.apply("http://[::1]:41234/s").contains("-protocol_whitelist"));
            for (String input : refused) {
                assertThrows(IllegalArgumentException.class, () -> build.apply(input), input);
            }
        }
    }

    @Test
    void chunkCommandPutsFramesOnTheGlobalGrid() {
        JobPlan plan = TestPlans.ntsc720();
        List<String> c = FfmpegCommands.encodeChunk(Path.of("ffmpeg"), "http://127.0.0.1:9/s", plan, ChunkPlanner.chunk(1, 900, 60, 300), Path.of("/tmp/c"));
        // chunk 1 starts at frame 300 = 10.01 s; seek a quarter frame early
        assertEquals("10.001658", c.get(c.indexOf("-ss") + 1));
        assertEquals(2, Collections.frequency(c, "-output_ts_offset"));
        assertEquals("10.010000", c.get(c.indexOf("-output_ts_offset") + 1));
        assertEquals("300", c.get(c.indexOf("-frames:v") + 1));
        assertEquals("60", c.get(c.indexOf("-g") + 1));
        assertEquals("0", c.get(c.indexOf("-sc_threshold") + 1));
        assertTrue(c.get(c.indexOf("-filter_complex") + 1).contains("scale=640:360:flags=bicubic"));
        assertTrue(c.contains("/tmp/c/720p.mp4") && c.contains("/tmp/c/360p.mp4"));
    }

    static SourceInfo.Video video(String fieldOrder, String transfer) {
        return new SourceInfo.Video("h264", 1920, 1080, 0, Rational.of(1, 1), Rational.of(25, 1), 250, "yuv420p10le", 0, fieldOrder, transfer, true);
    }

    static List<String> filters(SourceInfo.Video v) {
        return FfmpegCommands.sourceFilters(v, Rational.of(25, 1), "0.010000");
    }

    @Test
    void interlacedSourcesAreDeinterlacedFrameForFrameAndHdrIsToneMapped() {
        String timing = "setpts=N*1/(25*TB)";
        assertEquals(List.of(timing), filters(video("progressive", "bt709")));
        assertEquals(List.of(timing), filters(video("", "")), "unknown field order: left alone");
        assertEquals(List.of(FfmpegCommands.DEINTERLACE, timing), filters(video("tt", "bt709")));
        assertTrue(FfmpegCommands.DEINTERLACE.contains("mode=send_frame"), "one frame out per frame in: the frame grid holds");
        List<String> hdr = filters(video("bb", "smpte2084"));
        assertEquals(3, hdr.size());
        assertTrue(hdr.get(2).startsWith("zscale=tin=smpte2084") && hdr.get(2).contains("tonemap=") && hdr.get(2).endsWith("format=yuv420p"), hdr.toString());
        assertTrue(filters(video("progressive", "arib-std-b67")).get(1).startsWith("zscale=tin=arib-std-b67"), "HLG too");
        assertEquals(List.of("-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709"),
                FfmpegCommands.colorTags(video("progressive", "smpte2084")));
        assertEquals(List.of(), FfmpegCommands.colorTags(video("progressive", "bt709")), "SDR keeps the source's tags");
    }

    @Test
    void constantRateSourcesAreTakenFrameByFrameVariableOnesByTime() {
        assertEquals("setpts=N*1001/(30000*TB)", FfmpegCommands.frameTiming(video("", ""), Rational.of(30000, 1001), "0.008341"));
        SourceInfo.Video vfr = new SourceInfo.Video("h264", 320, 180, 0, Rational.of(1, 1), Rational.of(2700, 119), 90, "yuv420p", 0, "", "", false);
        // the grid starts at the chunk's first frame, not at the seek point a quarter frame before it
        assertEquals("setpts=PTS-0.011018/TB,fps=fps=2700/119:start_time=0:round=near", FfmpegCommands.frameTiming(vfr, Rational.of(2700, 119), "0.011018"));
        JobPlan plan = TestPlans.ntsc720();
        List<String> c = FfmpegCommands.encodeChunk(Path.of("ffmpeg"), "http://127.0.0.1:9/s", plan, ChunkPlanner.chunk(1, 900, 60, 300), Path.of("/tmp/c"));
        assertTrue(c.get(c.indexOf("-filter_complex") + 1).startsWith("[0:v:0]setpts=N*1001/(30000*TB),split=2"), c.toString());
        assertFalse(c.contains("-noaccurate_seek"), "constant rate: ffmpeg drops the frames before the chunk");
        JobPlan vfrPlan = new JobPlan(plan.jobId(), plan.source(), new SourceInfo("mov", 1, 30, vfr, null), Rational.of(2700, 119), 90, 23, 46, 2,
                4, plan.renditions(), plan.encode(), plan.layout(), 0, 0, 0);
        List<String> v = FfmpegCommands.encodeChunk(Path.of("ffmpeg"), "http://127.0.0.1:9/s", vfrPlan, ChunkPlanner.chunk(1, 90, 23, 46), Path.of("/tmp/c"));
        assertEquals(v.indexOf("-ss") - 1, v.indexOf("-noaccurate_seek"), "variable rate: the fps filter needs the frame showing at the chunk start");
        assertTrue(v.get(v.indexOf("-filter_complex") + 1).startsWith("[0:v:0]setpts=PTS-0.011019/TB,fps=fps=2700/119"), v.toString());
        // nominal 120 fps capped at 60: the capture grid first, then the frame on screen at each 60 fps slot's start
        SourceInfo.Video fast = new SourceInfo.Video("h264", 320, 180, 0, Rational.of(1, 1), Rational.of(114, 1), 342, "yuv420p", 0, "", "", false,
                Rational.of(120, 1));
        assertEquals("setpts=PTS-0.004166/TB,fps=fps=120/1:start_time=0:round=near,fps=fps=60/1:round=up",
                FfmpegCommands.frameTiming(fast, Rational.of(60, 1), "0.004166"));
    }

    @Test
    void fragmentedSourcesAreCountedFromPacketsWithTheSameLocks() {
        List<String> c = FfmpegCommands.packetTimes(Path.of("/opt/bin/ffprobe"), "http://127.0.0.1:9/s");
        assertTrue(Collections.indexOfSubList(c, List.of("-protocol_whitelist", "http,tcp", "-f", "mov", "-enable_drefs", "0")) >= 0, c.toString());
        assertEquals("packet=pts,duration", c.get(c.indexOf("-show_entries") + 1));
    }

    @Test
    void aChunkTakesItsStillsFromTheTreatedFramesBesideTheRenditions() {
        JobPlan plan = TestPlans.ntsc720();
        SourceInfo.Video v = plan.sourceInfo().video();
        FfmpegCommands.Stills stills = new FfmpegCommands.Stills(List.of(0, 29, 59), 160, 90, 30, 1280, 720);
        List<String> c = FfmpegCommands.encodeChunk(Path.of("ffmpeg"), "http://127.0.0.1:9/s", plan, ChunkPlanner.chunk(1, 900, 60, 300), Path.of("/tmp/c"), stills);
        String graph = c.get(c.indexOf("-filter_complex") + 1);
        int renditions = plan.renditions().size();
        assertTrue(graph.contains("split=" + (renditions + 2)) && graph.contains("[tiles][poster];"), graph);
        // after frame timing: frame n is output frame chunk start + n
        assertTrue(graph.indexOf(FfmpegCommands.frameTiming(v, plan.frameRate(), "0.008341")) < graph.indexOf("split="), graph);
        assertTrue(graph.contains("[tiles]select=eq(n\\,0)+eq(n\\,29)+eq(n\\,59),setpts=N*1001/(30000*TB),scale=160:90:flags=bicubic,setsar=1[t]"), graph);
        assertTrue(graph.contains("[poster]select=eq(n\\,30),setpts=N*1001/(30000*TB),scale=1280:720:flags=bicubic,setsar=1[p]"), graph);
        int tiles = c.indexOf("/tmp/c/tile-%03d.jpg");
        assertEquals(List.of("-map", "[t]"), c.subList(c.lastIndexOf("[t]") - 1, c.lastIndexOf("[t]") + 1));
        assertEquals("3", c.get(c.subList(0, tiles).lastIndexOf("-frames:v") + 1), "three tiles, no more");
        assertTrue(c.contains("/tmp/c/poster.jpg"));

        List<String> none = FfmpegCommands.encodeChunk(Path.of("ffmpeg"), "http://127.0.0.1:9/s", plan, ChunkPlanner.chunk(1, 900, 60, 300), Path.of("/tmp/c"));
        String plain = none.get(none.indexOf("-filter_complex") + 1);
        assertTrue(plain.contains("split=" + renditions) && !plain.contains("select") && !none.contains("image2"), "a chunk without stills: " + plain);
    }

    @Test
    void everyRenditionIsCappedCrfWithTheSameOptionsInEveryChunk() {
        JobPlan plan = TestPlans.ntsc720();
        List<String> first = FfmpegCommands.encodeChunk(Path.of("ffmpeg"), "http://127.0.0.1:9/s", plan, ChunkPlanner.chunk(0, 900, 60, 300), Path.of("/tmp/c"));
        List<String> last = FfmpegCommands.encodeChunk(Path.of("ffmpeg"), "http://127.0.0.1:9/s", plan, ChunkPlanner.chunk(2, 900, 60, 300), Path.of("/tmp/c"));
        for (var r : plan.renditions()) {
            List<String> x264 = FfmpegCommands.videoEncoderOptions(plan, r);
            assertEquals("23", x264.get(x264.indexOf("-crf") + 1));
            assertEquals(r.maxrateKbps() + "k", x264.get(x264.indexOf("-maxrate") + 1), r.id() + ": capped at the rung's rate");
            assertEquals(2 * r.maxrateKbps() + "k", x264.get(x264.indexOf("-bufsize") + 1), r.id() + ": a VBV buffer of 2 s at the cap");
            assertEquals("high", x264.get(x264.indexOf("-profile:v") + 1));
            assertTrue(!x264.contains("-level"), "x264 picks the lowest level that fits size, rate and VBV (checked end to end)");
            assertTrue(Collections.indexOfSubList(first, x264) >= 0 && Collections.indexOfSubList(last, x264) >= 0,
                    r.id() + ": the same encoder options in every chunk (identical init segments)");
        }
    }
}
