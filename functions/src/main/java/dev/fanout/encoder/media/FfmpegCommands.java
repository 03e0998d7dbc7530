package dev.fanout.encoder.media;

import dev.fanout.encoder.model.ChunkSpec;
import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.Rational;
import dev.fanout.encoder.model.Rendition;
import dev.fanout.encoder.model.SourceInfo;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Builds ffmpeg/ffprobe argument lists. Pure. Every input is the loopback source server's URL,
 * opened with an explicit demuxer ({@code mov}: MP4/MOV only, so a playlist or concat script named
 * .mp4 is not interpreted), the protocol whitelist {@code http,tcp}, and external data references
 * off — media can never make ffmpeg open another file or URL.
 */
public final class FfmpegCommands {
    private FfmpegCommands() {}

    /** Movie fragment flags that give one fragment per GOP with a global tfdt and a chunk-independent init. */
    static final String CHUNK_MOVFLAGS = "+dash+frag_keyframe+delay_moov+frag_discont+skip_trailer";

    /** The protocols of every input: plain HTTP over TCP to the loopback source server, nothing else. */
    public static final String PROTOCOL_WHITELIST = "http,tcp";

    private static final Pattern LOOPBACK_IPV4 = Pattern.compile("127\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){2}");

    /**
     * Refuses any input but an http URL on a loopback IP literal (the {@code SourceServer}): the
     * layer's static ffmpeg crashes on any host-name lookup, ffmpeg's TLS does not verify
     * certificates, and a presigned URL would be a credential in its reach.
     */
    static String requireLoopbackHttp(String input) {
        URI uri;
        try {
            uri = new URI(input);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("input must be an http URL on 127.0.0.1, not '" + input + "'");
        }
        String host = uri.getHost();
        boolean loopback = host != null && (LOOPBACK_IPV4.matcher(host).matches() || host.equals("[::1]"));
        if (!"http".equals(uri.getScheme()) || uri.getRawUserInfo() != null || !loopback) {
            throw new IllegalArgumentException("input must be an http URL on a loopback IP literal (the source server), not '" + input + "'");
        }
        return input;
    }

    static List<String> inputOptions(String input) {
        requireLoopbackHttp(input);
        return List.of("-protocol_whitelist", PROTOCOL_WHITELIST, "-f", "mov", "-enable_drefs", "0",
                // The source server answers 503 when S3 failed past the SDK's retries, and cuts a
                // response when S3 breaks off mid-body: reconnect with backoff (1, 3, 7 s…) and a
                // Range from where it was. A read that stalls (no byte for SOURCE_STALL_SECONDS) is
                // a network error too: reconnect, rather than sit until the process's time limit
                // and be mistaken for a crafted file.
                "-reconnect", "1", "-reconnect_on_network_error", "1", "-reconnect_on_http_error", "5xx",
                "-reconnect_delay_max", String.valueOf(SOURCE_RECONNECT_DELAY_MAX_SECONDS),
                "-rw_timeout", String.valueOf(SOURCE_STALL_SECONDS * 1_000_000L),
                // a small socket receive buffer: what the kernel takes in ahead of ffmpeg is read
                // from S3 and thrown away at every seek (with the server's small send buffer, ~70 KiB
                // per dropped connection instead of ~200 KiB)
                "-recv_buffer_size", String.valueOf(SOURCE_RECEIVE_BUFFER_BYTES));
    }

    /**
     * Input options for a file this invocation wrote itself (an intermediate encode in its scratch
     * directory): the same explicit demuxer and no data references, and the {@code file} protocol
     * only. Never for the upload, which is read through the source server.
     */
    static List<String> ownFileInputOptions(Path file) {
        if (!file.isAbsolute()) throw new IllegalArgumentException("an intermediate file is named by its absolute path, not '" + file + "'");
        return List.of("-protocol_whitelist", "file", "-f", "mov", "-enable_drefs", "0");
    }

    /** The socket receive buffer of ffmpeg's source connections. */
    static final int SOURCE_RECEIVE_BUFFER_BYTES = 32 * 1024;

