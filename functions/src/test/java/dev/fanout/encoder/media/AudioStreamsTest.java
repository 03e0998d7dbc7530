package dev.fanout.encoder.media;

import dev.fanout.encoder.model.SourceInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every audio stream of ffprobe's output: delivered with language, title and default, or left out with a named warning. */
class AudioStreamsTest {
    /** As ffprobe 6 prints an MP4 with three audio tracks, the last with no samples (no nb_frames). */
    static final String THREE_TRACKS = """
            {"streams":[
              {"index":0,"codec_name":"h264","codec_type":"video","width":320,"height":180,"avg_frame_rate":"30/1","r_frame_rate":"30/1","nb_frames":"270","duration":"9"},
              {"index":1,"codec_name":"aac","codec_type":"audio","sample_rate":"48000","channels":1,"nb_frames":"423","duration":"9",
               "disposition":{"default":0},"tags":{"language":"eng","handler_name":"SoundHandler"}},
              {"index":2,"codec_name":"aac","codec_type":"audio","sample_rate":"44100","channels":2,"nb_frames":"389","duration":"9",
               "disposition":{"default":1},"tags":{"language":"deu","handler_name":"Deutsch \\"Kommentar\\"\\n<b>"}},
              {"index":3,"codec_name":"aac","codec_type":"audio","sample_rate":"48000","channels":2,"duration":"9",
               "disposition":{"default":0},"tags":{"language":"fra"}}],
             "format":{"format_name":"mov,mp4,m4a,3gp,3g2,mj2","start_time":"0.000000","duration":"9.0"}}
            """;

    @Test
    void everyTrackWithSamplesIsDeliveredWithItsLanguageTitleAndDefault() throws Exception {
        SourceInfo info = FfprobeParser.parse(THREE_TRACKS, 1);
        List<SourceInfo.Audio> audio = info.audio();
        assertEquals(2, audio.size(), "the two tracks with samples: " + audio);
        SourceInfo.Audio eng = audio.get(0), deu = audio.get(1);
        assertEquals(List.of("eng", "deu"), List.of(eng.language(), deu.language()));
        assertEquals(List.of(0, 1), List.of(eng.audioIndex(), deu.audioIndex()), "-map 0:a:N counts the source's audio streams");
        assertEquals(List.of(1, 2), List.of(eng.streamIndex(), deu.streamIndex()));
        assertFalse(eng.defaultTrack(), "a disabled (not default) track is still delivered");
        assertTrue(deu.defaultTrack());
        assertEquals("", eng.title(), "ffmpeg's own handler name is not a title");
        assertEquals("Deutsch Kommentar <b>", deu.title(), "quotes and line breaks removed (HLS quoted-strings hold neither); markup is escaped where it is written");
        assertEquals(44100, deu.sampleRate());
        assertEquals(2, deu.channels());
        assertEquals(eng, info.firstAudio());
    }

    @Test
    void aTrackWithoutSamplesIsLeftOutWithANamedWarning() throws Exception {
        SourceInfo info = FfprobeParser.parse(THREE_TRACKS, 1);
        assertEquals(1, info.skippedAudio().size());
        SourceInfo.SkippedAudio skipped = info.skippedAudio().get(0);
        assertEquals("Audio.NoSamples", skipped.warning());
        assertEquals(3, skipped.streamIndex());
        assertEquals(2, skipped.audioIndex());
        assertEquals("fra", skipped.language());
        assertTrue(skipped.reason().contains("audio track 3") && skipped.reason().contains("stream #0:3"), skipped.reason());
    }

    @Test
    void aFragmentedFileHasNoSampleCountsSoEveryTrackIsDelivered() throws Exception {
        String fragmented = THREE_TRACKS.replace("\"nb_frames\":\"270\",", "");
        SourceInfo info = FfprobeParser.parse(fragmented, 1);
        assertEquals(3, info.audio().size());
        assertTrue(info.skippedAudio().isEmpty());
    }

    @Test
    void atMostEightTracksAreDeliveredAndTheRestNamed() throws Exception {
        StringBuilder streams = new StringBuilder("{\"index\":0,\"codec_type\":\"video\",\"codec_name\":\"h264\",\"nb_frames\":\"90\"}");
        for (int i = 1; i <= 10; i++) {
            streams.append(",{\"index\":").append(i).append(",\"codec_type\":\"audio\",\"codec_name\":\"aac\",\"sample_rate\":\"48000\",\"nb_frames\":\"100\"}");
        }
        SourceInfo info = FfprobeParser.parse("{\"streams\":[" + streams + "],\"format\":{\"duration\":\"3\"}}", 1);
        assertEquals(AudioStreams.MAX_AUDIO_TRACKS, info.audio().size());
        assertEquals(List.of(9, 10), info.skippedAudio().stream().map(SourceInfo.SkippedAudio::streamIndex).toList());
        assertTrue(info.skippedAudio().stream().allMatch(s -> s.warning().equals("Audio.TooManyTracks")), info.skippedAudio()::toString);
    }

    @Test
    void languagesAndTitlesAreCleanedUp() {
        assertEquals("und", AudioStreams.language(""));
        assertEquals("und", AudioStreams.language("e1g"));
        assertEquals("eng", AudioStreams.language(" ENG "));
        assertEquals("", AudioStreams.handlerTitle("Core Media Audio"));
        assertEquals("", AudioStreams.handlerTitle("GPAC ISO Audio Handler"));
        assertEquals("Director's commentary", AudioStreams.handlerTitle("Director's\tcommentary"));
        assertEquals(AudioStreams.MAX_TITLE, AudioStreams.title("x".repeat(500)).length());
    }
}
