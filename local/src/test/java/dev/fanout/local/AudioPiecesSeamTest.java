package dev.fanout.local;

import dev.fanout.encoder.media.AudioPieceEncoder;
import dev.fanout.encoder.media.Ffmpeg;
import dev.fanout.encoder.media.FragmentedMp4;
import dev.fanout.encoder.manifest.AudioPieceJoin;
import dev.fanout.encoder.model.EncodeSettings;
import dev.fanout.encoder.model.JobLayout;
import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.Rendition;
import dev.fanout.encoder.model.SegmentOutput;
import dev.fanout.encoder.model.SourceInfo;
import dev.fanout.encoder.model.SourceRef;
import dev.fanout.encoder.model.TrackOutput;
import dev.fanout.encoder.plan.AudioPieces;
import dev.fanout.encoder.source.SourceServer;
import dev.fanout.local.bench.AudioSeamMeter;
import dev.fanout.local.bench.SinglePassAudio;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Audio encoded in pieces on the chunk grid (35 s at 10 s chunks: 4 pieces, 3 seams) joins into
 * one track a listener cannot tell from a single pass: decoded as a player would (init + every
 * segment, priming hidden by the edit list), lined up with the decoded source, the SNR in a
 * window around every seam is no more than 1 dB below the level elsewhere (see
 * {@link AudioSeamMeter.Report}) — on a tone (where any seam shows) and on noise. The control joins pieces encoded without pre- and post-roll and must fail
 * the same check, which shows the check can hear a seam.
 */
class AudioPiecesSeamTest {
    @TempDir
    static Path dir;

    static LayerBinaries bin;
    /** The sources are read as the stages read an upload: from the store, through a loopback source server. */
    static ServedFile served;
    static Path tone;
    static Path noise;
    static Path tone44k;
    static final int SECONDS = 35;

    @BeforeAll
    static void sources() throws Exception {
        bin = LayerBinaries.locate();
        served = ServedFile.store(dir.resolve("s3"));
        tone = source("tone.mp4", "sine=frequency=997:sample_rate=48000:duration=" + SECONDS);
        noise = source("noise.mp4", "anoisesrc=color=white:sample_rate=48000:amplitude=0.3:seed=7:duration=" + SECONDS);
        tone44k = source("tone44k.mp4", "sine=frequency=997:sample_rate=44100:duration=" + SECONDS);
    }

    @AfterAll
    static void stopStore() throws Exception {
        if (served != null) served.close();
    }

    /** An AAC source like a camera's (256 kbit/s, its own priming and edit list). */
    static Path source(String name, String lavfi) {
        Path out = dir.resolve(name);
        Ffmpeg.runOnOwnFiles("making " + name, List.of(bin.ffmpeg().toString(), "-nostdin", "-hide_banner", "-v", "error", "-y",
                "-f", "lavfi", "-i", lavfi, "-c:a", "aac", "-b:a", "256k", out.toString()), Duration.ofMinutes(1));
        return out;
    }

    /** 35 s at 30 fps, 2 s segments, 10 s chunks. */
    static JobPlan plan(Path source, int sampleRate) {
        Rational fps = Rational.of(30, 1);
        long frames = SECONDS * 30L;
        SourceInfo.Video v = new SourceInfo.Video("h264", 640, 360, 0, Rational.of(1, 1), fps, frames, "yuv420p", 0, "progressive", "bt709", true);
        SourceInfo info = new SourceInfo("mov", 1, SECONDS, v, List.of(new SourceInfo.Audio("aac", sampleRate, 1, 0, SECONDS)));
        return new JobPlan("j", new SourceRef("b", source.toString(), "e", 1), info, fps, frames, 60, 300, 4, 18,
                List.of(new Rendition("360p", 640, 360, 1000, 2000)), new EncodeSettings("veryfast", 23, 128), JobLayout.of("out", "j"), 0, 0, 0);
    }

    record Joined(List<AudioPieceEncoder.EncodedPiece> pieces, TrackOutput track, Path file, long[] seams) {}

