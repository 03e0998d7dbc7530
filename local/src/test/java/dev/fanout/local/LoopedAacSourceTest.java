package dev.fanout.local;

import dev.fanout.encoder.media.ProcessRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A source whose AAC track was looped with a stream copy ({@code ffmpeg -stream_loop 2 -i clip.mp4
 * -c copy}: concatenated recordings). Each loop starts one sample after the grid of 1024-sample
 * packets (the copy stretches the clip's short last packet to the video's length, 1025 samples),
 * so the source's audio timestamps step off the frame grid at every loop point. The clip is 3.9 s
 * and the chunks 2 s, so the first loop point (≈3.9 s) is inside piece 2's pre-roll (from 3.83 s)
 * and the second (≈7.8 s) inside piece 3's kept samples. The job succeeds with one continuous
 * audio track of the video's length, as the whole-track encode gave.
 */
class LoopedAacSourceTest {
    @TempDir
    static Path dir;
    static PipelineFixture fx;
    static MediaProbe probe;
    static DashOutputCheck check;

    static final Map<String, String> SETTINGS = Map.of("LADDER", "180@300", "SEGMENT_SECONDS", "2", "CHUNK_SECONDS", "2");
    static final int FPS = 30;
    static final int CLIP_FRAMES = 117; // 3.9 s
    static final int LOOPS = 3;

    @BeforeAll
    static void start() throws Exception {
        fx = new PipelineFixture(dir);
        probe = new MediaProbe(fx.bin);
        check = new DashOutputCheck(probe);
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @Test
    void aSourceWithItsAacTrackLoopedByAStreamCopyGivesOneContinuousTrack() throws Exception {
        Path clip = dir.resolve("clip.mp4");
        run(List.of(fx.bin.ffmpeg().toString(), "-nostdin", "-v", "error", "-y",
                "-f", "lavfi", "-i", "testsrc=size=320x180:rate=" + FPS + ":duration=3.9",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=3.9",
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-c:a", "aac", "-b:a", "96k", clip.toString()));
        Path src = dir.resolve("looped.mp4");
        run(List.of(fx.bin.ffmpeg().toString(), "-nostdin", "-v", "error", "-y",
                "-stream_loop", Integer.toString(LOOPS - 1), "-i", clip.toString(), "-c", "copy", src.toString()));
        // the source really is off the grid: some packet's time is not a multiple of 1024 samples
        List<Long> sourcePts = probe.framePts(src, "a");
        assertEquals(48000, probe.timeBaseDen(src, "a"));
        assertTrue(sourcePts.stream().anyMatch(t -> Math.floorMod(t, 1024) != 0), "the loop points step off the 1024-sample grid");

        fx.upload(src, "uploads/looped.mp4");
        PipelineFixture.Job job = fx.run("uploads/looped.mp4", SETTINGS);
        assertTrue(job.outcome().succeeded(), () -> "job failed: " + job.outcome().result());
        int frames = CLIP_FRAMES * LOOPS;
        // video frames, audio decodes and ends with the video, manifests match the boxes. The copy also
        // starts each loop's video a few ms late (the loop's length is its audio's); the output's 351
        // frames are on the uniform grid, so they are compared with the source's frames in order
        check.assertComplete(job.dir(), src, frames, FPS, 1, 2 * FPS, true, "setpts=N/(" + FPS + "*TB)");
        ManifestTimelineCheck.assertManifestsMatchMedia(job.dir());

        // one init; the published track's samples, as the boxes give them to a player (tfdt and
        // sample durations), continuous (t[n] + d[n] = t[n+1]) from the priming frame at 0 on, every
        // one an AAC frame, and exactly the video's samples to within the last AAC frame
        Path audioDir = job.dir().resolve("audio");
        List<Path> inits;
        List<Path> segments;
        try (Stream<Path> files = Files.list(audioDir)) {
            inits = files.filter(f -> f.getFileName().toString().startsWith("init")).toList();
        }
        try (Stream<Path> files = Files.list(audioDir)) {
            segments = files.filter(f -> f.getFileName().toString().startsWith("seg-")).sorted().toList();
        }
        assertEquals(1, inits.size(), "one audio init");
        Mp4Boxes.Init init = Mp4Boxes.readInit(audioDir.resolve("init.mp4"));
        assertEquals(48000, init.timescale());
        List<Mp4Boxes.Sample> samples = new ArrayList<>();
        for (Path segment : segments) samples.addAll(Mp4Boxes.readSegment(segment, init).samples());
        assertEquals(0, samples.get(0).decodeTime(), "the track's first decode time (its priming frame) is 0");
        for (int n = 0; n < samples.size(); n++) {
            Mp4Boxes.Sample p = samples.get(n);
            if (n + 1 < samples.size()) {
                assertEquals(samples.get(n + 1).decodeTime(), p.decodeTime() + p.duration(), "sample " + n + " ends where sample " + (n + 1) + " starts");
                assertEquals(1024, p.duration(), "sample " + n + " is one AAC frame");
            }
        }
        Mp4Boxes.Sample last = samples.get(samples.size() - 1);
        long videoSamples = (long) frames * 48000 / FPS;
        long presented = last.decodeTime() + last.duration() - init.editMediaTime();
        assertTrue(presented >= videoSamples && presented < videoSamples + 1024,
                "the track presents the video's " + videoSamples + " samples to within the last AAC frame: " + presented);
    }

    static ProcessRunner.Result run(List<String> cmd) {
        ProcessRunner.Result r = ProcessRunner.run(cmd, Duration.ofMinutes(2), 1 << 20);
        if (!r.ok() || r.stdoutTruncated()) throw new IllegalStateException(String.join(" ", cmd) + " failed: " + r.stderrSummary(5));
        return r;
    }
}