    /** ffmpeg's longest single wait before it gives up reconnecting to the source. */
    static final int SOURCE_RECONNECT_DELAY_MAX_SECONDS = 8;

    /** Seconds without a byte from the source before ffmpeg gives up on a connection. */
    public static final int SOURCE_STALL_SECONDS = 10;

    public static List<String> probe(Path ffprobe, String input) {
        return probe(ffprobe, input, List.of());
    }

    /** ffprobe's format and streams as JSON, with {@code analysis} options before the input. */
    private static List<String> probe(Path ffprobe, String input, List<String> analysis) {
        // warnings too: the demuxer reports a skipped external data reference only as a warning
        List<String> c = new ArrayList<>(List.of(ffprobe.toString(), "-hide_banner", "-v", "warning"));
        c.addAll(inputOptions(input));
        c.addAll(analysis);
        c.addAll(List.of("-show_format", "-show_streams", "-of", "json", "-i", input));
        return c;
    }

    /**
     * For a look at a fragmented MP4's view (its moov and one run of fragments): do not read on
     * until every stream has had a packet. In a fragment the audio's first packet comes after
     * about a second of video (5 MB at 36 Mbit/s), and its parameters are in the moov's sample
     * description, its start in the tfdt. libavformat's format option {@code max_ts_probe}
     * ("maximum number of packets to read while waiting for the first timestamp", default 50).
     */
    private static final List<String> NO_WAIT_FOR_EVERY_STREAM = List.of("-max_ts_probe", "0");
    /** No frames read for a frame-rate guess (format option {@code fpsprobesize}, "number of frames used to probe fps"). */
    private static final List<String> NO_RATE_GUESS = List.of("-fpsprobesize", "0");

    /**
     * ffprobe of a fragmented MP4's first fragment: as {@link #probe}, without waiting for the
     * audio's first packet. With {@code rateGuess}, ffprobe's usual frames for its frame-rate
     * guess (r_frame_rate: the nominal rate of a variable-rate source); without, none
     * ({@code fpsprobesize 0}: the fragment headers gave a constant rate), so it reads little more
     * than the first keyframe.
     */
    public static List<String> probeFirstFragment(Path ffprobe, String input, boolean rateGuess) {
        List<String> analysis = new ArrayList<>(NO_WAIT_FOR_EVERY_STREAM);
        if (!rateGuess) analysis.addAll(NO_RATE_GUESS);
        return probe(ffprobe, input, analysis);
    }

    /**
     * Decodes every video frame of a fragmented MP4's view from its start (framecrc, one line per
     * frame). No stream analysis first (no audio packet waited for, no frames for a rate guess,
     * {@code fpsprobesize 0}): it read ahead to the fragment's audio, then read the video again
     * from where it had stopped (4.3 MB of a 9 MB fragment, measured through the source server).
     */
    public static List<String> tailCheckOfFragments(Path ffmpeg, String input) {
        List<String> analysis = new ArrayList<>(NO_WAIT_FOR_EVERY_STREAM);
        analysis.addAll(NO_RATE_GUESS);
        return decodeVideo(ffmpeg, input, analysis, 0);
    }

    /** Lists every video packet's {@code pts,duration} without decoding (reads the whole file). */
    public static List<String> packetTimes(Path ffprobe, String input) {
        List<String> c = new ArrayList<>(List.of(ffprobe.toString(), "-hide_banner", "-v", "error"));
        c.addAll(inputOptions(input));
        c.addAll(List.of("-select_streams", "v:0", "-show_entries", "packet=pts,duration", "-of", "csv=p=0", "-i", input));
        return c;
    }

    /**
     * Decodes the video from {@code fromSeconds} to the end, printing one line per decoded frame
     * (framecrc) so the caller can count them: cheap (reads from the keyframe before), and a file
     * whose media data was cut off decodes fewer frames than its header promises — often none,
     * silently.
     */
    public static List<String> tailCheck(Path ffmpeg, String input, double fromSeconds) {
        return decodeVideo(ffmpeg, input, List.of(), fromSeconds);
    }

