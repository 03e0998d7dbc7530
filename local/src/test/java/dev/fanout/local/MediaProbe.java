package dev.fanout.local;

import dev.fanout.encoder.media.ProcessRunner;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Independent checks of produced media with ffprobe/ffmpeg (never with the code under test). */
public final class MediaProbe {
    private final LayerBinaries bin;

    public MediaProbe(LayerBinaries bin) { this.bin = bin; }

    /** init + every segment of a track, concatenated as a player's buffer would hold them. */
    static Path joinTrack(Path trackDir, Path target) throws IOException {
        List<Path> segments;
        try (var s = Files.list(trackDir)) {
            segments = s.filter(p -> p.getFileName().toString().startsWith("seg-")).sorted().toList();
        }
        try (OutputStream out = Files.newOutputStream(target)) {
            Files.copy(trackDir.resolve("init.mp4"), out);
            for (Path p : segments) Files.copy(p, out);
        }
        return target;
    }

    /** Presentation timestamps (in stream time base units) of every decoded frame of the first stream of a type. */
    List<Long> framePts(Path file, String streamType) {
        ProcessRunner.Result r = run(List.of(bin.ffprobe().toString(), "-v", "error", "-select_streams", streamType + ":0",
                "-show_entries", "frame=pts", "-of", "csv=p=0", file.toString()));
        List<Long> pts = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            String v = line.replace(",", "").strip();
            if (!v.isEmpty()) pts.add(Long.parseLong(v));
        }
        return pts;
    }

    /** Timestamps of the video frames the decoder marks as keyframes. */
    List<Long> keyframePts(Path file) {
        ProcessRunner.Result r = run(List.of(bin.ffprobe().toString(), "-v", "error", "-select_streams", "v:0",
                "-show_entries", "frame=key_frame,pts", "-of", "csv=p=0", file.toString()));
        List<Long> out = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            String[] f = line.strip().split(",");
            if (f.length >= 2 && f[0].equals("1")) out.add(Long.parseLong(f[1]));
        }
        return out;
    }

    String streamField(Path file, String streamType, String field) {
        return run(List.of(bin.ffprobe().toString(), "-v", "error", "-select_streams", streamType + ":0",
                "-show_entries", "stream=" + field, "-of", "default=nw=1:nk=1", file.toString())).stdout().strip();
    }

    /** Where the first stream of a type ends, in its time base: the latest packet's pts + duration (read from the packets, no decoding). */
    long endTicks(Path file, String streamType) {
        ProcessRunner.Result r = run(List.of(bin.ffprobe().toString(), "-v", "error", "-select_streams", streamType + ":0",
                "-show_entries", "packet=pts,duration", "-of", "csv=p=0", file.toString()));
        long end = Long.MIN_VALUE;
        for (String line : r.stdout().split("\n")) {
            String[] f = line.strip().split(",");
            if (f.length >= 2 && f[0].matches("-?\\d+") && f[1].matches("\\d+")) end = Math.max(end, Long.parseLong(f[0]) + Long.parseLong(f[1]));
        }
        if (end == Long.MIN_VALUE) throw new AssertionError("no " + streamType + " packet with a time and a duration in " + file);
        return end;
    }

    /** Duration of the first stream of a type as ffprobe reads it from the file (the container's, when the stream has none). */
    double durationSeconds(Path file, String streamType) {
        String d = streamField(file, streamType, "duration");
        if (d.isEmpty() || d.equals("N/A")) {
            d = run(List.of(bin.ffprobe().toString(), "-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1", file.toString())).stdout().strip();
        }
        return Double.parseDouble(d);
    }

    /** Time base denominator of the first stream of a type. */
    long timeBaseDen(Path file, String streamType) {
        String tb = streamField(file, streamType, "time_base");
        return Long.parseLong(tb.substring(tb.indexOf('/') + 1));
    }

    /** Decodes a whole file; returns ffmpeg's stderr (empty when the decode was clean). */
    String decodeErrors(Path file) {
        ProcessRunner.Result r = ProcessRunner.run(List.of(bin.ffmpeg().toString(), "-nostdin", "-v", "error", "-i", file.toString(),
                "-f", "null", "-"), Duration.ofMinutes(5), 4096);
        if (r.exitCode() != 0) return "exit " + r.exitCode() + ": " + r.stderrTail();
        return r.stderrTail().strip();
    }

    /**
     * Per-frame PSNR (average over planes) of {@code encoded} against {@code source} scaled the
     * same way, the frames paired by timestamp. {@code sourceFrameShift} drops that many frames
     * from the start of the reference, for proving that a misalignment is caught.
     */
    List<Double> psnrPerFrame(Path encoded, Path source, int width, int height, int sourceFrameShift) throws IOException {
        return psnrPerFrame(encoded, source, "", width, height, sourceFrameShift);
    }

    /**
     * As {@link #psnrPerFrame(Path, Path, int, int, int)}, the source first passed through
     * {@code referenceFilter} (e.g. the deinterlacer or frame-rate conversion the pipeline applies).
     */
    List<Double> psnrPerFrame(Path encoded, Path source, String referenceFilter, int width, int height, int sourceFrameShift) throws IOException {
        Path stats = Files.createTempFile("psnr", ".log");
        String ref = "[1:v]" + (referenceFilter.isEmpty() ? "" : referenceFilter + ",")
                + (sourceFrameShift > 0 ? "trim=start_frame=" + sourceFrameShift + ",setpts=PTS-STARTPTS," : "")
                + "scale=" + width + ":" + height + ":flags=bicubic,setsar=1,format=yuv420p[ref]";
        run(List.of(bin.ffmpeg().toString(), "-nostdin", "-v", "error", "-i", encoded.toString(), "-i", source.toString(),
                "-lavfi", ref + ";[0:v]format=yuv420p[main];[main][ref]psnr=stats_file=" + stats, "-f", "null", "-"));
        List<Double> out = new ArrayList<>();
        Pattern p = Pattern.compile("psnr_avg:(\\S+)");
        for (String line : Files.readAllLines(stats)) {
            Matcher m = p.matcher(line);
            if (m.find()) out.add(m.group(1).equals("inf") ? 100.0 : Double.parseDouble(m.group(1)));
        }
        Files.deleteIfExists(stats);
        return out;
    }

    /** ffmpeg input arguments for a playlist served over HTTP: the hls demuxer named, and only the protocols it needs. */
    static List<String> hlsInput(String url) {
        return List.of("-protocol_whitelist", "http,tcp", "-f", "hls", "-i", url);
    }

    /** A stream as ffprobe sees it, with the presentation timestamps of all its decoded frames. */
    record StreamFrames(int index, String type, long timeBaseDen, int width, int height, List<Long> pts) {}

    /** Decodes every stream of an input (given as ffprobe input arguments) and groups the frames' timestamps by stream. */
    List<StreamFrames> framesPerStream(List<String> input) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(bin.ffprobe().toString(), "-v", "error"));
        cmd.addAll(input);
        cmd.addAll(List.of("-show_entries", "stream=index,codec_type,time_base,width,height:frame=stream_index,pts", "-of", "json"));
        com.fasterxml.jackson.databind.JsonNode root = dev.fanout.encoder.storage.Json.MAPPER.readTree(run(cmd).stdout());
        java.util.Map<Integer, List<Long>> pts = new java.util.TreeMap<>();
        for (com.fasterxml.jackson.databind.JsonNode f : root.path("frames")) {
            if (f.has("pts")) pts.computeIfAbsent(f.path("stream_index").asInt(), k -> new ArrayList<>()).add(f.path("pts").asLong());
        }
        List<StreamFrames> out = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode s : root.path("streams")) {
            String tb = s.path("time_base").asText();
            int index = s.path("index").asInt();
            out.add(new StreamFrames(index, s.path("codec_type").asText(), Long.parseLong(tb.substring(tb.indexOf('/') + 1)),
                    s.path("width").asInt(), s.path("height").asInt(), pts.getOrDefault(index, List.of())));
        }
        return out;
    }

    /**
     * Decodes one stream of an input with the layer's ffmpeg (the binary the pipeline ships) and
     * returns one framecrc line per decoded frame; fails on any decode error.
     */
    List<String> decodedFrames(List<String> input, String map) {
        List<String> cmd = new ArrayList<>(List.of(bin.ffmpeg().toString(), "-nostdin", "-v", "error"));
        cmd.addAll(input);
        cmd.addAll(List.of("-map", map, "-f", "framecrc", "-"));
        ProcessRunner.Result r = run(cmd);
        if (!r.stderrTail().isBlank()) throw new IllegalStateException("decoding " + input + " reported errors: " + r.stderrSummary(5));
        return r.stdout().lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
    }

    private static ProcessRunner.Result run(List<String> cmd) {
        ProcessRunner.Result r = ProcessRunner.run(cmd, Duration.ofMinutes(5), 16 * 1024 * 1024);
        if (!r.ok()) throw new IllegalStateException(String.join(" ", cmd) + " failed: " + r.stderrSummary(5));
        return r;
    }
}
