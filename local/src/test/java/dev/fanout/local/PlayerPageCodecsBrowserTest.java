package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.player.PlayerPage;
import dev.fanout.encoder.storage.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A job with an H.264 and an AV1 ladder in Chromium (which decodes both; it cannot decode HEVC,
 * which CodecLadderTest checks with ffmpeg instead): with {@code ?codec=av1} every player plays the
 * AV1 ladder and switches through its renditions, the player reporting av01 for what it buffers
 * and the page saying AV1; without it the page picks the ladder's first codec the browser decodes,
 * H.264. Same driver as {@link PlayerPageBrowserTest}.
 */
class PlayerPageCodecsBrowserTest {
    static final double PLAY_SECONDS = 3 * 2 + 0.5;

    @TempDir
    static Path dir;
    static PipelineFixture fx;
    static PipelineFixture.Job job;
    static OutputServer server;
    static List<Map<String, Object>> h264 = new ArrayList<>();
    static List<Map<String, Object>> av1 = new ArrayList<>();

    @BeforeAll
    static void encodeAndServe() throws Exception {
        assertTrue(Files.isExecutable(PlayerPageBrowserTest.CHROMIUM), "the browser tests need Debian's chromium at " + PlayerPageBrowserTest.CHROMIUM);
        fx = new PipelineFixture(dir);
        Path src = fx.generate("codecs-player.mp4", SampleClip.of(320, 180, "30", 16));
        fx.upload(src, "uploads/codecs-player.mp4");
        job = fx.run("uploads/codecs-player.mp4", Map.of("LADDER", "180@400,120@200", "SEGMENT_SECONDS", "2", "CHUNK_SECONDS", "4",
                "CODECS", "h264,av1"));
        assertTrue(job.outcome().succeeded(), () -> "job failed: " + job.outcome().result());
        for (JsonNode r : job.record().path("ladder")) {
            Map<String, Object> m = Map.of("id", r.path("id").asText(), "width", r.path("width").asInt(), "height", r.path("height").asInt());
            (r.path("id").asText().endsWith("-av1") ? av1 : h264).add(m);
        }
        assertEquals(List.of("180p-av1", "120p-av1"), av1.stream().map(r -> r.get("id")).toList(), "the AV1 ladder under test");
        assertEquals(List.of("180p", "120p"), h264.stream().map(r -> r.get("id")).toList(), "the H.264 ladder under test");
        server = OutputServer.start(job.dir(), 0);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (fx != null) fx.close();
    }

    @Test
    void dashjsPlaysTheAv1Ladder() throws Exception { assertPlays("dashjs", "av1", av1, "av01.", "AV1"); }

    @Test
    void shakaPlayerPlaysTheAv1Ladder() throws Exception { assertPlays("shaka", "av1", av1, "av01.", "AV1"); }

    @Test
    void hlsjsPlaysTheAv1Ladder() throws Exception { assertPlays("hls", "av1", av1, "av01.", "AV1"); }

    @Test
    void withoutACodecThePageChoosesTheLaddersFirstDecodableCodec() throws Exception { assertPlays("dashjs", null, h264, "avc1.", "H.264"); }

    private static void assertPlays(String player, String codec, List<Map<String, Object>> renditions, String codecsPrefix, String label) throws Exception {
        JsonNode r = drive(player, codec, renditions);
        String report = "\n" + r.toPrettyString();
        if (!r.path("fatal").isNull()) fail(player + ": the browser run failed: " + r.path("fatal").asText() + report);
        assertTrue(r.path("ready").asBoolean(), player + ": the player never became ready" + report);
        assertEquals(codec == null ? "h264" : codec, r.path("codec").asText(), player + ": the page's codec" + report);
        assertTrue(r.path("playedTo").asDouble() >= PLAY_SECONDS, player + ": playback did not pass " + PLAY_SECONDS + " s" + report);
        assertTrue(r.path("playing").asText().startsWith(codecsPrefix), player + ": the player buffers " + r.path("playing") + report);
        assertEquals(renditions.size(), r.path("switches").size(), player + ": one switch per rendition" + report);
        for (JsonNode s : r.path("switches")) {
            String id = s.path("id").asText();
            assertTrue(s.path("error").isNull(), player + ": switching to " + id + ": " + s.path("error").asText() + report);
            assertEquals(s.path("expected").toString(), s.path("observed").toString(), player + ": after selecting " + id + " the decoded size" + report);
            assertTrue(s.path("playing").asText().startsWith(codecsPrefix), player + ": " + id + " is played as " + s.path("playing") + report);
            assertTrue(s.path("status").asText().contains("(" + id + ") · " + label + " " + codecsPrefix),
                    player + ": the page says which rendition and codec is playing: " + s.path("status") + report);
        }
        assertEquals("[]", r.path("playerErrors").toString(), player + report);
        assertEquals("[]", r.path("pageErrors").toString(), player + report);
        List<String> consoleErrors = new ArrayList<>();
        for (JsonNode m : r.path("consoleLog")) if (m.path("type").asText().equals("error")) consoleErrors.add(m.path("text").asText());
        assertEquals(List.of(), consoleErrors, player + ": console errors" + report);
        assertEquals("[]", r.path("failedResponses").toString(), player + report);
        assertEquals("[]", r.path("unexpectedRequests").toString(), player + report);
    }

    private static JsonNode drive(String player, String codec, List<Map<String, Object>> renditions) throws Exception {
        Map<String, String> routes = new LinkedHashMap<>();
        for (PlayerPage.Library lib : PlayerPage.LIBRARIES) routes.put(lib.url(), PlayerPageBrowserTest.NPM.resolve(lib.npmPackage()).resolve(lib.file()).toString());
        Files.createDirectories(PlayerPageBrowserTest.SCREENSHOTS);
        String name = player + "-" + (codec == null ? "default" : codec);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("playwrightCore", PlayerPageBrowserTest.NPM.resolve("playwright-core").toString());
        config.put("chromium", PlayerPageBrowserTest.CHROMIUM.toString());
        config.put("userDataDir", Files.createTempDirectory(dir, "chromium-profile-").toString());
        config.put("url", server.url() + "?player=" + player + (codec == null ? "" : "&codec=" + codec));
        config.put("routes", routes);
        config.put("renditions", renditions);
        config.put("playSeconds", PLAY_SECONDS);
        config.put("screenshot", PlayerPageBrowserTest.SCREENSHOTS.resolve("player-codec-" + name + ".png").toString());
        config.put("stepTimeoutMs", 15_000);
        Path configFile = dir.resolve("driver-" + name + ".json");
        Json.MAPPER.writeValue(configFile.toFile(), config);
        Path out = dir.resolve(configFile.getFileName() + ".out");
        Path err = dir.resolve(configFile.getFileName() + ".err");
        Process p = new ProcessBuilder("node", PlayerPageBrowserTest.DRIVER.toString(), configFile.toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(150, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail(name + ": the browser driver did not finish in 150 s; stderr: " + Files.readString(err));
        }
        String stdout = Files.readString(out).strip();
        if (stdout.isEmpty()) fail(name + ": the browser driver printed nothing (exit " + p.exitValue() + "); stderr: " + Files.readString(err));
        return Json.MAPPER.readTree(stdout.substring(stdout.lastIndexOf('\n') + 1));
    }
}
