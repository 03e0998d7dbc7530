package dev.fanout.encoder.media;

import java.util.List;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.SourceInfo;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FfprobeParserTest {
    static final String PHONE = """
            {"streams":[
              {"index":0,"codec_name":"mjpeg","codec_type":"video","width":300,"height":300,"disposition":{"attached_pic":1}},
              {"index":1,"codec_name":"h264","codec_type":"video","width":1920,"height":1080,"pix_fmt":"yuv420p",
               "sample_aspect_ratio":"1:1","r_frame_rate":"30000/1001","avg_frame_rate":"30000/1001","start_time":"0.066733",
               "duration":"10.010000","nb_frames":"300","side_data_list":[{"side_data_type":"Display Matrix","rotation":-90}]},
              {"index":2,"codec_name":"aac","codec_type":"audio","sample_rate":"44100","channels":2,"start_time":"0.000000","duration":"10.05","nb_frames":"433"}],
             "format":{"format_name":"mov,mp4,m4a,3gp,3g2,mj2","start_time":"0.000000","duration":"10.076733","size":"123"}}
            """;

    @Test
    void readsWhatPlanningNeeds() throws Exception {
        SourceInfo info = FfprobeParser.parse(PHONE, 123);
        SourceInfo.Video v = info.video();
        assertEquals("h264", v.codec(), "cover art is not the video");
        assertEquals(Rational.of(30000, 1001), v.frameRate());
        assertEquals(300, v.frameCount());
        assertEquals(90, v.rotation(), "display matrix -90 = rotate 90° clockwise");
        assertEquals(1080, v.displayWidth(), 1e-9);
        assertEquals(1920, v.displayHeight(), 1e-9);
        assertEquals(0.066733, v.startSeconds(), 1e-9);
        assertEquals(44100, info.firstAudio().sampleRate());
    }

    @Test
    void missingFieldsFallBackSensibly() throws Exception {
        SourceInfo info = FfprobeParser.parse("""
                {"streams":[{"codec_type":"video","codec_name":"vp9","width":640,"height":480,"r_frame_rate":"25/1",
                "avg_frame_rate":"0/0","sample_aspect_ratio":"0:1","duration":"4.0","tags":{"rotate":"180"}}],
                "format":{"duration":"4.0"}}""", 9);
        assertEquals(Rational.of(25, 1), info.video().frameRate());
        assertEquals(100, info.video().frameCount(), "no nb_frames: duration × rate");
        assertEquals(Rational.of(1, 1), info.video().sampleAspect());
        assertEquals(180, info.video().rotation());
        assertNull(info.firstAudio());
    }

    @Test
    void readsFieldOrderAndTransfer() throws Exception {
        SourceInfo.Video v = FfprobeParser.parse("""
                {"streams":[{"codec_type":"video","codec_name":"hevc","width":3840,"height":2160,"avg_frame_rate":"25/1",
                "nb_frames":"250","field_order":"tt","color_transfer":"smpte2084","pix_fmt":"yuv420p10le"}],"format":{"duration":"10"}}""", 1).video();
        assertTrue(v.interlaced());
        assertTrue(v.hdr());
        SourceInfo.Video plain = FfprobeParser.parse(PHONE, 123).video();
        assertFalse(plain.interlaced(), "no field_order: treated as progressive");
        assertFalse(plain.hdr());
    }

    static final String FRAGMENTED = """
            {"streams":[{"codec_type":"video","codec_name":"h264","width":320,"height":180,"r_frame_rate":"30/1",
            "avg_frame_rate":"460800/15479","time_base":"1/15360","duration":"3.023242"}],"format":{"duration":"3.023242"}}""";

    @Test
    void fragmentedMp4IsMeasuredFromItsPackets() throws Exception {
        assertFalse(FfprobeParser.videoFrameCountKnown(FRAGMENTED), "no nb_frames");
        assertTrue(FfprobeParser.videoFrameCountKnown(PHONE));
        assertEquals(Rational.of(1, 15360), FfprobeParser.videoTimeBase(FRAGMENTED));
        SourceInfo info = FfprobeParser.parse(FRAGMENTED, 1);
        // the first timestamp is off by the composition offset; durations are right
        SourceInfo measured = FfprobeParser.withPacketTimes(info, Rational.of(1, 15360), "0,512\n869,512\n1381,512\n1893,1024\n");
        assertEquals(4, measured.video().frameCount());
        assertEquals(Rational.of(24, 1), measured.video().frameRate(), "4 frames in 2560/15360 s");
        assertEquals(320, measured.video().width());
        SourceInfo empty = FfprobeParser.withPacketTimes(info, Rational.of(1, 15360), "");
        assertEquals(0, empty.video().frameCount(), "a track without samples has no frames");
        assertNull(empty.video().frameRate());
    }
}