    static Joined encodeInPieces(Path source, JobPlan plan, AudioPieces pieces, String label) throws Exception {
        Path work = Files.createDirectories(dir.resolve(label));
        List<AudioPieceEncoder.EncodedPiece> encoded;
        try (SourceServer server = served.serve(source)) {
            encoded = IntStream.range(0, pieces.pieceCount())
                    .mapToObj(k -> AudioPieceEncoder.encode(bin.ffmpeg(), Duration.ofMinutes(2), server, plan, pieces, k, work))
                    .toList();
        }
        TrackOutput track = AudioPieceJoin.join(pieces, encoded.stream().map(AudioPieceEncoder.EncodedPiece::track).toList());
        Path file = AudioSeamMeter.concatenate(encoded.get(0).init(), AudioSeamMeter.segmentFiles(encoded), work.resolve("joined.mp4"));
        long[] seams = IntStream.range(1, pieces.pieceCount()).mapToLong(pieces::startSample).toArray();
        return new Joined(encoded, track, file, seams);
    }

    static AudioSeamMeter.Report listen(Path source, Joined joined, AudioPieces pieces) throws Exception {
        float[] ref = AudioSeamMeter.decodeSource(bin.ffmpeg(), source, dir);
        float[] x = AudioSeamMeter.decodeFragmented(bin.ffmpeg(), joined.file(), dir);
        return AudioSeamMeter.measure(ref, x, joined.seams(), pieces.totalSamples());
    }

    @Test
    void toneInPiecesHasNoSeamAndOneTimelineOfTheVideosLength() throws Exception {
        JobPlan plan = plan(tone, 48_000);
        AudioPieces pieces = AudioPieces.of(plan);
        Joined joined = encodeInPieces(tone, plan, pieces, "tone");

        // one init for the track: every piece wrote the same bytes, and they are the init a single pass writes
        byte[] init = Files.readAllBytes(joined.pieces().get(0).init());
        for (AudioPieceEncoder.EncodedPiece p : joined.pieces()) {
            assertArrayEquals(init, Files.readAllBytes(p.init()), "init of piece " + p.index());
        }
        Path single = dir.resolve("tone-single.mp4");
        try (SourceServer server = served.serve(tone)) {
            Ffmpeg.runEncode("single pass", SinglePassAudio.command(bin.ffmpeg(), server.url(), plan, single), Duration.ofMinutes(2), server);
        }
        FragmentedMp4 singleMp4 = FragmentedMp4.read(single);
        assertArrayEquals(Arrays.copyOf(Files.readAllBytes(single), (int) singleMp4.initLength()), init,
                "the pieces' init is the init of today's whole-track encode (edit list hiding the priming included)");

        // one continuous timeline numbered 1..n, from 0 to the video's duration (rounded up to the last AAC frame)
        List<SegmentOutput> segs = joined.track().segments();
        assertEquals(0, segs.get(0).startTime());
        for (int i = 0; i < segs.size(); i++) {
            assertEquals(i + 1, segs.get(i).number());
            if (i > 0) assertEquals(segs.get(i - 1).startTime() + segs.get(i - 1).duration(), segs.get(i).startTime(), "t[n] + d[n] = t[n+1] at segment " + (i + 1));
        }
        long end = segs.get(segs.size() - 1).startTime() + segs.get(segs.size() - 1).duration();
        assertEquals(SECONDS * 48_000L, pieces.totalSamples());
        assertEquals(pieces.totalSamples(), end, "the track presents exactly the video's duration");
        long frames = segs.stream().mapToLong(SegmentOutput::frames).sum();
        long singleFrames = singleMp4.fragments().stream().mapToLong(FragmentedMp4.Fragment::sampleCount).sum();
        assertEquals(singleFrames, frames, "as many AAC frames as a single pass");
        assertEquals(pieces.totalPackets(), frames);
        // the timeline in the files themselves: decode times run on without a gap across pieces
        FragmentedMp4 file = FragmentedMp4.read(joined.file());
        for (int i = 1; i < file.fragments().size(); i++) {
            FragmentedMp4.Fragment a = file.fragments().get(i - 1), b = file.fragments().get(i);
            assertEquals(a.baseDecodeTime() + a.duration(), b.baseDecodeTime(), "tfdt after fragment " + i);
        }

        AudioSeamMeter.Report r = listen(tone, joined, pieces);
        float[] ref = AudioSeamMeter.decodeSource(bin.ffmpeg(), tone, dir);
        AudioSeamMeter.Report singlePass = AudioSeamMeter.measure(ref, AudioSeamMeter.decodeFragmented(bin.ffmpeg(), single, dir),
                joined.seams(), pieces.totalSamples());
        System.out.println("tone, pieces (pre-roll " + pieces.preRollFrames() + ", post-roll " + pieces.postRollFrames() + " frames): " + r);
        System.out.println("tone, single pass, same windows: " + singlePass);
        assertTrue(r.medianElsewhereDb() > 40, "the tone is coded cleanly away from seams: " + r);
        assertTrue(r.seamless(), "no seam is more than 1 dB worse than elsewhere: " + r);
        for (int i = 0; i < joined.seams().length; i++) {
            assertTrue(r.seamSnrDb()[i] > singlePass.seamSnrDb()[i] - 1, "seam " + (i + 1) + " within 1 dB of a single pass there: " + r + " / " + singlePass);
        }
    }

