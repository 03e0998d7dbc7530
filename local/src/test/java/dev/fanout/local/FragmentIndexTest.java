package dev.fanout.local;

import dev.fanout.encoder.errors.InvalidInputException;
import dev.fanout.encoder.media.FragmentIndex;
import dev.fanout.encoder.media.ProcessRunner;
import dev.fanout.encoder.model.Rational;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static dev.fanout.local.CorpusMedia.pattern;
import static dev.fanout.local.CorpusMedia.tone;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The moof walker on fragmented MP4s made by ffmpeg, against ffprobe's packet listing of the same
 * file (the way frames were counted before), and on boxes broken on purpose.
 */
class FragmentIndexTest {
    @TempDir
    static Path dir;
    static LayerBinaries bin;
    static CorpusMedia media;

    @BeforeAll
    static void setUp() {
        bin = LayerBinaries.locate();
        media = new CorpusMedia(bin.ffmpeg());
    }

    /** Ranged reads of a local file, as S3 answers them (fewer bytes at the end). */
    record FileRanges(Path file) implements FragmentIndex.RangeReader {
        @Override
        public byte[] read(long offset, int length) {
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                int n = (int) Math.max(0, Math.min(length, f.length() - offset));
                byte[] b = new byte[n];
                f.seek(offset);
                f.readFully(b);
                return b;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** ffprobe -count_frames on the whole file: {nb_read_frames, avg_frame_rate, r_frame_rate} of the first video stream. */
    static String[] ffprobeCounted(Path file) {
        ProcessRunner.Result r = ProcessRunner.run(List.of(bin.ffprobe().toString(), "-v", "error", "-count_frames", "-select_streams", "v:0",
                "-show_entries", "stream=nb_read_frames,avg_frame_rate,r_frame_rate", "-of", "csv=p=0", file.toString()), Duration.ofMinutes(1), 1 << 16);
        String[] f = r.stdout().strip().split(",");
        // csv order is the stream's field order: r_frame_rate, avg_frame_rate, nb_read_frames
        return new String[]{f[2], f[1], f[0]};
    }

    static FragmentIndex.VideoTiming walk(Path file) throws IOException {
        return FragmentIndex.read(new FileRanges(file), Files.size(file), 1);
    }

    /** ffprobe's presentation times (pts) of the first video stream's packets, in file order. */
    static List<Long> packetPts(Path file) {
        ProcessRunner.Result r = ProcessRunner.run(List.of(bin.ffprobe().toString(), "-v", "error", "-select_streams", "v:0",
                "-show_entries", "packet=pts", "-of", "csv=p=0", file.toString()), Duration.ofMinutes(1), 1 << 20);
        return Arrays.stream(r.stdout().split("\n")).map(String::strip).filter(l -> !l.isEmpty()).map(Long::parseLong).toList();
    }

    /**
     * A layout, and whether its video is constant-rate as the frames are presented: all of them
     * are testsrc2 at a constant rate; only the 60 fps one with AAC has its first frame held
     * longer than a frame interval by ffmpeg's muxer (328 ticks of 256), which no reader can tell
     * from a dropped frame.
     */
    record Layout(Path file, boolean constant) {}

    /**
     * The plan of a fragmented MP4 against ffprobe -count_frames on the whole file: the same
     * frames; for a constant-rate video ffprobe's r_frame_rate, for a variable-rate one its
     * avg_frame_rate (so duration = frames / rate). Layouts: fragment per GOP, per frame, by
     * duration, default-base-is-moof, B-frames, 15360 / 90000 / 12800 / 30000 timescales, 25,
     * 29.97, 30 and 60 fps, with and without audio (with AAC and no B-frames, ffmpeg writes a
     * longer first sample), samples in the moov.
     */
    @Test
    void framesAndRateAreWhatFfprobeCountsOnTheWholeFile() throws IOException {
        List<Layout> files = List.of(
                new Layout(media.clip(dir.resolve("empty-moov.mp4"), pattern("320x180", "30", 6), tone(440, 6), "-movflags", "+frag_keyframe+empty_moov"), true),
                new Layout(media.clip(dir.resolve("every-frame.mp4"), pattern("320x180", "30", 2), tone(440, 2), "-movflags", "+frag_every_frame+empty_moov"), true),
                new Layout(media.clip(dir.resolve("default-base-moof.mp4"), pattern("320x180", "30", 3), tone(440, 3),
                        "-movflags", "+frag_keyframe+empty_moov+default_base_moof"), true),
                new Layout(media.clip(dir.resolve("bframes-90k.mp4"), pattern("320x180", "30", 4), tone(440, 4), "-bf", "3", "-x264-params", "bframes=3",
                        "-preset", "fast", "-video_track_timescale", "90000", "-movflags", "+frag_keyframe+empty_moov+default_base_moof"), true),
                // B-frames with a fragment per frame: the presentation order runs across fragments
                new Layout(media.clip(dir.resolve("bframes-every-frame.mp4"), pattern("320x180", "25", 2), null, "-bf", "3", "-x264-params", "bframes=3",
                        "-preset", "fast", "-movflags", "+frag_every_frame+empty_moov"), true),
                new Layout(media.clip(dir.resolve("25fps.mp4"), pattern("320x180", "25", 4), tone(440, 4), "-movflags", "+frag_keyframe+empty_moov"), true),
                new Layout(media.clip(dir.resolve("2997-noaudio-90k.mp4"), pattern("320x180", "30000/1001", 4), null,
                        "-video_track_timescale", "90000", "-movflags", "+frag_keyframe+empty_moov"), true),
                new Layout(media.clip(dir.resolve("2997.mp4"), pattern("320x180", "30000/1001", 4), tone(440, 4), "-movflags", "+frag_keyframe+empty_moov"), true),
                // samples in the moov too: the first fragment's frames are in its stbl
                new Layout(media.clip(dir.resolve("frag-no-empty-moov.mp4"), pattern("320x180", "25", 4), null, "-movflags", "+frag_keyframe"), true),
                new Layout(media.clip(dir.resolve("frag-no-empty-moov-bframes.mp4"), pattern("320x180", "25", 4), null, "-bf", "2",
                        "-x264-params", "bframes=2", "-preset", "fast", "-movflags", "+frag_keyframe"), true),
                new Layout(media.clip(dir.resolve("frag-duration.mp4"), pattern("320x180", "60", 4), tone(440, 4),
                        "-movflags", "+empty_moov", "-frag_duration", "500000"), false));
        for (Layout layout : files) {
            Path f = layout.file();
            String[] expected = ffprobeCounted(f);
            FragmentIndex.VideoTiming t = walk(f);
            assertEquals(Long.parseLong(expected[0]), t.frames(), f.getFileName() + ": frames");
            assertEquals(layout.constant(), t.uniform(), f.getFileName() + ": constant rate");
            assertEquals(Rational.parse(layout.constant() ? expected[2] : expected[1]), t.frameRate(),
                    f.getFileName() + ": " + (layout.constant() ? "r_frame_rate" : "avg_frame_rate"));
            assertTrue(t.fragments() > 1, f.getFileName() + ": several fragments walked, got " + t.fragments());
            // one read per fragment (moof + the next mdat header), plus the init
            assertTrue(t.requests() <= t.fragments() + 3, f.getFileName() + ": " + t.requests() + " requests for " + t.fragments() + " fragments");
        }
    }

    /**
     * What ffmpeg's mp4 muxer writes for H.264 without B-frames and AAC, fragmented: the AAC
     * priming starts the audio 328/15360 s before the video, and without an edit list the muxer
     * moves the first video sample to 0 and lengthens it (840 ticks, the others 512). The frames
     * are still 30 per second apart: the plan is 90 frames at 30/1 (ffprobe's r_frame_rate), and
     * the video starts where its second frame says, one interval before it (328/15360 s).
     */
    @Test
    void aFirstFrameHeldForTheAudioPrimingIsStillConstantRate() throws IOException {
        Path f = media.clip(dir.resolve("held-first.mp4"), pattern("320x180", "30", 3), tone(440, 3),
                "-movflags", "+frag_keyframe+empty_moov+default_base_moof");
        List<Long> pts = packetPts(f);
        assertEquals(List.of(0L, 840L, 1352L), pts.subList(0, 3), "the layout under test: the first frame held 328 ticks longer");
        FragmentIndex.VideoTiming t = walk(f);
        assertEquals(90, t.frames());
        assertTrue(t.uniform(), "constant rate");
        assertEquals(Rational.of(30, 1), t.frameRate());
        assertEquals(328, t.startDelayTicks(), "the video starts one interval before its second frame");
    }

    /**
     * Frames of a variable-rate source stay variable: 30 fps for 2 s then 15 fps (ffmpeg -vsync
     * vfr, fragmented); and a first frame held longer than a frame interval (the video starts
     * 0.2 s after the audio) is a hold, not a shift of the start.
     */
    @Test
    void variableRateFragmentedFilesStayVariable() throws IOException {
        Path vfr = media.ffmpeg(dir.resolve("vfr-fragmented.mp4"), "-f", "lavfi", "-i", pattern("320x180", "30", 4),
                "-vf", "select='lt(t,2)+not(mod(n,2))'", "-vsync", "vfr", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18",
                "-movflags", "+frag_keyframe+empty_moov");
        String[] expected = ffprobeCounted(vfr);
        FragmentIndex.VideoTiming t = walk(vfr);
        assertEquals(90, t.frames());
        assertEquals(false, t.uniform(), "variable rate");
        assertEquals(Rational.parse(expected[1]), t.frameRate(), "ffprobe's avg_frame_rate");

        Path late = media.ffmpeg(dir.resolve("late-video.mp4"), "-itsoffset", "0.2", "-f", "lavfi", "-i", pattern("320x180", "30", 3),
                "-f", "lavfi", "-i", tone(440, 3.2), "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-c:a", "aac",
                "-vsync", "passthrough", "-movflags", "+frag_keyframe+empty_moov");
        List<Long> pts = packetPts(late);
        assertTrue(pts.get(1) - pts.get(0) > 2 * 512, "the layout under test: the first frame held over a frame longer, " + pts.subList(0, 3));
        FragmentIndex.VideoTiming held = walk(late);
        assertEquals(90, held.frames());
        assertEquals(false, held.uniform(), "a first frame held 0.2 s is shown 0.2 s: variable rate");
        assertEquals(0, held.startDelayTicks());
    }

    @Test
    void readsOnlyTheHeadersOfALargeFile() throws IOException {
        Path f = media.ffmpeg(dir.resolve("big.mp4"), "-f", "lavfi", "-i", pattern("640x360", "30", 20) + ",noise=alls=30:allf=t",
                "-c:v", "libx264", "-preset", "ultrafast", "-crf", "10", "-g", "30", "-movflags", "+frag_keyframe+empty_moov");
        FragmentIndex.VideoTiming t = walk(f);
        assertEquals(600, t.frames());
        assertEquals(20, t.fragments());
        long size = Files.size(f);
        assertTrue(t.bytesRead() < size / 10, t.bytesRead() + " bytes read of " + size);
    }

    @Test
    void aTrunPromisingMoreSamplesThanItHoldsIsAMalformedFragment() throws IOException {
        Path f = media.clip(dir.resolve("bad-trun.mp4"), pattern("160x90", "30", 2), null, "-movflags", "+frag_keyframe+empty_moov");
        byte[] b = Files.readAllBytes(f);
        int trun = indexOf(b, "trun", indexOf(b, "moof", 0));
        ByteBuffer.wrap(b).putInt(trun + 8, 0x7fffffff); // sample_count
        Path bad = Files.write(dir.resolve("bad-trun-edited.mp4"), b);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> walk(bad));
        assertEquals("InvalidInput.MalformedFragment", e.errorName());
        assertTrue(e.getMessage().contains("'moof' box at byte " + (indexOf(b, "moof", 0) - 4)), e.getMessage());
        assertTrue(e.getMessage().contains("trun"), e.getMessage());
    }

