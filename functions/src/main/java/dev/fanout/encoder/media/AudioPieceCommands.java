package dev.fanout.encoder.media;

import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.plan.AudioPieces;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The two ffmpeg runs of one audio piece (see {@link AudioPieces}). Pure.
 * <ol>
 *   <li>{@link #encode}: the piece's samples with pre- and post-roll, decoded from the source on
 *       the same terms as the whole-track encode (same demuxer hardening, same start at the video's
 *       first frame, same AAC settings, silence past the source's end), into a plain MP4 — every
 *       packet with its timestamp.</li>
 *   <li>{@link #cut}: a stream copy of exactly the piece's packets (dropping priming, pre-roll and
 *       post-roll; ffmpeg's output {@code -ss} drops copied packets before it to the packet) into
 *       fragments of one segment with the joined track's decode times. The cut can only be
 *       done after encoding: an output {@code -ss} on an encode trims the encoder's input, which
 *       is the pre-roll itself.</li>
 * </ol>
 * The cut's init is byte-identical for every piece: its bit-rate fields are set from the plan,
 * not measured (a copied stream would otherwise report each piece's own average).
 */
public final class AudioPieceCommands {
    private AudioPieceCommands() {}

    /** One output of {@link #encode}: the source's audio track {@code audioIndex} ({@code -map 0:a:<audioIndex>}) into {@code out}. */
    public record Output(int audioIndex, Path out) {}

    /** The piece of the source's first audio track. */
    public static List<String> encode(Path ffmpeg, String input, JobPlan plan, AudioPieces pieces, AudioPieces.Piece piece, Path out) {
        return encode(ffmpeg, input, plan, pieces, piece, List.of(new Output(0, out)));
    }

    /**
     * The piece of several audio tracks in one run: one input, one seek, one read of the source's
     * range (docs/audio-pieces.md, "Several audio tracks"), one output file per track with the
     * same filters and encoder settings.
     */
    public static List<String> encode(Path ffmpeg, String input, JobPlan plan, AudioPieces pieces, AudioPieces.Piece piece, List<Output> outputs) {
        if (outputs.isEmpty()) throw new IllegalArgumentException("an audio piece encode needs at least one track");
        double videoStart = plan.sourceInfo().video().startSeconds();
        long from = piece.encodeFromSample();
        List<String> c = new ArrayList<>(List.of(ffmpeg.toString(), "-nostdin", "-hide_banner", "-v", "error", "-y"));
        c.addAll(FfmpegCommands.inputOptions(input));
        // accurate seek: ffmpeg trims the decoded source to the sample (rounded to the nearest one)
        c.addAll(List.of("-ss", micros(videoStart + (double) from / pieces.sampleRate()), "-i", input));
        // exactly the planned samples, counted at the output rate (not timed): cut where the source is
        // longer, silence where it is shorter; resampled first so that atrim counts output samples.
        // async=1: the encoder's timestamps are aresample's own running sample count, not the source's
        // packet times. A source whose AAC track was looped or concatenated by a stream copy steps off
        // the sample grid at each joint (its short last packet is stretched to the video's length:
        // measured, 1025 samples where 1024 decode); passed through, the step shifts every later packet
        // of the piece by one sample and the piece no longer starts or lasts as planned. Steps under
        // 1 ms (min_comp) are absorbed into the count; gaps over 0.1 s (min_hard_comp's default) are
        // documented to be filled with silence and overlaps dropped, so a piece stays on the source's
        // timeline and adjacent pieces, each seeking by time, agree on it. A continuous source is
        // unchanged (measured: byte-identical output at 48 and 44.1 kHz).
        // (FFmpeg Resampler documentation, "async", "min_comp", "min_hard_comp")
        long samples = piece.encodeToSample() - from;
        for (Output o : outputs) {
            c.addAll(List.of("-map", "0:a:" + o.audioIndex(), "-vn", "-sn", "-dn", "-map_metadata", "-1", "-map_chapters", "-1"));
            c.addAll(FfmpegCommands.audioEncoderOptions(plan));
            // no edit list: packet j is at j * 1024 with its exact duration (with one, the muxer rounds the
            // last packet's duration to the edit's millisecond length, and reading it back shifts packets)
            c.addAll(List.of("-af", "aresample=" + pieces.sampleRate() + ":async=1,atrim=end_sample=" + samples + ",apad=whole_len=" + samples,
                    "-use_editlist", "0", "-f", "mp4", o.out().toString()));
        }
        return c;
    }

    public static List<String> cut(Path ffmpeg, Path encoded, JobPlan plan, AudioPieces pieces, AudioPieces.Piece piece, Path out) {
        List<String> c = new ArrayList<>(List.of(ffmpeg.toString(), "-nostdin", "-hide_banner", "-v", "error", "-y"));
        c.addAll(FfmpegCommands.ownFileInputOptions(encoded));
        c.addAll(List.of("-i", encoded.toString(), "-map", "0:a:0", "-c", "copy",
                "-b:a", plan.encode().audioBitrateKbps() + "k"));
        if (piece.skipPackets() > 0) {
            // packet j of the encode (0: the priming frame) is at j * 1024
            long firstKeptPts = (long) piece.skipPackets() * AudioPieces.AAC_FRAME;
            c.addAll(List.of("-ss", micros((double) firstKeptPts / pieces.sampleRate())));
        }
        if (!piece.last()) c.addAll(List.of("-frames:a", Integer.toString(piece.keptPackets())));
        // after the cut the first kept packet is at 0; it goes to its place in the joined track
        c.addAll(List.of("-output_ts_offset", micros((double) piece.firstDecodeTime() / pieces.sampleRate()),
                "-f", "mp4", "-movflags", FfmpegCommands.CHUNK_MOVFLAGS, "-frag_duration", Long.toString(pieces.fragmentMicros()),
                out.toString()));
        return c;
    }

    /** Seconds to the nearest microsecond: ffmpeg turns it back into the nearest sample (a sample is 20.8 µs). */
    static String micros(double seconds) {
        long us = Math.round(seconds * 1_000_000);
        return String.format(Locale.ROOT, "%d.%06d", us / 1_000_000, us % 1_000_000);
    }
}
