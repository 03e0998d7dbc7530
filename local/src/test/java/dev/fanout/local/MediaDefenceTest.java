package dev.fanout.local;

import dev.fanout.encoder.media.AudioPieceCommands;
import dev.fanout.encoder.media.FfmpegCommands;
import dev.fanout.encoder.media.ProcessRunner;
import dev.fanout.encoder.model.EncodeSettings;
import dev.fanout.encoder.model.JobLayout;
import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.Rendition;
import dev.fanout.encoder.model.SourceInfo;
import dev.fanout.encoder.model.SourceRef;
import dev.fanout.encoder.plan.AudioPieces;
import dev.fanout.encoder.plan.ChunkPlanner;
import dev.fanout.encoder.source.SourceServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static dev.fanout.local.CorpusMedia.pattern;
import static dev.fanout.local.CorpusMedia.tone;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each of the three input defences ({@code -f mov}, {@code -protocol_whitelist http,tcp},
 * {@code -enable_drefs 0}) alone decides the outcome of one crafted upload, for every product
 * command that opens the source: the command as built refuses the reference, the same command
 * with only that defence's options taken out follows it. So a product change that drops the
 * defence makes the "as built" run follow the reference, and the test fails. Everything else is
 * ffmpeg's real defaults, and every run reads the upload as the stages do: from the loopback
 * {@link SourceServer} over an object in the S3 store, on exactly the URL the product builds.
 *
 * <p>Which input each defence decides, with these binaries (ffmpeg 4.4.1, ffprobe 6.x; each row
 * checked by a test below):
 * <pre>
 * input (named .mp4, served without extension) | stopped by, with ffmpeg's defaults otherwise
 * DASH manifest, BaseURL http://loopback        | -f mov only (the whitelist allows http; and the dash
 *                                               |   demuxer opens its segments outside the whitelist)
 * HLS playlist, segment https://loopback        | -f mov, and the whitelist (ffmpeg only: ffprobe 6.x
 *                                               |   no longer probes HLS by content); test: without -f mov
 * mov with a relative data reference            | -enable_drefs 0 only — but that is ffmpeg's default:
 *                                               |   test: with an earlier -enable_drefs 1 (a build or
 *                                               |   wrapper with permissive defaults), ours must win
 * HLS or DASH naming a local file (file:)       | everything: an http input's nested opens inherit the
 *                                               |   http protocol's default whitelist, which has no file
 * </pre>
 * The whitelist alone decides nothing while {@code -f mov} is there (the mov demuxer opens no
 * other resource with references off), and for ffprobe nothing at all that we found: it guards
 * against the loss of {@code -f mov}, and the test shows that for the ffmpeg commands.
 */
class MediaDefenceTest {
    @TempDir
    static Path dir;
    static LayerBinaries bin;
    static ServedFile store;
    static CorpusMedia media;
    static ConnectionRecorder listener;
    static final List<SourceServer> servers = new ArrayList<>();
    static final AtomicInteger runs = new AtomicInteger();

    /** A product command that opens the source, as a function of the source URL. */
    record SourceCommand(String name, Function<String, List<String>> build) {
        boolean isFfmpeg() { return Path.of(build.apply("http://127.0.0.1:1/x").get(0)).getFileName().toString().equals("ffmpeg"); }
    }

    /**
     * Every product command that reads the upload, one per builder. Keep it complete: a builder
     * added (or folded into another) must be listed here.
     */
    static List<SourceCommand> sourceCommands() {
        JobPlan plan = plan();
        AudioPieces pieces = AudioPieces.of(plan);
        return List.of(
                new SourceCommand("probe", url -> FfmpegCommands.probe(bin.ffprobe(), url)),
                new SourceCommand("packetTimes", url -> FfmpegCommands.packetTimes(bin.ffprobe(), url)),
                new SourceCommand("tailCheck", url -> FfmpegCommands.tailCheck(bin.ffmpeg(), url, 0)),
                new SourceCommand("encodeChunk", url -> FfmpegCommands.encodeChunk(bin.ffmpeg(), url, plan,
                        ChunkPlanner.chunk(0, plan.totalFrames(), plan.segmentFrames(), plan.chunkFrames()), out())),
                new SourceCommand("AudioPieceCommands.encode", url -> AudioPieceCommands.encode(bin.ffmpeg(), url, plan, pieces, pieces.piece(0),
                        out().resolve("piece.mp4"))),
                // the chunk encode with thumbnail tiles and the poster among its frames: more outputs, the same input
                new SourceCommand("encodeChunk with stills", url -> FfmpegCommands.encodeChunk(bin.ffmpeg(), url, plan,
                        ChunkPlanner.chunk(0, plan.totalFrames(), plan.segmentFrames(), plan.chunkFrames()), out(),
                        new FfmpegCommands.Stills(List.of(0), 80, 46, 0, 160, 90))));
    }

