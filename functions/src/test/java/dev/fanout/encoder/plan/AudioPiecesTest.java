package dev.fanout.encoder.plan;

import dev.fanout.encoder.model.Rational;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AudioPiecesTest {
    static final Rational NTSC = Rational.of(30000, 1001);

    /** 4 hours at 29.97 fps, 2 s segments (60 frames), 10 s chunks (300 frames), a 48 kHz source. */
    static AudioPieces fourHours() {
        long frames = 4L * 3600 * 30000 / 1001;
        return AudioPieces.of(NTSC, frames, 60, 300, 48_000, 8, 2);
    }

    @Test
    void piecesStartOnTheAacGridAtTheFrameNearestEachChunkStartWithoutDrift() {
        AudioPieces p = fourHours();
        for (int k = 0; k < p.pieceCount(); k++) {
            long s = p.startSample(k);
            assertEquals(0, s % 1024, "piece " + k);
            // exact chunk start in samples: k * 300 * 1001 * 48000 / 30000, compared in integers
            BigInteger twice = BigInteger.valueOf(k).multiply(BigInteger.valueOf(300L * 1001 * 48000 * 2));
            BigInteger exactTimes2 = twice.divide(BigInteger.valueOf(30000));
            long distanceTimes2 = Math.abs(exactTimes2.longValueExact() - 2 * s);
            assertTrue(distanceTimes2 <= 1024 + 1, "piece " + k + " starts within half a frame of its chunk: " + s);
        }
        // the last chunk of a 4 h film: no floating drift (k * 10.01 s computed in doubles would be off by samples here)
        int last = p.pieceCount() - 1;
        assertEquals(Math.floorDiv(2L * last * 300 * 1001 * 48000 / 30000 + 1024, 2048) * 1024, p.startSample(last));
    }

    @Test
    void piecesCoverTheTrackWithoutGapsAndNumberTheirSegmentsOnwards() {
        AudioPieces p = fourHours();
        long packets = 0;
        int nextSegment = 1;
        for (int k = 0; k < p.pieceCount(); k++) {
            AudioPieces.Piece piece = p.piece(k);
            if (k > 0) {
                assertEquals(p.piece(k - 1).endSample(), piece.startSample());
                assertEquals(piece.startSample() + AudioPieces.PRIMING_SAMPLES, piece.firstDecodeTime(), "decode time after the priming frame");
                assertEquals(piece.startSample() - 8 * 1024, piece.encodeFromSample(), "8 frames of pre-roll");
                assertEquals(9, piece.skipPackets(), "the piece's priming frame and its pre-roll are dropped");
            }
            if (k < p.pieceCount() - 1) assertEquals(piece.endSample() + 2 * 1024, piece.encodeToSample(), "2 frames of post-roll");
            assertEquals(nextSegment, piece.firstSegmentNumber());
            nextSegment += piece.segmentCount();
            packets += piece.expectedPackets();
        }
        assertEquals(p.totalPackets(), packets, "as many packets as a single-pass encode writes");
        assertEquals(p.totalSamples(), p.piece(p.pieceCount() - 1).endSample());
        AudioPieces.Piece first = p.piece(0);
        assertEquals(0, first.encodeFromSample());
        assertEquals(0, first.skipPackets(), "piece 0 keeps the track's priming frame");
        assertEquals(first.endSample() / 1024 + 1, first.expectedPackets());
    }

    @Test
    void aTenSecondChunkIsFiveSegmentsOf94FramesAndAShortTailJoins() {
        // 35 s at 30 fps: pieces of 470 (with priming), 469, 468 and 235 packets; 94 frames per segment
        AudioPieces p = AudioPieces.of(Rational.of(30, 1), 35 * 30, 60, 300, 48_000, 8, 2);
        assertEquals(94, p.framesPerSegment());
        assertEquals(new int[]{470, 469, 468, 235}[2], p.piece(2).expectedPackets());
        assertEquals(5, p.piece(0).segmentCount());
        assertEquals(5, p.piece(1).segmentCount());
        // 235 = 94 + 94 + 47, the last 47 frames lasting 46 * 1024 + 640 = 47,744 samples: under half of 96,000, so it joins
        assertEquals(2, p.piece(3).segmentCount());
        assertTrue(p.joinsTail(3));
        assertEquals(640, p.lastPacketSamples());
        assertEquals(16, p.piece(3).firstSegmentNumber());
    }

    @Test
    void preRollStartsOfA44kHzSourceAreWholeSourceSamples() {
        AudioPieces p = AudioPieces.of(Rational.of(25, 1), 25 * 60, 50, 250, 44_100, 8, 2);
        for (int k = 1; k < p.pieceCount(); k++) {
            long from = p.piece(k).encodeFromSample();
            assertEquals(0, from * 44_100 % 48_000, "piece " + k + " starts its encode on a source sample");
            assertEquals(0, from % 1024, "and on the AAC grid");
            assertTrue(p.piece(k).startSample() - from >= 8 * 1024, "with at least the pre-roll");
        }
    }
}