    /** Decodes the first video stream from {@code fromSeconds} to its end as framecrc, one line per frame. */
    private static List<String> decodeVideo(Path ffmpeg, String input, List<String> analysis, double fromSeconds) {
        List<String> c = new ArrayList<>(List.of(ffmpeg.toString(), "-nostdin", "-hide_banner", "-v", "error", "-xerror"));
        c.addAll(inputOptions(input));
        c.addAll(analysis);
        // from 0, no seek: a seek to the start makes ffmpeg read again what it has just probed
        if (fromSeconds > 0) c.addAll(List.of("-ss", String.format(Locale.ROOT, "%.6f", fromSeconds)));
        c.addAll(List.of("-i", input, "-map", "0:v:0", "-f", "framecrc", "-"));
        return c;
    }

    /** Output file of one rendition in a chunk's scratch directory. */
    public static Path chunkOutput(Path dir, Rendition r) { return dir.resolve(r.id() + ".mp4"); }

    /**
     * One ffmpeg for one chunk and every rendition: decode the chunk's frames once, split, scale,
     * encode each with a GOP of exactly one segment, and keep global timestamps.
     */
    public static List<String> encodeChunk(Path ffmpeg, String input, JobPlan plan, ChunkSpec chunk, Path outDir) {
        return encodeChunk(ffmpeg, input, plan, chunk, outDir, Stills.NONE);
    }

    /**
     * Still pictures a chunk worker takes from the frames it decodes anyway: thumbnail tiles and
     * the poster, each by its frame number within the chunk (0 = the chunk's first frame).
     *
     * @param tileFrames  chunk-relative frames of the tiles in this chunk, increasing (often none)
     * @param posterFrame chunk-relative frame of the poster, or -1 when it is in another chunk
     */
    public record Stills(List<Integer> tileFrames, int tileWidth, int tileHeight, int posterFrame, int posterWidth, int posterHeight) {
        public static final Stills NONE = new Stills(List.of(), 0, 0, -1, 0, 0);

        int outputs() { return (tileFrames.isEmpty() ? 0 : 1) + (posterFrame >= 0 ? 1 : 0); }
    }

    /** File name pattern of a chunk's tiles, in the order of {@link Stills#tileFrames}: tile-001.jpg, … */
    public static final String TILE_PATTERN = "tile-%03d.jpg";

    public static Path tileFile(Path dir, int n) { return dir.resolve(String.format(Locale.ROOT, "tile-%03d.jpg", n)); }

    public static Path posterFile(Path dir) { return dir.resolve("poster.jpg"); }

