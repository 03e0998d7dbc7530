package dev.fanout.encoder.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.storage.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** plan.json and job.json carry every audio track and the skipped ones; a source without audio has no "audio" key, as before. */
class SourceInfoAudioJsonTest {
    @Test
    void audioTracksAndSkippedTracksSurviveTheRoundTrip() throws Exception {
        SourceInfo info = new SourceInfo("mov", 10, 9, null,
                List.of(new SourceInfo.Audio("aac", 48000, 2, 0, 9, 1, 0, "eng", "", false),
                        new SourceInfo.Audio("aac", 44100, 1, 0, 9, 2, 1, "deu", "Deutsch", true)),
                List.of(new SourceInfo.SkippedAudio(3, 2, "fra", "Audio.NoSamples", "audio track 3 (fra, stream #0:3) has no samples; it is left out")));
        String json = Json.MAPPER.writeValueAsString(info);
        assertEquals(info, Json.MAPPER.readValue(json, SourceInfo.class), json);
        JsonNode tree = Json.MAPPER.readTree(json);
        assertEquals(List.of("eng", "deu"), tree.path("audio").findValuesAsText("language"));
        assertEquals("Audio.NoSamples", tree.path("skippedAudio").get(0).path("warning").asText());
    }

    @Test
    void aSourceWithoutAudioHasNoAudioKey() throws Exception {
        SourceInfo info = new SourceInfo("mov", 10, 9, null, null);
        String json = Json.MAPPER.writeValueAsString(info);
        JsonNode tree = Json.MAPPER.readTree(json);
        assertFalse(tree.has("audio"), json);
        assertFalse(tree.has("skippedAudio"), json);
        assertEquals("mov", tree.path("formatName").asText());
        assertEquals(info, Json.MAPPER.readValue(json, SourceInfo.class));
    }
}
