package dev.fanout.encoder.media;

import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.TestPlans;
import dev.fanout.encoder.plan.ChunkPlanner;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command that opens the source, with the options ffmpeg applies to that input (those
 * before its {@code -i}): the demuxer, protocol and data-reference locks, and the reconnect and
 * stall options for the source server's URL (the only input a command accepts).
 */
class FfmpegSourceCommandsTest {
    static final Path FFMPEG = Path.of("/opt/bin/ffmpeg");
    static final Path FFPROBE = Path.of("/opt/bin/ffprobe");
    /** What a {@link dev.fanout.encoder.source.SourceServer} hands out: loopback, an IP literal, plain http. */
    static final String URL = "http://127.0.0.1:40123/source/5f0c2a";

    static Map<String, List<String>> everyCommandOpening(String input) {
        JobPlan plan = TestPlans.ntsc720();
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("probe", FfmpegCommands.probe(FFPROBE, input));
        m.put("packetTimes", FfmpegCommands.packetTimes(FFPROBE, input));
        m.put("tailCheck", FfmpegCommands.tailCheck(FFMPEG, input, 29));
        m.put("encodeChunk", FfmpegCommands.encodeChunk(FFMPEG, input, plan, ChunkPlanner.chunk(1, 900, 60, 300), Path.of("/tmp/c")));
        m.put("audioPiece", AudioPieceCommands.encode(FFMPEG, input, plan, dev.fanout.encoder.plan.AudioPieces.of(plan),
                dev.fanout.encoder.plan.AudioPieces.of(plan).piece(1), Path.of("/tmp/a/piece.mp4")));
        return m;
    }

    /** The options given for the input: everything between the program and the input's -i. */
    static Map<String, String> inputOptions(List<String> command, String input) {
        int i = command.indexOf("-i");
        assertEquals(input, command.get(i + 1), "one input, the source");
        assertEquals(1, Collections.frequency(command, "-i"), command.toString());
        Map<String, String> o = new LinkedHashMap<>();
        for (int k = 1; k < i; k++) {
            String a = command.get(k);
            if (!a.startsWith("-")) continue;
            o.put(a, k + 1 < i && !command.get(k + 1).startsWith("-") || a.equals("-ss") ? command.get(k + 1) : "");
        }
        return o;
    }

    @Test
    void everySourceReadIsLockedToMp4PlainHttpAndNoDataReferences() {
        for (var e : everyCommandOpening(URL).entrySet()) {
            Map<String, String> o = inputOptions(e.getValue(), URL);
            String what = e.getKey() + ": " + o;
            assertEquals("http,tcp", o.get("-protocol_whitelist"), what);
            assertEquals("mov", o.get("-f"), what);
            assertEquals("0", o.get("-enable_drefs"), what);
        }
    }

    @Test
    void theSourceIsReopenedOnServerErrorsAndStalls() {
        for (var e : everyCommandOpening(URL).entrySet()) {
            Map<String, String> o = inputOptions(e.getValue(), URL);
            String what = e.getKey() + ": " + o;
            assertEquals("1", o.get("-reconnect"), what);
            assertEquals("1", o.get("-reconnect_on_network_error"), what);
            assertEquals("5xx", o.get("-reconnect_on_http_error"), what);
            assertEquals("8", o.get("-reconnect_delay_max"), what);
            assertEquals("10000000", o.get("-rw_timeout"), what + ": 10 s without a byte, in microseconds");
        }
    }

    @Test
    void theTailCheckDecodesTheVideoFromItsStartTimeAndStopsAtTheFirstError() {
        List<String> c = FfmpegCommands.tailCheck(FFMPEG, URL, 28.5);
        assertEquals("28.500000", c.get(c.indexOf("-ss") + 1));
        assertTrue(c.indexOf("-ss") < c.indexOf("-i"), "an input seek: only the last second is decoded");
        assertTrue(c.contains("-xerror"));
        assertEquals(List.of("-map", "0:v:0", "-f", "framecrc", "-"), c.subList(c.size() - 5, c.size()));
        // a source shorter than a second (or a view of its last fragments): from the start, with no
        // seek, which would make ffmpeg read again what it probed
        assertFalse(FfmpegCommands.tailCheck(FFMPEG, URL, -0.4).contains("-ss"), "from the start: no seek");
    }

    @Test
    void everyRenditionsPadIsConnectedExactlyOnce() {
        JobPlan plan = TestPlans.ntsc720();
        List<String> c = FfmpegCommands.encodeChunk(FFMPEG, URL, plan, ChunkPlanner.chunk(0, 900, 60, 300), Path.of("/tmp/c"));
        String graph = c.get(c.indexOf("-filter_complex") + 1);
        Map<String, Integer> produced = new LinkedHashMap<>();
        Map<String, Integer> consumed = new LinkedHashMap<>();
        // a label after a filter (or another label) is an output; one at the start of a chain is an input
        for (String chain : graph.split(";")) {
            Matcher in = Pattern.compile("^(\\[[^]]+])+").matcher(chain);
            String inputs = in.find() ? in.group() : "";
            for (Matcher l = Pattern.compile("\\[([^]]+)]").matcher(inputs); l.find(); ) consumed.merge(l.group(1), 1, Integer::sum);
            Matcher out = Pattern.compile("(\\[[^]]+])+$").matcher(chain.substring(inputs.length()));
            if (out.find()) for (Matcher l = Pattern.compile("\\[([^]]+)]").matcher(out.group()); l.find(); ) produced.merge(l.group(1), 1, Integer::sum);
        }
        for (int i = 0; i < c.size() - 1; i++) {
            if (c.get(i).equals("-map") && c.get(i + 1).startsWith("[")) consumed.merge(c.get(i + 1).replaceAll("[\\[\\]]", ""), 1, Integer::sum);
        }
        assertEquals(Map.of("s0", 1, "s1", 1, "v0", 1, "v1", 1), produced, graph);
        assertEquals(Map.of("0:v:0", 1, "s0", 1, "s1", 1, "v0", 1, "v1", 1), consumed, graph);
        assertTrue(graph.contains("split=2[s0][s1];"), graph);
    }
}