    /**
     * As above, plus the chunk's stills: one more branch of the same split — the frames after frame
     * timing, deinterlacing and tone mapping, so a still is the output frame of its number — keeps
     * the wanted frames ({@code select} on the frame number), scales them and writes JPEGs. Frames
     * are numbered after frame timing, so frame n is output frame chunk start + n on the grid.
     */
    public static List<String> encodeChunk(Path ffmpeg, String input, JobPlan plan, ChunkSpec chunk, Path outDir, Stills stills) {
        Rational fps = plan.frameRate();
        Rational start = fps.secondsFor(chunk.startFrame());
        // A quarter frame early, so timestamp rounding in the source can never drop the chunk's
        // first frame; the frame before it is still excluded, and frameTiming puts frames on the grid.
        // The first chunk reads from the file's start: nothing comes before its first frame, which
        // may sit before the video's start (a first frame held in place of an edit list, see
        // FragmentIndex.VideoTiming#startDelayTicks).
        SourceInfo.Video video = plan.sourceInfo().video();
        String seek = chunk.startFrame() == 0 ? floorMicros(0)
                : floorMicros(Math.max(0, video.startSeconds() + start.toDouble() - 0.25 / fps.toDouble()));
        List<String> c = new ArrayList<>(List.of(ffmpeg.toString(), "-nostdin", "-hide_banner", "-v", "error", "-y"));
        c.addAll(inputOptions(input));
        // Accurate seek: decodes from the keyframe before the chunk and drops earlier frames. A
        // variable-rate source keeps them: the frame on screen at the chunk's start may begin
        // before the seek point, and the fps filter picks it (and drops the rest).
        if (!video.constantFrameRate()) c.add("-noaccurate_seek");
        c.addAll(List.of("-ss", seek, "-i", input));
        // where the chunk's first frame is on the timeline ffmpeg gives the filters (0 = the seek point)
        String chunkStart = floorMicros(Math.max(0, video.startSeconds() + start.toDouble() - Double.parseDouble(seek)));
        List<Rendition> rs = plan.renditions();
        StringBuilder graph = new StringBuilder("[0:v:0]");
        for (String f : sourceFilters(video, fps, chunkStart)) graph.append(f).append(',');
        graph.append("split=").append(rs.size() + stills.outputs());
        for (int i = 0; i < rs.size(); i++) graph.append("[s").append(i).append(']');
        if (!stills.tileFrames().isEmpty()) graph.append("[tiles]");
        if (stills.posterFrame() >= 0) graph.append("[poster]");
        for (int i = 0; i < rs.size(); i++) {
            Rendition r = rs.get(i);
            // bicubic explicitly: inside -filter_complex scale defaults to bilinear
            graph.append(";[s").append(i).append("]scale=").append(r.width()).append(':').append(r.height())
                    .append(":flags=bicubic,setsar=1,format=yuv420p[v").append(i).append(']');
        }
        if (!stills.tileFrames().isEmpty()) {
            graph.append(";[tiles]").append(still(stills.tileFrames(), fps, stills.tileWidth(), stills.tileHeight())).append("[t]");
        }
        if (stills.posterFrame() >= 0) {
            graph.append(";[poster]").append(still(List.of(stills.posterFrame()), fps, stills.posterWidth(), stills.posterHeight())).append("[p]");
        }
        c.addAll(List.of("-filter_complex", graph.toString()));
        if (!stills.tileFrames().isEmpty()) c.addAll(stillOutput("[t]", fps, stills.tileFrames().size(), "2", outDir.resolve(TILE_PATTERN)));
        if (stills.posterFrame() >= 0) c.addAll(stillOutput("[p]", fps, 1, "3", posterFile(outDir)));
        for (int i = 0; i < rs.size(); i++) {
            Rendition r = rs.get(i);
            c.addAll(List.of("-map", "[v" + i + "]", "-map_metadata", "-1", "-map_chapters", "-1", "-an", "-sn", "-dn"));
            c.addAll(videoEncoderOptions(plan, r));
            c.addAll(colorTags(plan.sourceInfo().video()));
            c.addAll(List.of("-r", fps.toString(), "-vsync", "cfr", "-frames:v", Integer.toString(chunk.frameCount()),
                    "-output_ts_offset", start.toDecimalFloorMicros(),
                    "-f", "mp4", "-movflags", CHUNK_MOVFLAGS, chunkOutput(outDir, r).toString()));
        }
        return c;
    }

    /**
     * Keeps the given frames (numbered from 0 at the branch's input) and scales them like a
     * rendition; the kept frames get consecutive timestamps, so the output's constant-rate sync
     * (global {@code -vsync cfr}) neither repeats nor drops one.
     */
    static String still(List<Integer> frames, Rational fps, int width, int height) {
        StringBuilder select = new StringBuilder("select=");
        for (int k = 0; k < frames.size(); k++) select.append(k == 0 ? "" : "+").append("eq(n\\,").append(frames.get(k)).append(')');
        return select.append(",setpts=N*").append(fps.den()).append("/(").append(fps.num()).append("*TB),scale=")
                .append(width).append(':').append(height).append(":flags=bicubic,setsar=1").toString();
    }

    private static List<String> stillOutput(String label, Rational fps, int frames, String quality, Path out) {
        return List.of("-map", label, "-map_metadata", "-1", "-an", "-sn", "-dn", "-r", fps.toString(), "-frames:v", Integer.toString(frames),
                "-q:v", quality, "-f", "image2", out.toString());
    }

    /** Deinterlaces frames marked interlaced, one output frame per input frame (the frame grid stays the same). */
    static final String DEINTERLACE = "bwdif=mode=send_frame:parity=auto:deint=interlaced";

