package dev.fanout.local;

import dev.fanout.encoder.media.ProcessRunner;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Makes the input corpus with the shipped ffmpeg (no binary fixtures in the repository): lavfi
 * test patterns and tones, re-muxed or byte-edited into the shapes uploads come in.
 */
final class CorpusMedia {
    private final Path ffmpeg;

    CorpusMedia(Path ffmpeg) { this.ffmpeg = ffmpeg; }

    /** A moving test pattern, every frame different (so a one-frame shift shows in PSNR). */
    static String pattern(String size, String rate, double seconds) {
        return String.format(Locale.ROOT, "testsrc2=size=%s:rate=%s:duration=%.3f", size, rate, seconds);
    }

    /** A beeping tone at 48 kHz. */
    static String tone(int hz, double seconds) {
        return String.format(Locale.ROOT, "sine=frequency=%d:beep_factor=4:sample_rate=48000:duration=%.3f", hz, seconds);
    }

    /** Runs ffmpeg with the given arguments (inputs, options, output last) and returns the output. */
    Path ffmpeg(Path out, String... args) {
        List<String> c = new ArrayList<>(List.of(ffmpeg.toString(), "-nostdin", "-hide_banner", "-v", "error", "-y"));
        c.addAll(Arrays.asList(args));
        c.add(out.toString());
        ProcessRunner.Result r = ProcessRunner.run(c, Duration.ofMinutes(2), 4096);
        if (!r.ok()) throw new IllegalStateException("making " + out.getFileName() + " failed: " + r.stderrSummary(5));
        return out;
    }

    /** H.264 + AAC from a pattern and a tone: {@code lavfi video, lavfi audio (or null), extra output options}. */
    Path clip(Path out, String video, String audio, String... outputOptions) {
        List<String> a = new ArrayList<>(List.of("-f", "lavfi", "-i", video));
        if (audio != null) a.addAll(List.of("-f", "lavfi", "-i", audio));
        a.addAll(List.of("-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-pix_fmt", "yuv420p", "-g", "37"));
        if (audio != null) a.addAll(List.of("-c:a", "aac", "-b:a", "96k"));
        a.addAll(Arrays.asList(outputOptions));
        return ffmpeg(out, a.toArray(String[]::new));
    }

    /** The first {@code fraction} of a file: an upload that stopped part way. */
    static Path cut(Path from, Path to, double fraction) throws IOException {
        byte[] all = Files.readAllBytes(from); // test media of a few hundred KB
        return Files.write(to, Arrays.copyOf(all, (int) (all.length * fraction)));
    }

    private static final Set<String> CONTAINERS = Set.of("moov", "trak", "mdia", "minf", "dinf");

    /**
     * Rewrites every track's data reference ({@code moov/trak/mdia/minf/dinf/dref}) into a QuickTime
     * alias that points at {@code targetName} in the same folder as the movie: a "reference movie"
     * whose media data lives in another file. The movie header must come after the media data
     * (ffmpeg's default), so resizing it moves no sample offsets.
     */
    static Path withExternalDataReference(Path from, Path to, String targetName) throws IOException {
        byte[] file = Files.readAllBytes(from);
        int moov = findTopLevel(file, "moov");
        int moovSize = ByteBuffer.wrap(file, moov, 4).getInt();
        if (moov + moovSize != file.length || moov < findTopLevel(file, "mdat")) {
            throw new IllegalArgumentException("moov must be the last box, after mdat");
        }
        byte[] newMoov = rewrite(Arrays.copyOfRange(file, moov, file.length), aliasDref(targetName));
        byte[] out = Arrays.copyOf(file, moov + newMoov.length);
        System.arraycopy(newMoov, 0, out, moov, newMoov.length);
        return Files.write(to, out);
    }

    private static int findTopLevel(byte[] file, String type) {
        for (int at = 0; at + 8 <= file.length; ) {
            int size = ByteBuffer.wrap(file, at, 4).getInt();
            if (new String(file, at + 4, 4, StandardCharsets.ISO_8859_1).equals(type)) return at;
            if (size < 8) break;
            at += size;
        }
        throw new IllegalArgumentException("no top-level " + type + " box");
    }

    /** One box (header included): containers on the path to dref are rebuilt with new sizes. */
    private static byte[] rewrite(byte[] box, byte[] dref) {
        String type = new String(box, 4, 4, StandardCharsets.ISO_8859_1);
        if (type.equals("dref")) return dref;
        if (!CONTAINERS.contains(type)) return box;
        ByteBuffer out = ByteBuffer.allocate(box.length + 4096);
        out.putInt(0).put(box, 4, 4);
        for (int at = 8; at + 8 <= box.length; ) {
            int size = ByteBuffer.wrap(box, at, 4).getInt();
            out.put(rewrite(Arrays.copyOfRange(box, at, at + size), dref));
            at += size;
        }
        out.putInt(0, out.position());
        return Arrays.copyOf(out.array(), out.position());
    }

    /**
     * A dref with one Macintosh alias record as ffmpeg's mov demuxer reads it: 150 bytes of fixed
     * fields (volume, file name, levels up from the movie / down to the target = 1, 1), then an
     * absolute-path entry (type 2) and the end marker.
     */
    private static byte[] aliasDref(String targetName) {
        byte[] path = ("/media/" + targetName).getBytes(StandardCharsets.US_ASCII);
        int pathLen = path.length + (path.length & 1);
        ByteBuffer alias = ByteBuffer.allocate(150 + 4 + pathLen + 4);
        alias.position(10);
        alias.put((byte) 5).put(Arrays.copyOf("media".getBytes(StandardCharsets.US_ASCII), 27));
        alias.position(alias.position() + 12);
        byte[] name = targetName.getBytes(StandardCharsets.US_ASCII);
        alias.put((byte) name.length).put(Arrays.copyOf(name, 63));
        alias.position(alias.position() + 16);
        alias.putShort((short) 1).putShort((short) 1);
        alias.position(alias.position() + 16);
        alias.putShort((short) 2).putShort((short) path.length).put(Arrays.copyOf(path, pathLen));
        alias.putShort((short) -1).putShort((short) 0);
        byte[] record = alias.array();
        ByteBuffer entry = ByteBuffer.allocate(12 + record.length);
        entry.putInt(12 + record.length).put("alis".getBytes(StandardCharsets.US_ASCII)).putInt(0).put(record);
        ByteBuffer dref = ByteBuffer.allocate(16 + entry.capacity());
        dref.putInt(16 + entry.capacity()).put("dref".getBytes(StandardCharsets.US_ASCII)).putInt(0).putInt(1).put(entry.array());
        return dref.array();
    }
}