    @Test
    void noiseInPiecesHasNoSeamAndLinesUpWithTheSource() throws Exception {
        JobPlan plan = plan(noise, 48_000);
        AudioPieces pieces = AudioPieces.of(plan);
        Joined joined = encodeInPieces(noise, plan, pieces, "noise");
        float[] ref = AudioSeamMeter.decodeSource(bin.ffmpeg(), noise, dir);
        float[] x = AudioSeamMeter.decodeFragmented(bin.ffmpeg(), joined.file(), dir);
        // noise has one alignment only: the priming is hidden, not one sample early or late, in every piece
        for (long seam : joined.seams()) {
            assertEquals(0, AudioSeamMeter.bestLag(ref, x, (int) seam + 4800, 9600, 1100), "lag after the seam at " + seam);
        }
        assertEquals(0, AudioSeamMeter.bestLag(ref, x, 24_000, 9600, 1100), "lag in piece 0");
        assertTrue(x.length >= pieces.totalSamples() && x.length < pieces.totalSamples() + AudioPieces.AAC_FRAME, "decoded " + x.length + " samples");

        AudioSeamMeter.Report r = AudioSeamMeter.measure(ref, x, joined.seams(), pieces.totalSamples());
        System.out.println("white noise, pieces: " + r);
        assertTrue(r.seamless(), "no seam is more than 1 dB worse than elsewhere: " + r);
    }

    @Test
    void aSourceAt44kHzJoinsWithoutSeams() throws Exception {
        JobPlan plan = plan(tone44k, 44_100);
        AudioPieces pieces = AudioPieces.of(plan);
        Joined joined = encodeInPieces(tone44k, plan, pieces, "tone44k");
        AudioSeamMeter.Report r = listen(tone44k, joined, pieces);
        System.out.println("tone at 44.1 kHz, pieces: " + r);
        assertTrue(r.medianElsewhereDb() > 40, "the tone is coded cleanly away from seams: " + r);
        assertTrue(r.seamless(), "resampled pieces agree to the sample at every seam: " + r);
    }

    @Test
    void controlPiecesWithoutPreAndPostRollFailTheSameCheck() throws Exception {
        for (Path source : List.of(tone, noise)) {
            JobPlan plan = plan(source, 48_000);
            AudioPieces naive = AudioPieces.of(plan, 0, 0);
            Joined joined = encodeInPieces(source, plan, naive, "naive-" + source.getFileName());
            AudioSeamMeter.Report r = listen(source, joined, naive);
            System.out.println(source.getFileName() + ", pieces without pre- or post-roll: " + r);
            assertFalse(r.seamless(), "the check hears the seams of naive pieces: " + r);
        }
    }
}