    @BeforeAll
    static void start() throws Exception {
        bin = LayerBinaries.locate();
        store = ServedFile.store(dir.resolve("s3"));
        media = new CorpusMedia(bin.ffmpeg());
        listener = new ConnectionRecorder();
    }

    @AfterAll
    static void stop() throws Exception {
        servers.forEach(SourceServer::close);
        if (listener != null) listener.close();
        if (store != null) store.close();
    }

    /** -f mov alone: a DASH manifest whose segments are on another server (http, which the whitelist allows). */
    @Test
    void theMovDemuxerAloneStopsADashManifestFetchingFromAnotherServer() throws Exception {
        String url = served("manifest.mp4", """
                <?xml version="1.0"?>
                <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT2S" minBufferTime="PT1S"
                     profiles="urn:mpeg:dash:profile:isoff-on-demand:2011">
                 <Period><AdaptationSet mimeType="video/mp4"><Representation id="1" bandwidth="1000" width="160" height="90" codecs="avc1.640015">
                  <BaseURL>%s</BaseURL>
                  <SegmentTemplate initialization="init.mp4" media="seg-$Number$.m4s" startNumber="1" duration="2" timescale="1"/>
                 </Representation></AdaptationSet></Period></MPD>
                """.formatted(listener.url("dash/")));
        assertDecides("-f mov", sourceCommands(), c -> c, c -> withoutInputOption(c, "-f"), url,
                this::connectionsDuring);
    }

    /**
     * The whitelist alone, once -f mov is gone: an HLS playlist whose segment is on an https
     * URL (https and tls are in ffmpeg's default whitelist for an http input, not in ours). Only
     * the ffmpeg commands: ffprobe 6.x does not take a playlist without .m3u8 for HLS.
     */
    @Test
    void theProtocolWhitelistAloneStopsAnHlsSegmentOverAnotherProtocol() throws Exception {
        String url = served("playlist.mp4", "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n"
                + listener.url("seg.ts").replace("http:", "https:") + "\n#EXT-X-ENDLIST\n");
        List<SourceCommand> ffmpegCommands = sourceCommands().stream().filter(SourceCommand::isFfmpeg).toList();
        assertEquals(4, ffmpegCommands.size(), "every ffmpeg command is checked (tail check, chunk encode with and without stills, audio piece)");
        assertDecides("-protocol_whitelist", ffmpegCommands, c -> withoutInputOption(c, "-f"),
                c -> withoutInputOption(withoutInputOption(c, "-f"), "-protocol_whitelist"), url, this::connectionsDuring);
    }

