package dev.fanout.encoder.media;

import dev.fanout.encoder.errors.EncodeFailedException;
import dev.fanout.encoder.errors.InvalidInputException;
import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.model.SourceInfo;
import dev.fanout.encoder.plan.AudioRenditions;
import dev.fanout.encoder.model.TrackOutput;
import dev.fanout.encoder.plan.AudioPieces;
import dev.fanout.encoder.source.SourceServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a chunk worker calls: encode audio piece k of every audio rendition of the plan from the
 * source into a directory and get each one's init and numbered segments, ready to upload under
 * {@code JobLayout.audioInitKey(id)} / {@code audioSegmentKey(id, number)} and to record.
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

    /** Piece {@code index} of the source's first audio track. */
    public static EncodedPiece encode(Path ffmpeg, Duration timeout, SourceServer source, JobPlan plan, AudioPieces pieces, int index, Path dir) {
        return encodeAll(ffmpeg, timeout, source, plan, pieces, index, AudioRenditions.of(plan.sourceInfo()).subList(0, 1), dir).get(0);
    }

    /**
     * Piece {@code index} of every audio rendition: one ffmpeg encodes the piece of all tracks (one
     * read of the source), then one stream copy per track cuts its segments. When the encode fails
     * for the media (not the source's reads, a crash or the time limit), each track is tried alone
     * and the first that fails on its own fails the job as {@code InvalidInput.AudioUndecodable},
     * naming the track.
     */
    public static List<EncodedPiece> encodeAll(Path ffmpeg, Duration timeout, SourceServer source, JobPlan plan, AudioPieces pieces,
                                               int index, List<AudioRenditions.AudioRendition> renditions, Path dir) {
        AudioPieces.Piece piece = pieces.piece(index);
        List<AudioPieceCommands.Output> outputs = new ArrayList<>();
        for (AudioRenditions.AudioRendition r : renditions) {
            outputs.add(new AudioPieceCommands.Output(r.track().audioIndex(), dir.resolve(r.id() + "-piece-" + index + "-encoded.mp4")));
        }
        List<Path> scratch = new ArrayList<>(outputs.stream().map(AudioPieceCommands.Output::out).toList());
        long t0 = System.nanoTime();
        try {
            String what = "encoding audio piece " + index + (renditions.size() > 1 ? " of " + renditions.size() + " tracks" : "");
            try {
                Ffmpeg.runEncode(what, AudioPieceCommands.encode(ffmpeg, source.url(), plan, pieces, piece, outputs), timeout, source);
            } catch (EncodeFailedException e) {
                if (!e.errorName().equals("EncodeFailed.Ffmpeg")) throw e;
                throw undecodable(ffmpeg, timeout, source, plan, pieces, piece, renditions, outputs, e);
            }
            List<EncodedPiece> out = new ArrayList<>();
            for (int i = 0; i < renditions.size(); i++) {
                AudioRenditions.AudioRendition r = renditions.get(i);
                Path cut = dir.resolve(r.id() + "-piece-" + index + ".mp4");
                scratch.add(cut);
                Ffmpeg.runOnOwnFiles("cutting audio piece " + index + " of " + r.id(),
                        AudioPieceCommands.cut(ffmpeg, outputs.get(i).out(), plan, pieces, piece, cut), timeout);
                TrackSegmenter.Cut c = TrackSegmenter.cut(cut, r.id(), AudioPieceSegments.rules(pieces, piece), dir, r.id() + "-" + index);
                out.add(new EncodedPiece(index, c.init(), c.track(), c.segmentFiles(), 0));
            }
            // one encode made every track's piece: its time is the pieces' time, recorded once per chunk
            double seconds = (System.nanoTime() - t0) / 1e9;
            List<EncodedPiece> timed = new ArrayList<>();
            for (EncodedPiece p : out) timed.add(new EncodedPiece(p.index(), p.init(), p.track(), p.segmentFiles(), seconds));
            return timed;
        } finally {
            for (Path p : scratch) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // scratch space; the caller removes its directory
                }
            }
        }
    }

    /** The encode of all tracks failed for the media: the first track that fails alone is named; none alone: the original error. */
    private static RuntimeException undecodable(Path ffmpeg, Duration timeout, SourceServer source, JobPlan plan, AudioPieces pieces,
                                                AudioPieces.Piece piece, List<AudioRenditions.AudioRendition> renditions,
                                                List<AudioPieceCommands.Output> outputs, EncodeFailedException together) {
        for (int i = 0; i < renditions.size(); i++) {
            SourceInfo.Audio track = renditions.get(i).track();
            try {
                if (renditions.size() > 1) {
                    Ffmpeg.runEncode("encoding audio piece " + piece.index() + " of " + track.describe(),
                            AudioPieceCommands.encode(ffmpeg, source.url(), plan, pieces, piece, List.of(outputs.get(i))), timeout, source);
                    continue;
                }
                return new InvalidInputException("AudioUndecodable", track.describe() + " (" + track.codec()
                        + ") cannot be decoded; remove the track or export it as AAC: " + together.detail());
            } catch (EncodeFailedException alone) {
                if (!alone.errorName().equals("EncodeFailed.Ffmpeg")) return alone;
                return new InvalidInputException("AudioUndecodable", track.describe() + " (" + track.codec()
                        + ") cannot be decoded; remove the track or export it as AAC: " + alone.detail());
            }
        }
        return together;
    }
}
