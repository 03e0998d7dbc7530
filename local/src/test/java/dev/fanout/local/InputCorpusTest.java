package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.media.ProcessRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.fanout.local.CorpusMedia.pattern;
import static dev.fanout.local.CorpusMedia.tone;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The input corpus: uploads from people we do not control, each generated here with the shipped
 * ffmpeg and run end to end through the deployed state machine. Every input either produces a
 * correct DASH presentation (checked by {@link DashOutputCheck} plus the property that input
 * class is about) or ends FAILED with the exact named error, a reason a person can act on, no
 * manifest, nothing encoded, and the uploaded object unchanged. docs/input-handling.md lists
 * the same cases; {@link InputHandlingDocTest} keeps the two in step.
 */
class InputCorpusTest {
    @TempDir
    static Path dir;
    static PipelineFixture fx;
    static CorpusMedia media;
    static MediaProbe probe;
    static DashOutputCheck check;
    static ConnectionRecorder listener;

    /** Two renditions, 1 s segments, 2 s chunks: a 3 s clip has two chunks and a seam. */
    static final Map<String, String> SMALL = Map.of("LADDER", "180@400,90@150", "SEGMENT_SECONDS", "1", "CHUNK_SECONDS", "2");

    interface Source { Path make(Path file) throws Exception; }

    interface Property {
        void check(Path source, PipelineFixture.Job job) throws Exception;

        default Property and(Property next) {
            return (s, j) -> { check(s, j); next.check(s, j); };
        }
    }

    /**
     * An input that must encode.
     *
     * @param frameRate     the planned output rate (exact), {@code frames} the expected frame count
     * @param psnrReference filter applied to the source before the per-frame PSNR comparison
     *                      (the same conversion the product applies), or "" for none
     */
    record Accepted(String name, String key, Source source, String frameRate, long frames, boolean audio,
                    String psnrReference, Property property) {
        @Override
        public String toString() { return name; }
    }

    /** An input that must be rejected with {@code error} before any encoding. */
    record Rejected(String name, Source source, Map<String, String> settings, String error, List<String> reasonMentions) {
        @Override
        public String toString() { return name; }
    }

    static Accepted accept(String name, Source source, String frameRate, long frames, boolean audio, Property property) {
        return new Accepted(name, "uploads/" + name.replaceAll("[^A-Za-z0-9.]+", "-") + ".mp4", source, frameRate, frames, audio, "", property);
    }

    static Property none() { return (s, j) -> { }; }

