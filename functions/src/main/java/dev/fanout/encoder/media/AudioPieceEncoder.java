package dev.fanout.encoder.media;

import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.TrackOutput;
import dev.fanout.encoder.plan.AudioPieces;
import dev.fanout.encoder.source.SourceServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a chunk worker calls: encode audio piece k of the plan from the source into a directory
 * and get its init and numbered segments, ready to upload under
 * {@code JobLayout.audioInitKey()} / {@code audioSegmentKey(number)} and to record.
 */
public final class AudioPieceEncoder {
    private AudioPieceEncoder() {}

    /**
     * @param init         the init segment (the same bytes for every piece of a job)
     * @param track        the piece's segments in the joined track's numbering and timescale
     * @param segmentFiles one file per entry of {@code track.segments()}, in order
     * @param encodeSeconds wall time of the two ffmpeg runs
     */
    public record EncodedPiece(int index, Path init, TrackOutput track, List<Path> segmentFiles, double encodeSeconds) {}

    public static EncodedPiece encode(Path ffmpeg, Duration timeout, SourceServer source, JobPlan plan, AudioPieces pieces, int index, Path dir) {
        AudioPieces.Piece piece = pieces.piece(index);
        Path encoded = dir.resolve("audio-piece-" + index + "-encoded.mp4");
        Path cut = dir.resolve("audio-piece-" + index + ".mp4");
        long t0 = System.nanoTime();
        try {
            Ffmpeg.runEncode("encoding audio piece " + index, AudioPieceCommands.encode(ffmpeg, source.url(), plan, pieces, piece, encoded), timeout, source);
            Ffmpeg.runOnOwnFiles("cutting audio piece " + index, AudioPieceCommands.cut(ffmpeg, encoded, plan, pieces, piece, cut), timeout);
            double seconds = (System.nanoTime() - t0) / 1e9;
            TrackSegmenter.Cut c = TrackSegmenter.cut(cut, "audio", AudioPieceSegments.rules(pieces, piece), dir, "audio-" + index);
            return new EncodedPiece(index, c.init(), c.track(), c.segmentFiles(), seconds);
        } finally {
            try {
                Files.deleteIfExists(encoded);
                Files.deleteIfExists(cut);
            } catch (IOException ignored) {
                // scratch space; the caller removes its directory
            }
        }
    }
}
