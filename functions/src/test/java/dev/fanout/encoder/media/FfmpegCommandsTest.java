package dev.fanout.encoder.media;

import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.SourceInfo;
import dev.fanout.encoder.model.TestPlans;
import dev.fanout.encoder.plan.ChunkPlanner;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FfmpegCommandsTest {
    @Test
    void inputsAreLockedToMp4AndTheirOwnProtocol() {
        assertEquals("https,tls,tcp", FfmpegCommands.protocolWhitelist("https://bucket.s3.amazonaws.com/k?X-Amz-Signature=1"));
        assertEquals("http,tcp", FfmpegCommands.protocolWhitelist("http://127.0.0.1:9000/b/k"));
        assertEquals("file", FfmpegCommands.protocolWhitelist("/tmp/in.mp4"));
        assertThrows(IllegalArgumentException.class, () -> FfmpegCommands.protocolWhitelist("concat:/etc/passwd|x"));
        List<String> probe = FfmpegCommands.probe(Path.of("/opt/bin/ffprobe"), "http://h/k");
        assertTrue(Collections.indexOfSubList(probe, List.of("-protocol_whitelist", "http,tcp", "-f", "mov", "-enable_drefs", "0")) >= 0, probe.toString());
    }

    @Test
    void chunkCommandPutsFramesOnTheGlobalGrid() {
        JobPlan plan = TestPlans.ntsc720();
        List<String> c = FfmpegCommands.encodeChunk(Path.of("ffmpeg"), "http://h/k", plan, ChunkPlanner.chunk(1, 900, 60, 300), Path.of("/tmp/c"));
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
        return new SourceInfo.Video("h264", 1920, 1080, 0, Rational.of(1, 1), Rational.of(25, 1), 250, "yuv420p10le", 0, fieldOrder, transfer);
    }

    @Test
    void interlacedSourcesAreDeinterlacedFrameForFrameAndHdrIsToneMapped() {
        assertEquals(List.of(), FfmpegCommands.sourceFilters(video("progressive", "bt709")));
        assertEquals(List.of(), FfmpegCommands.sourceFilters(video("", "")), "unknown field order: left alone");
        assertEquals(List.of(FfmpegCommands.DEINTERLACE), FfmpegCommands.sourceFilters(video("tt", "bt709")));
        assertTrue(FfmpegCommands.DEINTERLACE.contains("mode=send_frame"), "one frame out per frame in: the frame grid holds");
        List<String> hdr = FfmpegCommands.sourceFilters(video("bb", "smpte2084"));
        assertEquals(2, hdr.size());
        assertTrue(hdr.get(1).startsWith("zscale=tin=smpte2084") && hdr.get(1).contains("tonemap=") && hdr.get(1).endsWith("format=yuv420p"), hdr.toString());
        assertTrue(FfmpegCommands.sourceFilters(video("progressive", "arib-std-b67")).get(0).startsWith("zscale=tin=arib-std-b67"), "HLG too");
        assertEquals(List.of("-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709"),
                FfmpegCommands.colorTags(video("progressive", "smpte2084")));
        assertEquals(List.of(), FfmpegCommands.colorTags(video("progressive", "bt709")), "SDR keeps the source's tags");
    }

    @Test
    void fragmentedSourcesAreCountedFromPacketsWithTheSameLocks() {
        List<String> c = FfmpegCommands.packetTimes(Path.of("/opt/bin/ffprobe"), "http://h/k");
        assertTrue(Collections.indexOfSubList(c, List.of("-protocol_whitelist", "http,tcp", "-f", "mov", "-enable_drefs", "0")) >= 0, c.toString());
        assertEquals("packet=pts,duration", c.get(c.indexOf("-show_entries") + 1));
    }
}
