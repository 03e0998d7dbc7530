package dev.fanout.local;

import dev.fanout.encoder.media.ProcessRunner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Generates test media with the shipped ffmpeg: a moving test pattern (every frame differs, so a
 * one-frame shift is visible) with a tone. Options cover the cases the pipeline must handle.
 *
 * @param width, height   picture size
 * @param frameRate       e.g. "30", "30000/1001"
 * @param seconds         duration
 * @param keyframeInterval source GOP in frames, deliberately off the segment grid by default
 * @param audio           whether to add a sine tone
 * @param faststart       moov at the front (false: at the end, ffmpeg's default)
 */
public record SampleClip(int width, int height, String frameRate, double seconds, int keyframeInterval,
                         boolean audio, boolean faststart, List<String> extraOutputOptions) {

    public static SampleClip of(int width, int height, String frameRate, double seconds) {
        return new SampleClip(width, height, frameRate, seconds, 37, true, false, List.of());
    }

    public SampleClip withAudio(boolean a) { return new SampleClip(width, height, frameRate, seconds, keyframeInterval, a, faststart, extraOutputOptions); }

    public SampleClip withFaststart(boolean f) { return new SampleClip(width, height, frameRate, seconds, keyframeInterval, audio, f, extraOutputOptions); }

    public SampleClip withKeyframeInterval(int k) { return new SampleClip(width, height, frameRate, seconds, k, audio, faststart, extraOutputOptions); }

    public SampleClip withOutputOptions(List<String> opts) { return new SampleClip(width, height, frameRate, seconds, keyframeInterval, audio, faststart, opts); }

    public Path writeTo(Path ffmpeg, Path file) {
        String dur = String.format(Locale.ROOT, "%.3f", seconds);
        List<String> c = new ArrayList<>(List.of(ffmpeg.toString(), "-nostdin", "-hide_banner", "-v", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=" + width + "x" + height + ":rate=" + frameRate + ":duration=" + dur));
        if (audio) c.addAll(List.of("-f", "lavfi", "-i", "sine=frequency=440:beep_factor=4:sample_rate=48000:duration=" + dur));
        c.addAll(List.of("-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-pix_fmt", "yuv420p",
                "-g", Integer.toString(keyframeInterval), "-keyint_min", Integer.toString(keyframeInterval)));
        if (audio) c.addAll(List.of("-c:a", "aac", "-b:a", "128k"));
        if (faststart) c.addAll(List.of("-movflags", "+faststart"));
        c.addAll(extraOutputOptions);
        c.add(file.toString());
        ProcessRunner.Result r = ProcessRunner.run(c, Duration.ofMinutes(10), 4096);
        if (!r.ok()) throw new IllegalStateException("generating a sample clip failed: " + r.stderrSummary(5));
        return file;
    }
}