    /**
     * -enable_drefs 0 alone: a movie whose tracks' data reference names a sibling file. References
     * are off by default in these binaries, so the defence is that ours stays off whatever the
     * defaults: an earlier {@code -enable_drefs 1} stands for a build or wrapper that turns them
     * on. A followed reference shows as a request for the sibling's path on the source server.
     */
    @Test
    void disabledDataReferencesAloneStopAReferenceMovieOpeningItsSibling() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("refmovie"));
        media.clip(folder.resolve("media.mp4"), pattern("160x90", "30", 2), tone(440, 2));
        Path movie = CorpusMedia.withExternalDataReference(
                media.clip(dir.resolve("self-contained.mp4"), pattern("160x90", "30", 2), tone(440, 2)), folder.resolve("movie.mp4"), "media.mp4");
        SourceServer server = store.serve(movie);
        servers.add(server);
        Function<Runnable, Integer> siblingRequests = run -> {
            long before = server.otherPathRequests();
            run.run();
            return (int) (server.otherPathRequests() - before);
        };
        assertDecides("-enable_drefs", sourceCommands(), MediaDefenceTest::withReferencesEnabledByDefault,
                c -> withReferencesEnabledByDefault(withoutInputOption(c, "-enable_drefs")), server.url(), siblingRequests);
    }

    /**
     * A local file is never read: playlists naming a named pipe (whose writer is unblocked only
     * when a reader opens it). The control reads the same playlist from a local path with ffmpeg's
     * defaults and does open the pipe, so a read would be seen.
     */
    @Test
    void noCommandOpensALocalFileTheMediaNames() throws Exception {
        Path fifo = dir.resolve("canary.ts");
        assertTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo");
        String playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:" + fifo + "\n#EXT-X-ENDLIST\n";
        Path local = Files.writeString(dir.resolve("local.m3u8"), playlist);
        assertTrue(opensPipe(fifo, () -> run(List.of(bin.ffmpeg().toString(), "-nostdin", "-v", "error", "-i", local.toString(), "-f", "null", "-"))),
                "control: ffmpeg's defaults on a local playlist read the file it names");

        String url = served("local-file.mp4", playlist);
        List<Executable> checks = new ArrayList<>();
        for (SourceCommand c : sourceCommands()) {
            checks.add(() -> assertFalse(opensPipe(fifo, () -> run(c.build().apply(url))), c.name() + " opened the local file the playlist names"));
        }
        assertAll(checks);
    }

    /**
     * For every command: as built ({@code kept}) the reference is not followed, with the
     * defence taken out ({@code removed}) it is.
     */
    private static void assertDecides(String defence, List<SourceCommand> commands, Function<List<String>, List<String>> kept,
                                      Function<List<String>, List<String>> removed, String url,
                                      Function<Runnable, Integer> followed) {
        List<Executable> checks = new ArrayList<>();
        for (SourceCommand c : commands) {
            checks.add(() -> {
                List<String> built = c.build().apply(url);
                assertEquals(0, followed.apply(() -> run(kept.apply(built))), c.name() + " followed the reference; " + defence + " must stop it");
                assertTrue(followed.apply(() -> run(removed.apply(built))) > 0,
                        "control: without " + defence + ", " + c.name() + " follows the reference (so " + defence + " alone decides)");
            });
        }
        assertAll(checks);
    }

    private Integer connectionsDuring(Runnable run) {
        int before = listener.connections();
        run.run();
        return listener.connections() - before;
    }

    /** The command without one of its input options (flag and value, before the first -i); unchanged if absent. */
    static List<String> withoutInputOption(List<String> command, String flag) {
        List<String> c = new ArrayList<>(command);
        int at = c.indexOf(flag);
        if (at >= 0 && at < c.indexOf("-i")) {
            c.remove(at);
            c.remove(at);
        }
        return c;
    }

    /** Data references on ahead of the command's own options, as a build with permissive defaults would have them. */
    static List<String> withReferencesEnabledByDefault(List<String> command) {
        List<String> c = new ArrayList<>(command);
        c.addAll(1, List.of("-enable_drefs", "1"));
        return c;
    }

    /** Whether a reader opened {@code fifo} while {@code run} ran. */
    private static boolean opensPipe(Path fifo, Runnable run) throws Exception {
        AtomicBoolean opened = new AtomicBoolean();
        AtomicBoolean done = new AtomicBoolean();
        Thread writer = Thread.ofPlatform().start(() -> {
            try (FileOutputStream out = new FileOutputStream(fifo.toFile())) { // blocks until a reader opens the pipe
                if (!done.get()) opened.set(true);
            } catch (IOException e) {
                // the reader went away
            }
        });
        run.run();
        done.set(true);
        // unblock the writer if nobody opened the pipe: opening a FIFO read-write never blocks (Linux)
        try (RandomAccessFile unblock = new RandomAccessFile(fifo.toFile(), "rw")) {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        }
        writer.join(TimeUnit.SECONDS.toMillis(10));
        return opened.get();
    }

    private static String served(String name, String content) throws Exception {
        SourceServer server = store.serve(Files.writeString(dir.resolve(name), content));
        servers.add(server);
        return server.url();
    }

    private static Path out() {
        try {
            return Files.createDirectories(dir.resolve("out-" + runs.incrementAndGet()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void run(List<String> command) {
        ProcessRunner.Result r = ProcessRunner.run(command, Duration.ofSeconds(30), 1 << 20);
        assertFalse(r.timedOut(), "finished: " + command);
    }

    /** 2 s at 30 fps, with audio: enough for every builder. */
    static JobPlan plan() {
        Rational fps = Rational.of(30, 1);
        SourceInfo.Video v = new SourceInfo.Video("h264", 160, 90, 0, Rational.of(1, 1), fps, 60, "yuv420p", 0, "progressive", "bt709", true);
        SourceInfo info = new SourceInfo("mov", 1, 2, v, List.of(new SourceInfo.Audio("aac", 48_000, 1, 0, 2)));
        return new JobPlan("j", new SourceRef("b", "k", "e", 1), info, fps, 60, 30, 60, 1, 2,
                List.of(new Rendition("90p", 160, 90, 500, 1000)), new EncodeSettings("veryfast", 23, 128), JobLayout.of("out", "j"), 0, 0, 0);
    }
}
