package dev.fanout.local;

import dev.fanout.encoder.media.FfmpegCommands;
import dev.fanout.encoder.media.ProcessRunner;
import dev.fanout.encoder.model.SourceRef;
import dev.fanout.encoder.source.SourceServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.fanout.local.CorpusMedia.pattern;
import static dev.fanout.local.CorpusMedia.tone;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The classic ffmpeg SSRF / local-file read, below the pipeline's own first-bytes check: crafted
 * files are read by ffmpeg/ffprobe exactly as the stages read sources (from a loopback
 * {@link SourceServer} over the object in the S3 store), once with ffmpeg's defaults — which do
 * follow the reference, proving the listener would notice — and once with the product's
 * commands, which must not.
 */
class UntrustedMediaTest extends PipelineTestBase {
    CorpusMedia media;
    ConnectionRecorder listener;
    static final List<SourceServer> servers = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        media = new CorpusMedia(fx.bin.ffmpeg());
        listener = new ConnectionRecorder();
    }

    @AfterAll
    void stop() throws Exception {
        servers.forEach(SourceServer::close);
        listener.close();
    }

    @Test
    void hlsPlaylistNamedMp4IsNeverFollowed() throws Exception {
        String url = uploaded("playlist.mp4", "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n" + listener.url("segment.ts") + "\n#EXT-X-ENDLIST\n");
        int before = listener.connections();
        // (recent ffmpeg no longer guesses HLS from the content of a file not named .m3u8; read as HLS it is live)
        run(List.of(fx.bin.ffprobe().toString(), "-v", "error", "-f", "hls", "-i", url));
        assertTrue(listener.connections() > before, "control: read as HLS, the playlist makes ffprobe fetch its segment URL");

        assertProductCommandsStayHome(url);
    }

    @Test
    void concatScriptNamedMp4IsNeverFollowed() throws Exception {
        String url = uploaded("concat.mp4", "ffconcat version 1.0\nfile '" + listener.url("part.mp4") + "'\nfile 'file:///etc/passwd'\n");
        int before = listener.connections();
        run(List.of(fx.bin.ffmpeg().toString(), "-nostdin", "-v", "error", "-safe", "0", "-f", "concat", "-i", url, "-f", "null", "-"));
        assertTrue(listener.connections() > before, "control: the concat demuxer opens the URL the script names");

        assertProductCommandsStayHome(url);
    }

    /**
     * A QuickTime reference movie whose tracks' data reference names a sibling file. With
     * references enabled ffprobe reads that file's packets; with the product's options it reports
     * the skipped reference, reads none, and the tail check decodes nothing.
     */
    @Test
    void externalDataReferenceIsNeverOpened() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("refmovie"));
        media.clip(folder.resolve("media.mp4"), pattern("160x90", "30", 2), tone(440, 2));
        Path movie = CorpusMedia.withExternalDataReference(
                media.clip(dir.resolve("self-contained.mp4"), pattern("160x90", "30", 2), tone(440, 2)), folder.resolve("movie.mp4"), "media.mp4");
        List<String> countPackets = List.of("-select_streams", "v:0", "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0");
        List<String> control = new ArrayList<>(List.of(fx.bin.ffprobe().toString(), "-v", "error", "-enable_drefs", "1"));
        control.addAll(countPackets);
        control.add(movie.toAbsolutePath().toString());
        assertEquals("60", run(control).stdout().strip(), "control: with references enabled the sibling's 60 frames are read");

        fx.upload(movie, "uploads/movie.mp4");
        String input = served("uploads/movie.mp4");

        ProcessRunner.Result probe = run(FfmpegCommands.probe(fx.bin.ffprobe(), input));
        assertTrue(probe.stderrTail().contains("Skipped opening external track"), probe.stderrTail());
        List<String> ours = new ArrayList<>(FfmpegCommands.probe(fx.bin.ffprobe(), input));
        ours.removeAll(List.of("-show_format", "-show_streams", "-of", "json"));
        ours.addAll(ours.indexOf("-i"), countPackets);
        String read = run(ours).stdout().strip();
        assertTrue(read.equals("0") || read.equals("N/A"), "with the product's options no packet comes from the other file: " + read);
        ProcessRunner.Result tail = run(FfmpegCommands.tailCheck(fx.bin.ffmpeg(), input, 0));
        assertFalse(tail.stdout().lines().anyMatch(l -> !l.startsWith("#") && !l.isBlank()), "nothing decodes: " + tail.stdout());
    }

    private void assertProductCommandsStayHome(String url) {
        int before = listener.connections();
        for (List<String> command : List.of(FfmpegCommands.probe(fx.bin.ffprobe(), url), FfmpegCommands.packetTimes(fx.bin.ffprobe(), url),
                FfmpegCommands.tailCheck(fx.bin.ffmpeg(), url, 0))) {
            ProcessRunner.Result r = run(command);
            assertFalse(r.ok(), "refused as MP4: " + command.get(0) + " " + r.stdout() + r.stderrTail());
        }
        assertEquals(before, listener.connections(), "the product's commands never connect to the URL the file names");
    }

    private String uploaded(String name, String content) throws Exception {
        Path file = Files.writeString(dir.resolve(name), content);
        String key = "uploads/" + name;
        fx.upload(file, key);
        return served(key);
    }

    /** The URL a stage would give ffmpeg for this uploaded object. */
    private String served(String key) {
        var head = fx.store.head(PipelineFixture.INPUT, key).orElseThrow();
        SourceServer server = SourceServer.start(fx.store.client(),
                new SourceRef(PipelineFixture.INPUT, key, head.eTag().replace("\"", ""), head.contentLength()));
        servers.add(server);
        return server.url();
    }

    private static ProcessRunner.Result run(List<String> command) {
        ProcessRunner.Result r = ProcessRunner.run(command, Duration.ofSeconds(30), 1 << 20);
        assertFalse(r.timedOut(), "finished: " + command);
        return r;
    }
}