    static Stream<Accepted> accepted() {
        return Stream.of(
                accept("moov at the end", f -> media.clip(f, pattern("320x180", "30", 3), tone(440, 3)), "30", 90, true, renditions("320x180", "160x90")),
                accept("moov at the front (faststart)", f -> media.clip(f, pattern("320x180", "30", 3), tone(440, 3), "-movflags", "+faststart"),
                        "30", 90, true, none()),
                // ffmpeg's fragmented output (H.264 without B-frames, AAC) moves the first video sample
                // to 0 and lengthens it by the AAC priming (840 ticks of 15360, the others 512): the
                // frames are still 1/30 s apart, so the source's 90 frames, output frame n = source frame n
                // (the product's constant-rate timing, setpts=N, is the reference's: no frame repeated)
                new Accepted("fragmented MP4", "uploads/fragmented.mp4", f -> media.clip(f, pattern("320x180", "30", 3), tone(440, 3),
                        "-movflags", "+frag_keyframe+empty_moov+default_base_moof"), "30", 90, true, "setpts=N/(30*TB)", none()),
                accept("odd dimensions 321x181", f -> media.ffmpeg(f, "-f", "lavfi", "-i", pattern("321x181", "30", 3),
                        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p"), "30", 90, false, renditions("320x180", "160x90")),
                accept("portrait 180x320", f -> media.clip(f, pattern("180x320", "30", 3), null), "30", 90, false, renditions("180x320", "90x160")),
                accept("rotated 90 (display matrix)", f -> rotated(f, 90), "30", 90, false,
                        renditions("180x320", "90x160").and(InputCorpusTest::noRotationLeft)),
                accept("rotated 180 (display matrix)", f -> rotated(f, 180), "30", 90, false,
                        renditions("320x180", "160x90").and(InputCorpusTest::noRotationLeft)),
                accept("rotated 270 (display matrix)", f -> rotated(f, 270), "30", 90, false,
                        renditions("180x320", "90x160").and(InputCorpusTest::noRotationLeft)),
                accept("tiny 16x16", f -> media.clip(f, pattern("16x16", "30", 3), null), "30", 90, false, renditions("16x16")),
                accept("non-square pixels (SAR 4:3)", f -> media.clip(f, pattern("240x180", "30", 3), null, "-vf", "setsar=4/3"),
                        "30", 90, false, renditions("320x180", "160x90").and(squarePixels())),
                // 60 frames at 30 fps, then 30 at 15 fps; the last lasts 1/30 s: 90 frames in 119/30 s,
                // converted at the nominal 30 fps (every frame kept, the 15 fps part shown twice each)
                new Accepted("variable frame rate", "uploads/vfr.mp4", f -> media.ffmpeg(f, "-f", "lavfi", "-i", pattern("320x180", "30", 4),
                        "-vf", "select='lt(t,2)+not(mod(n,2))'", "-vsync", "vfr", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18"),
                        "30", 119, false, "fps=30", sourceRate("2700/119").and(durationPreserved())),
                accept("29.97 fps", f -> media.clip(f, pattern("320x180", "30000/1001", 3), tone(440, 3)), "30000/1001", 90, true, none()),
                accept("59.94 fps", f -> media.clip(f, pattern("320x180", "60000/1001", 3), tone(440, 3)), "60000/1001", 180, true, none()),
                accept("10-bit H.264 (High 10)", f -> media.ffmpeg(f, "-f", "lavfi", "-i", pattern("320x180", "30", 3),
                        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le"), "30", 90, false, eightBitSdr()),
                new Accepted("HDR10 HEVC 10-bit (PQ, BT.2020)", "uploads/hdr10.mp4", f -> media.ffmpeg(f, "-f", "lavfi", "-i", pattern("320x180", "30", 3),
                        "-vf", "setparams=color_primaries=bt2020:color_trc=smpte2084:colorspace=bt2020nc",
                        "-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le", "-tag:v", "hvc1",
                        "-x265-params", "log-level=error:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc"),
                        "30", 90, false, dev.fanout.encoder.media.FfmpegCommands.hdrToSdr("smpte2084"), eightBitSdr()),
                accept("HEVC", f -> media.ffmpeg(f, "-f", "lavfi", "-i", pattern("320x180", "30", 3), "-c:v", "libx265", "-preset", "ultrafast",
                        "-tag:v", "hvc1", "-x265-params", "log-level=error"), "30", 90, false, none()),
                accept("VP9 in MP4", f -> media.ffmpeg(f, "-f", "lavfi", "-i", pattern("320x180", "30", 3), "-c:v", "libvpx-vp9",
                        "-deadline", "realtime", "-cpu-used", "8", "-b:v", "1M"), "30", 90, false, none()),
                new Accepted("interlaced (top field first)", "uploads/interlaced.mp4", f -> media.ffmpeg(f, "-f", "lavfi", "-i", pattern("320x180", "60", 3),
                        "-vf", "tinterlace=mode=interleave_top,setfield=tff", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18",
                        "-flags", "+ildct+ilme"), "30", 90, false, "bwdif=mode=send_frame:parity=auto:deint=all", deinterlaced()),
                accept("shorter than one segment", f -> media.clip(f, pattern("320x180", "30", 0.5), tone(440, 0.5)), "30", 15, true, none()),
                accept("a single frame", f -> media.clip(f, pattern("320x180", "30", 1.0 / 30), null), "30", 1, false, none()),
                accept("audio longer than video", f -> media.clip(f, pattern("320x180", "30", 2), tone(440, 3)), "30", 60, true, none()),
                accept("audio shorter than video", f -> media.clip(f, pattern("320x180", "30", 3), tone(440, 1)), "30", 90, true,
                        silentAfter(1.1)),
                accept("two audio tracks", f -> media.ffmpeg(f, "-f", "lavfi", "-i", pattern("320x180", "30", 3),
                        "-f", "lavfi", "-i", tone(440, 3), "-f", "lavfi", "-i", tone(3000, 3), "-map", "0", "-map", "1", "-map", "2",
                        "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"), "30", 90, true, firstAudioTrack()),
                accept("5.1 audio", f -> media.ffmpeg(f, "-f", "lavfi", "-i", pattern("320x180", "30", 3), "-f", "lavfi", "-i", tone(440, 3),
                        "-af", "pan=5.1|FC=c0", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"), "30", 90, true, stereoDownmix()),
                accept("zero-length audio stream", f -> media.ffmpeg(f, "-f", "lavfi", "-i", pattern("320x180", "30", 3), "-t", "3",
                        "-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "ultrafast",
                        "-c:a", "aac", "-frames:a", "0", "-movflags", "+frag_keyframe+empty_moov+default_base_moof"), "30", 90, true, silentAfter(0)),
                named("uploads/my holiday video (final).mp4"),
                named("uploads/café 東京 🎬 видео.mp4"),
                named("uploads/a+b=c 100% real&done.mp4"),
                named("uploads/$(touch pwned) `id`; rm -rf ~ | cat > x.mp4"),
                named(longKey()));
    }

    /** File names from people: the key must reach ffmpeg intact, and the job must work. */
    static Accepted named(String key) {
        String label = "key " + (key.length() > 80 ? key.getBytes(StandardCharsets.UTF_8).length + " bytes long" : "'" + key + "'");
        return new Accepted(label, key, f -> media.clip(f, pattern("160x90", "30", 1), tone(440, 1), "-metadata", "title=$(touch pwned-title)"),
                "30", 30, true, "", (src, job) -> {
            assertEquals(key, job.record().path("input").path("key").asText(), "job.json names the key exactly");
            assertFalse(Files.exists(Path.of("pwned")) || Files.exists(Path.of("pwned-title")), "nothing was interpreted by a shell");
        });
    }

    /** A 1,024-byte key (the S3 maximum), in folders of at most 200 bytes, with multi-byte characters. */
    static String longKey() {
        StringBuilder key = new StringBuilder("uploads");
        while (key.toString().getBytes(StandardCharsets.UTF_8).length < 1024 - 210) key.append('/').append("é".repeat(50)).append("x".repeat(99));
        String file = "film.mp4";
        int pad = 1024 - key.toString().getBytes(StandardCharsets.UTF_8).length - 1 - file.length();
        return key.append('/').append("y".repeat(pad)).append(file).toString();
    }

    static Stream<Rejected> rejected() {
        return Stream.of(
                reject("empty file", f -> Files.write(f, new byte[0]), "InvalidInput.Empty", "empty"),
                reject("text file", f -> Files.writeString(f, "These are my holiday notes, not a video.\n".repeat(50)),
                        "InvalidInput.NotMp4", "does not start like an MP4", "upload an .mp4"),
                reject("random bytes", f -> Files.write(f, randomBytes(200_000)), "InvalidInput.NotMp4", "does not start like an MP4"),
                reject("PNG image", f -> media.ffmpeg(f, "-f", "lavfi", "-i", pattern("320x180", "1", 1), "-frames:v", "1", "-f", "image2", "-c:v", "png"),
                        "InvalidInput.NotMp4", "\\x89PNG"),
                reject("JPEG image", f -> media.ffmpeg(f, "-f", "lavfi", "-i", pattern("320x180", "1", 1), "-frames:v", "1", "-f", "image2", "-c:v", "mjpeg"),
                        "InvalidInput.NotMp4", "does not start like an MP4"),
                reject("audio only", f -> media.ffmpeg(f, "-f", "lavfi", "-i", tone(440, 3), "-c:a", "aac"), "InvalidInput.NoVideoStream", "audio only"),
                reject("cut off, moov missing", f -> CorpusMedia.cut(media.clip(sibling(f, "whole"), pattern("320x240", "30", 6), tone(440, 6)), f, 0.6),
                        "InvalidInput.Truncated", "no movie header", "incomplete"),
                reject("cut off, moov present, mdat cut", f -> CorpusMedia.cut(media.clip(sibling(f, "whole"), pattern("320x240", "30", 6), tone(440, 6),
                        "-movflags", "+faststart"), f, 0.6), "InvalidInput.Truncated", "cut off"),
                reject("zero-length video stream", f -> media.ffmpeg(f, "-f", "lavfi", "-i", pattern("160x90", "30", 2), "-f", "lavfi", "-i", tone(440, 2),
                        "-map", "0", "-map", "1", "-vf", "trim=start=100", "-c:v", "libx264", "-c:a", "aac",
                        "-movflags", "+frag_keyframe+empty_moov+default_base_moof"), "InvalidInput.EmptyVideo", "no frames"),
                reject("8K picture (limit 4096x2304)", f -> media.clip(f, pattern("7680x4320", "30", 0.1), null),
                        "InvalidInput.TooLarge", "7680x4320", "4096x2304", "MAX_LONG_SIDE"),
                new Rejected("picture above a configured limit", f -> media.clip(f, pattern("320x180", "30", 1), null), Map.of("MAX_LONG_SIDE", "256"),
                        "InvalidInput.TooLarge", List.of("320x180", "256x2304")),
                new Rejected("file above the size limit", f -> media.clip(f, pattern("320x180", "30", 1), null), Map.of("MAX_INPUT_BYTES", "10000"),
                        "InvalidInput.TooLarge", List.of("the limit is 10,000 bytes", "MAX_INPUT_BYTES")),
                new Rejected("video above the duration limit", f -> media.clip(f, pattern("160x90", "30", 3), null), Map.of("MAX_DURATION_SECONDS", "2"),
                        "InvalidInput.TooLong", List.of("3.0 s", "the limit is 2 s", "MAX_DURATION_SECONDS")),
                reject("PNG frames in MOV (unsupported codec)", f -> media.ffmpeg(f, "-f", "lavfi", "-i", pattern("160x90", "30", 1),
                        "-c:v", "png", "-f", "mov"), "InvalidInput.UnsupportedCodec", "'png'", "H.264"),
                reject("HLS playlist named .mp4", f -> Files.writeString(f, "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n"
                        + listener.url("segment.ts") + "\n#EXT-X-ENDLIST\n"), "InvalidInput.NotMp4", "#EXTM3U"),
                reject("ffconcat script to an http URL", f -> Files.writeString(f, "ffconcat version 1.0\nfile '" + listener.url("part.mp4") + "'\n"),
                        "InvalidInput.NotMp4", "ffconcat"),
                reject("ffconcat script to file:///etc/passwd", f -> Files.writeString(f, "ffconcat version 1.0\nfile 'file:///etc/passwd'\n"),
                        "InvalidInput.NotMp4", "ffconcat"),
                reject("HLS playlist behind an MP4 box header", f -> Files.write(f, concat(ftyp(), ("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n"
                        + listener.url("segment.ts") + "\n#EXT-X-ENDLIST\n").getBytes(StandardCharsets.US_ASCII))),
                        "InvalidInput.Truncated", "no movie header"),
                reject("reference movie (dref alias to another file)", f -> CorpusMedia.withExternalDataReference(
                        media.clip(sibling(f, "self-contained"), pattern("160x90", "30", 2), tone(440, 2)), f, "media.mp4"),
                        "InvalidInput.ExternalReference", "media.mp4", "self-contained"));
    }

    static Rejected reject(String name, Source source, String error, String... reasonMentions) {
        return new Rejected(name, source, Map.of(), error, List.of(reasonMentions));
    }

    @BeforeAll
    static void start() throws Exception {
        fx = new PipelineFixture(dir);
        media = new CorpusMedia(fx.bin.ffmpeg());
        probe = new MediaProbe(fx.bin);
        check = new DashOutputCheck(probe);
        listener = new ConnectionRecorder();
    }

    @AfterAll
    static void stop() throws Exception {
        listener.close();
        fx.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void encodesCorrectly(Accepted c) throws Exception {
        Path src = c.source().make(dir.resolve(slug(c.name()) + ".mp4"));
        fx.upload(src, c.key());
        PipelineFixture.InputState before = fx.inputState(c.key());

        PipelineFixture.Job job = fx.run(c.key(), SMALL);

        assertTrue(job.outcome().succeeded(), () -> "job failed: " + job.outcome().result());
        assertEquals("SUCCEEDED", job.record().path("status").asText());
        JsonNode thumbnails = job.record().path("thumbnails");
        assertEquals("SUCCEEDED", thumbnails.path("status").asText(), () -> "poster and thumbnails of every accepted input: " + thumbnails);
        String plannedRate = c.frameRate().contains("/") ? c.frameRate() : c.frameRate() + "/1";
        // the rate a variable-rate source is converted at; a constant-rate source's own frame rate
        assertEquals(plannedRate, job.record().path("source").path("video").path("nominalFrameRate").asText(), "planned frame rate");
        String[] rate = c.frameRate().split("/");
        long num = Long.parseLong(rate[0]);
        long den = rate.length > 1 ? Long.parseLong(rate[1]) : 1;
        int segmentFrames = (int) Math.max(1, Math.round((double) num / den)); // SEGMENT_SECONDS = 1
        check.assertComplete(job.dir(), src, c.frames(), num, den, segmentFrames, c.audio(), c.psnrReference());
        c.property().check(src, job);
        assertEquals(before, fx.inputState(c.key()), "input object unchanged (bytes, ETag, LastModified, metadata)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void failsWithANamedErrorBeforeEncoding(Rejected c) throws Exception {
        String key = "uploads/" + slug(c.name()) + ".mp4";
        fx.upload(c.source().make(dir.resolve(slug(c.name()) + ".mp4")), key);
        PipelineFixture.InputState before = fx.inputState(key);
        Map<String, String> settings = new HashMap<>(SMALL);
        settings.putAll(c.settings());

        PipelineFixture.Job job = fx.run(key, settings);

        assertFalse(job.outcome().succeeded());
        JsonNode record = job.record();
        assertEquals("FAILED", record.path("status").asText());
        assertEquals(c.error(), record.path("error").path("error").asText(), record.toPrettyString());
        String reason = record.path("error").path("reason").asText();
        for (String mention : c.reasonMentions()) assertTrue(reason.contains(mention), "reason mentions '" + mention + "': " + reason);
        assertFalse(reason.contains("Exception") || reason.contains("\tat "), "a reason, not a stack trace: " + reason);
        assertEquals(key, record.path("input").path("key").asText());
        assertEquals(List.of("Probe and plan", "Record failure", "Announce failure", "Encoding failed"), job.statesEntered(),
                "rejected by the probe, before any encoding");
        assertFalse(Files.exists(job.dir().resolve("manifest.mpd")), "no manifest for a failed job");
        assertEquals(before, fx.inputState(key), "input object unchanged (bytes, ETag, LastModified, metadata)");
        assertEquals(0, listener.connections(), "no input made ffmpeg connect to a URL it names");
    }

    // ---- sources ----

    /** Encoded upright, then a display matrix added by re-muxing (ffmpeg 4.4 drops the tag when encoding). */
    static Path rotated(Path f, int degrees) {
        Path upright = media.clip(sibling(f, "upright"), pattern("320x180", "30", 3), null);
        return media.ffmpeg(f, "-i", upright.toString(), "-c", "copy", "-metadata:s:v:0", "rotate=" + degrees);
    }

    static Path sibling(Path f, String suffix) {
        String name = f.getFileName().toString();
        return f.resolveSibling(name.substring(0, name.lastIndexOf('.')) + "-" + suffix + ".mp4");
    }

    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(42).nextBytes(b);
        return b;
    }

    /** A valid 'ftyp' box: enough for a file to look like an MP4 from its first bytes. */
    static byte[] ftyp() {
        return concat(new byte[]{0, 0, 0, 20}, "ftypisom".getBytes(StandardCharsets.US_ASCII), new byte[]{0, 0, 2, 0},
                "isom".getBytes(StandardCharsets.US_ASCII));
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    // ---- properties ----

    /** The renditions, in ladder order, have exactly these sizes (all even). */
    static Property renditions(String... sizes) {
        return (src, job) -> {
            List<String> actual = DashOutputCheck.representations(job.dir().resolve("manifest.mpd")).stream()
                    .map(r -> r.width() + "x" + r.height()).toList();
            assertEquals(List.of(sizes), actual, "rendition sizes");
            for (DashOutputCheck.Rep r : DashOutputCheck.representations(job.dir().resolve("manifest.mpd"))) {
                assertTrue(r.width() % 2 == 0 && r.height() % 2 == 0, "even picture size " + r);
            }
        };
    }

    /** Pixels are upright in the output: no display matrix a player would apply a second time. */
    static void noRotationLeft(Path src, PipelineFixture.Job job) throws Exception {
        for (Path joined : joinedVideo(job)) {
            String streams = ffprobe(joined, "-show_streams", "-of", "json");
            assertFalse(streams.contains("Display Matrix") || streams.contains("\"rotate\""), "no rotation in the output: " + streams);
        }
    }

    static Property squarePixels() {
        return (src, job) -> {
            for (Path joined : joinedVideo(job)) {
                String sar = probe.streamField(joined, "v", "sample_aspect_ratio");
                assertTrue(sar.equals("1:1") || sar.equals("N/A") || sar.equals("0:1"), "square pixels, got " + sar);
            }
        };
    }

    /** Constant rate, same frame count, so the output lasts as long as the source's frames did. */
    static Property durationPreserved() {
        return (src, job) -> {
            double source = Double.parseDouble(probe.streamField(src, "v", "duration"));
            for (Path joined : joinedVideo(job)) {
                double out = Double.parseDouble(probe.streamField(joined, "v", "duration"));
                assertEquals(source, out, 0.05, "duration preserved");
            }
        };
    }

    static Property sourceRate(String expected) {
        return (src, job) -> assertEquals(expected, probe.streamField(src, "v", "avg_frame_rate"), "the corpus file is what the case says");
    }

    /** 8-bit 4:2:0 High profile, tagged (or defaulting to) BT.709 SDR. */
    static Property eightBitSdr() {
        return (src, job) -> {
            for (Path joined : joinedVideo(job)) {
                assertEquals("yuv420p", probe.streamField(joined, "v", "pix_fmt"));
                assertEquals("High", probe.streamField(joined, "v", "profile"));
                String trc = probe.streamField(joined, "v", "color_transfer");
                assertTrue(List.of("bt709", "unknown", "").contains(trc), "SDR transfer, got " + trc);
            }
        };
    }

    /**
     * The source really is interlaced with motion between fields (idet sees top-field-first), and
     * the output is progressive: marked so, and idet no longer finds interlacing.
     */
    static Property deinterlaced() {
        return (src, job) -> {
            int[] source = idet(src);
            assertTrue(source[0] > 30 && source[0] > source[2], "the corpus file is interlaced (TFF/BFF/progressive " + List.of(source[0], source[1], source[2]) + ")");
            for (Path joined : joinedVideo(job)) {
                assertEquals("progressive", probe.streamField(joined, "v", "field_order").replace("unknown", "progressive"));
                int[] out = idet(joined);
                assertTrue(4 * (out[0] + out[1]) < source[0], "combing gone (TFF/BFF/progressive " + List.of(out[0], out[1], out[2]) + ")");
            }
        };
    }

    /** After its end the short audio track is padded with silence up to the video's end. */
    static Property silentAfter(double seconds) {
        return (src, job) -> {
            Path audio = job.dir().resolve("joined-audio.mp4");
            assertTrue(volume(audio, "atrim=start=" + seconds, "max_volume") < -80, "padding is silent");
            if (seconds > 0) assertTrue(volume(audio, "atrim=end=" + (seconds - 0.2), "max_volume") > -30, "the tone is there before");
        };
    }

    /** Track 1 is a 440 Hz tone, track 2 a 3 kHz tone: the output must carry the first. */
    static Property firstAudioTrack() {
        return (src, job) -> {
            Path audio = job.dir().resolve("joined-audio.mp4");
            double low = volume(audio, "lowpass=f=1000,lowpass=f=1000", "mean_volume");
            double high = volume(audio, "highpass=f=2000,highpass=f=2000", "mean_volume");
            assertTrue(low > high + 10, "the first track (440 Hz) is the one encoded: below 1 kHz " + low + " dB, above 2 kHz " + high + " dB");
        };
    }

    /** The tone sits only in the 5.1 centre channel: a proper downmix puts it in both stereo channels. */
    static Property stereoDownmix() {
        return (src, job) -> {
            Path audio = job.dir().resolve("joined-audio.mp4");
            assertEquals("2", probe.streamField(audio, "a", "channels"));
            assertTrue(volume(audio, "pan=mono|c0=c0", "max_volume") > -30, "centre channel heard on the left");
            assertTrue(volume(audio, "pan=mono|c0=c1", "max_volume") > -30, "centre channel heard on the right");
        };
    }

    // ---- helpers ----

    static List<Path> joinedVideo(PipelineFixture.Job job) throws Exception {
        return DashOutputCheck.representations(job.dir().resolve("manifest.mpd")).stream()
                .map(r -> job.dir().resolve("joined-" + r.id() + ".mp4")).toList();
    }

    static String ffprobe(Path file, String... args) {
        List<String> c = new java.util.ArrayList<>(List.of(fx.bin.ffprobe().toString(), "-v", "error"));
        c.addAll(List.of(args));
        c.add(file.toString());
        ProcessRunner.Result r = ProcessRunner.run(c, Duration.ofMinutes(1), 1 << 20);
        assertTrue(r.ok(), r.stderrTail());
        return r.stdout();
    }

    /** ffmpeg's volumedetect after a filter: {@code mean_volume} or {@code max_volume} in dB. */
    static double volume(Path file, String filter, String which) {
        ProcessRunner.Result r = ProcessRunner.run(List.of(fx.bin.ffmpeg().toString(), "-nostdin", "-v", "info", "-i", file.toString(),
                "-vn", "-af", filter + ",volumedetect", "-f", "null", "-"), Duration.ofMinutes(1), 4096);
        Matcher m = Pattern.compile(which + ": (-?[0-9.inf]+) dB").matcher(r.stderrTail());
        assertTrue(m.find(), "volumedetect output: " + r.stderrSummary(5));
        return m.group(1).equals("-inf") ? -200 : Double.parseDouble(m.group(1));
    }

    /** idet's multi-frame verdict: {TFF, BFF, progressive}. */
    static int[] idet(Path file) {
        ProcessRunner.Result r = ProcessRunner.run(List.of(fx.bin.ffmpeg().toString(), "-nostdin", "-v", "info", "-i", file.toString(),
                "-an", "-vf", "idet", "-f", "null", "-"), Duration.ofMinutes(1), 4096);
        Matcher m = Pattern.compile("Multi frame detection: TFF: *(\\d+) BFF: *(\\d+) Progressive: *(\\d+)").matcher(r.stderrTail());
        assertTrue(m.find(), "idet output: " + r.stderrSummary(5));
        return new int[]{Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
    }

    static String slug(String name) {
        return name.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }
}