    @Test
    void aTrafChildOverrunningItsMoofIsAMalformedFragment() throws IOException {
        Path f = media.clip(dir.resolve("bad-tfhd.mp4"), pattern("160x90", "30", 2), null, "-movflags", "+frag_keyframe+empty_moov");
        byte[] b = Files.readAllBytes(f);
        int tfhd = indexOf(b, "tfhd", indexOf(b, "moof", 0));
        ByteBuffer.wrap(b).putInt(tfhd - 4, 1 << 20);
        Path bad = Files.write(dir.resolve("bad-tfhd-edited.mp4"), b);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> walk(bad));
        assertEquals("InvalidInput.MalformedFragment", e.errorName());
        assertTrue(e.getMessage().contains("tfhd") && e.getMessage().contains("overruns"), e.getMessage());
    }

    @Test
    void aFileCutInsideAnMdatIsTruncated() throws IOException {
        Path f = media.clip(dir.resolve("whole.mp4"), pattern("320x180", "30", 4), tone(440, 4), "-movflags", "+frag_keyframe+empty_moov");
        Path cut = CorpusMedia.cut(f, dir.resolve("cut.mp4"), 0.7);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> walk(cut));
        assertEquals("InvalidInput.Truncated", e.errorName());
        assertTrue(e.getMessage().contains("'mdat' at ") && e.getMessage().contains("overruns"), e.getMessage());
    }

    @Test
    void aMoofLargerThanAnyFragmentHeaderIsRefusedBeforeItIsRead() throws IOException {
        Path f = media.clip(dir.resolve("huge-moof.mp4"), pattern("160x90", "30", 2), null, "-movflags", "+frag_keyframe+empty_moov");
        byte[] b = Files.readAllBytes(f);
        int moof = indexOf(b, "moof", 0) - 4;
        byte[] padded = Arrays.copyOf(b, b.length + FragmentIndex.MAX_HEADER_BOX_BYTES);
        ByteBuffer.wrap(padded).putInt(moof, b.length - moof + FragmentIndex.MAX_HEADER_BOX_BYTES);
        Path bad = Files.write(dir.resolve("huge-moof-edited.mp4"), padded);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> walk(bad));
        assertEquals("InvalidInput.MalformedFragment", e.errorName());
        assertTrue(e.getMessage().contains("'moof' box at byte " + moof), e.getMessage());
    }

    static int indexOf(byte[] b, String type, int from) {
        byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
        outer:
        for (int i = Math.max(0, from); i + t.length <= b.length; i++) {
            for (int k = 0; k < t.length; k++) if (b[i + k] != t[k]) continue outer;
            return i;
        }
        throw new IllegalStateException("no " + type);
    }
}
