package dev.fanout.encoder.media;

import dev.fanout.encoder.errors.EncodeFailedException;
import dev.fanout.encoder.model.SegmentOutput;
import dev.fanout.encoder.model.TrackOutput;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The one way an encoder's fragmented MP4 becomes uploadable media, for every track (a video
 * rendition of a chunk, an audio piece): read the boxes, check them against the plan, write the
 * init and one file per numbered segment by byte range, and describe them as a {@link TrackOutput}.
 * What differs between tracks — which sample counts the plan implies, where each segment must
 * start, how fragments group into segments, header fields to rewrite — comes in as {@link Rules}.
 */
public final class TrackSegmenter {
    private TrackSegmenter() {}

    /** The track-specific parts. Checks throw a named {@link EncodeFailedException} or a {@link FragmentedMp4.MalformedMp4Exception}. */
    public interface Rules {
        /** Names the track in errors, e.g. "chunk 3 rendition 720p". */
        String where();

        /** Whole-file checks against the plan: sample counts, decode times, fragment lengths. */
        void check(FragmentedMp4 mp4) throws IOException;

        /** The file's fragments grouped into media segments (one fragment each, unless a short tail joins). */
        default List<FragmentedMp4.Fragment> segments(FragmentedMp4 mp4) { return mp4.fragments(); }

        int firstSegmentNumber();

        int segmentCount();

        /** Media time shown at presentation time 0 (the edit list's start). */
        long presentationOffset(FragmentedMp4 mp4);

        /** The presentation time the plan puts segment {@code number} at, in the file's timescale. */
        long expectedStart(int number, long timescale);

        /** The init segment's bytes: the file's init, unless a header field must be rewritten. */
        default void writeInit(Path file, FragmentedMp4 mp4, Path target) throws IOException {
            SegmentFiles.writeInit(file, mp4, target);
        }

        /**
         * True when media before presentation time 0 is hidden by the edit list (AAC priming): the
         * first segment is then presented from 0, shorter by what is hidden. Video never starts early.
         */
        default boolean hidesMediaBeforeZero() { return false; }

        /** Called after a segment file is written, to rewrite header fields if needed. */
        default void finishSegment(Path segment) throws IOException {}
    }

    /** The init, the segments (numbered in the whole track) and one file per segment, in order. */
    public record Cut(Path init, TrackOutput track, List<Path> segmentFiles) {}

    /** @param fileStem names the written files in {@code dir} (unique per track) */
    public static Cut cut(Path file, String trackId, Rules rules, Path dir, String fileStem) {
        try {
            FragmentedMp4 mp4 = FragmentedMp4.read(file);
            if (mp4.fragments().isEmpty()) throw new FragmentedMp4.MalformedMp4Exception("no samples");
            rules.check(mp4);
            List<FragmentedMp4.Fragment> fragments = rules.segments(mp4);
            if (fragments.size() != rules.segmentCount()) {
                throw new EncodeFailedException("SegmentCountMismatch", rules.where() + " produced " + fragments.size()
                        + " segments; the plan says " + rules.segmentCount());
            }
            Path init = dir.resolve(fileStem + "-init.mp4");
            rules.writeInit(file, mp4, init);
            long offset = rules.presentationOffset(mp4);
            List<SegmentOutput> segments = new ArrayList<>();
            List<Path> files = new ArrayList<>();
            for (int i = 0; i < fragments.size(); i++) {
                FragmentedMp4.Fragment f = fragments.get(i);
                int number = rules.firstSegmentNumber() + i;
                long start = f.earliestCompositionTime() - offset;
                long duration = f.duration();
                if (start < 0 && rules.hidesMediaBeforeZero()) { duration += start; start = 0; }
                long expected = rules.expectedStart(number, mp4.timescale());
                if (start != expected) {
                    throw new EncodeFailedException("TimestampMismatch", rules.where() + " segment " + number + " starts at "
                            + start + "/" + mp4.timescale() + " s; the plan says " + expected + "/" + mp4.timescale());
                }
                Path seg = dir.resolve(fileStem + "-" + number + ".m4s");
                SegmentFiles.writeSegment(file, f, seg);
                rules.finishSegment(seg);
                segments.add(new SegmentOutput(number, start, duration, f.sampleCount(), Files.size(seg)));
                files.add(seg);
            }
            TrackOutput track = new TrackOutput(trackId, sha256(init), mp4.codecs(), mp4.width(), mp4.height(), mp4.sampleRate(),
                    mp4.channels(), mp4.timescale(), List.copyOf(segments));
            return new Cut(init, track, List.copyOf(files));
        } catch (FragmentedMp4.MalformedMp4Exception e) {
            throw new EncodeFailedException("BadEncoderOutput", rules.where() + ": " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
