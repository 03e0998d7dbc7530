package dev.fanout.encoder.manifest;

import dev.fanout.encoder.errors.EncodeFailedException;
import dev.fanout.encoder.model.SegmentOutput;
import dev.fanout.encoder.model.TrackOutput;
import dev.fanout.encoder.plan.AudioPieces;

import java.util.ArrayList;
import java.util.List;

/**
 * The reducer's side of audio in pieces, pure: the pieces' records (in piece order) become the
 * one audio track {@link PresentationAssembler} expects, without touching media. Every piece
 * must have the same init (one init for the track), the same timescale and codec, and segments
 * numbered on from the piece before; {@link PresentationAssembler} then proves the timeline
 * continuous (t[n] + d[n] = t[n+1]). The track must end exactly at the video's duration.
 */
public final class AudioPieceJoin {
    private AudioPieceJoin() {}

    /** The first audio track's pieces (id "audio"). */
    public static TrackOutput join(AudioPieces pieces, List<TrackOutput> inPieceOrder) {
        return join(pieces, "audio", inPieceOrder);
    }

    /** The pieces of audio rendition {@code id}; the messages name it. */
    public static TrackOutput join(AudioPieces pieces, String id, List<TrackOutput> inPieceOrder) {
        if (inPieceOrder.size() != pieces.pieceCount()) {
            throw inconsistent(id + ": expected " + pieces.pieceCount() + " audio pieces, found " + inPieceOrder.size());
        }
        TrackOutput first = inPieceOrder.get(0);
        List<SegmentOutput> segments = new ArrayList<>();
        for (int k = 0; k < inPieceOrder.size(); k++) {
            TrackOutput t = inPieceOrder.get(k);
            if (!t.initSha256().equals(first.initSha256())) {
                throw inconsistent(id + ": audio piece " + k + " has a different init segment than piece 0 (encoder settings differ between pieces)");
            }
            if (t.timescale() != first.timescale() || !t.codecs().equals(first.codecs()) || t.sampleRate() != first.sampleRate()
                    || t.channels() != first.channels()) {
                throw inconsistent(id + ": audio piece " + k + " has another timescale, codec or layout than piece 0");
            }
            int expected = pieces.piece(k).firstSegmentNumber();
            if (t.segments().isEmpty() || t.segments().get(0).number() != expected) {
                throw inconsistent(id + ": audio piece " + k + " does not start at segment " + expected);
            }
            segments.addAll(t.segments());
        }
        SegmentOutput last = segments.get(segments.size() - 1);
        long end = last.startTime() + last.duration();
        if (end != pieces.totalSamples()) {
            throw inconsistent(id + ": the audio pieces end at sample " + end + "; the video ends at " + pieces.totalSamples());
        }
        return new TrackOutput(id, first.initSha256(), first.codecs(), 0, 0, first.sampleRate(), first.channels(),
                first.timescale(), List.copyOf(segments));
    }

    private static EncodeFailedException inconsistent(String detail) {
        return new EncodeFailedException("InconsistentChunks", detail);
    }
}