    /**
     * PQ or HLG (BT.2020) to BT.709 SDR: linear light, Hable tone curve, BT.709 primaries and
     * transfer, 8-bit 4:2:0.
     */
    public static String hdrToSdr(String transfer) {
        return "zscale=tin=" + transfer + ":min=bt2020nc:pin=bt2020:rin=tv:t=linear:npl=100,format=gbrpf32le,"
                + "zscale=p=bt709,tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,format=yuv420p";
    }

    /**
     * What every frame of this source needs before it is scaled (autorotation is ffmpeg's own):
     * deinterlacing when the stream is coded as fields, frames put on the output's constant-rate
     * grid, tone mapping when it is HDR.
     *
     * @param chunkStart seconds from the seek point to the chunk's first frame
     */
    static List<String> sourceFilters(SourceInfo.Video v, Rational fps, String chunkStart) {
        List<String> f = new ArrayList<>();
        if (v.interlaced()) f.add(DEINTERLACE);
        f.add(frameTiming(v, fps, chunkStart));
        if (v.hdr()) f.add(hdrToSdr(v.colorTransfer()));
        return f;
    }

    /**
     * Constant rate: the frames in decode order, one per output slot — timestamps that jitter
     * (a fragment's first sample early, rounding in the container) cannot drop or repeat one.
     * Variable rate (see {@code plan/FrameRates}): first onto the grid of the nominal (capture)
     * rate, from the chunk's start: the fps filter gives each frame the slot nearest its timestamp
     * ({@code round=near}) and shows it until the next frame's slot, repeating it over a gap. So
     * slot k shows the frame whose display interval [t_i, t_i+1) contains k / rate for frames on
     * the capture grid, and capture jitter under half a frame (phones) neither drops nor moves a
     * frame, nor does the seek's microsecond rounding move a frame that is exactly on a chunk's
     * start. The frame on screen at the chunk's start may begin before it (a gap across the
     * boundary): the seek keeps it ({@code -noaccurate_seek}) and the filter shows it in slot 0.
     * Above the output cap, every n-th capture slot: a second fps filter rounding up keeps the
     * frame on screen at each output slot's start. (ffmpeg's -vsync cfr alone drifts by up to two
     * frames.)
     */
    static String frameTiming(SourceInfo.Video v, Rational fps, String chunkStart) {
        if (v.constantFrameRate()) return "setpts=N*" + fps.den() + "/(" + fps.num() + "*TB)";
        Rational capture = v.nominalFrameRate() == null ? fps : v.nominalFrameRate();
        String onCaptureGrid = "setpts=PTS-" + chunkStart + "/TB,fps=fps=" + capture + ":start_time=0:round=near";
        return capture.equals(fps) ? onCaptureGrid : onCaptureGrid + ",fps=fps=" + fps + ":round=up";
    }

    /** Colour tags of the output: BT.709 when the source was tone-mapped, else none (as the source). */
    static List<String> colorTags(SourceInfo.Video v) {
        return v.hdr() ? List.of("-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709") : List.of();
    }

    /**
     * The encoder settings of one rendition in its codec ({@link VideoEncoderOptions}), identical in
     * every chunk: capped CRF, and a closed GOP of exactly one segment (no scene-cut keyframes) so
     * every segment starts with a random access point.
     */
    public static List<String> videoEncoderOptions(JobPlan plan, Rendition r) {
        return VideoEncoderOptions.of(plan, r);
    }

    /** Audio encoder settings: AAC-LC stereo 48 kHz. */
    public static List<String> audioEncoderOptions(JobPlan plan) {
        return List.of("-c:a", "aac", "-b:a", plan.encode().audioBitrateKbps() + "k", "-ac", "2", "-ar", "48000");
    }

    static String floorMicros(double seconds) {
        long micros = (long) Math.floor(seconds * 1_000_000 + 1e-3);
        return String.format(Locale.ROOT, "%d.%06d", micros / 1_000_000, micros % 1_000_000);
    }
}
