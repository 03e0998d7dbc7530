package dev.fanout.encoder.manifest;

import dev.fanout.encoder.errors.EncodeFailedException;
import dev.fanout.encoder.model.ChunkOutput;
import dev.fanout.encoder.model.JobPlan;
import dev.fanout.encoder.plan.AudioPieces;
import dev.fanout.encoder.plan.AudioRenditions;
import dev.fanout.encoder.model.Rendition;
import dev.fanout.encoder.model.SegmentOutput;
import dev.fanout.encoder.model.SubtitleTrack;
import dev.fanout.encoder.model.TrackOutput;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The reducer's logic, pure: joins the chunk records into one timeline per rendition and proves
 * it continuous. Every chunk must be present; every rendition's init must be identical across
 * chunks; segments must be numbered 1..N with t[n] + d[n] = t[n+1]; all renditions must share one
 * timeline (segment-aligned), across codecs too — so every codec's adaptation set has the same
 * segment boundaries and a player changing codec lands on the same grid; the frames must add up to
 * the source's.
 */
public final class PresentationAssembler {
    private PresentationAssembler() {}

    /** @param audio the joined audio tracks ({@link AudioPieceJoin}), one per audio rendition in rendition order */
    public static Presentation assemble(JobPlan plan, List<ChunkOutput> chunks, List<TrackOutput> audio) {
        return assemble(plan, chunks, audio, List.of());
    }

    /** As above, with the subtitle tracks the probe published (each one WebVTT file), in menu order. */
    public static Presentation assemble(JobPlan plan, List<ChunkOutput> chunks, List<TrackOutput> audio, List<SubtitleTrack> subtitles) {
        Presentation p = assembleMedia(plan, chunks, audio);
        List<Presentation.TextTrack> text = new ArrayList<>();
        for (SubtitleTrack s : subtitles) {
            String prefix = plan.layout().outputPrefix();
            if (!s.key().startsWith(prefix)) throw inconsistent("subtitle track " + s.id() + " (" + s.key() + ") is not in the job's output");
            long bandwidth = (long) Math.ceil(s.bytes() * 8.0 / Math.max(p.durationSeconds(), 0.001));
            text.add(new Presentation.TextTrack(s.id(), s.language(), s.label(), s.key().substring(prefix.length()), Math.max(1, bandwidth)));
        }
        return new Presentation(p.durationSeconds(), p.segmentSeconds(), p.video(), p.audio(), text);
    }

    private static Presentation assembleMedia(JobPlan plan, List<ChunkOutput> chunks, List<TrackOutput> audio) {
        List<ChunkOutput> sorted = chunks.stream().sorted(Comparator.comparingInt(ChunkOutput::chunkIndex)).toList();
        if (sorted.size() != plan.chunkCount()) {
            throw inconsistent("expected " + plan.chunkCount() + " chunk records, found " + sorted.size());
        }
        for (int i = 0; i < sorted.size(); i++) {
            if (sorted.get(i).chunkIndex() != i) throw inconsistent("chunk " + i + " is missing");
        }
        long timescale = -1;
        List<SegmentOutput> reference = null;
        List<Presentation.Representation> reps = new ArrayList<>();
        for (Rendition r : plan.renditions()) {
            List<SegmentOutput> segments = new ArrayList<>();
            String initSha = null;
            TrackOutput first = null;
            long frames = 0;
            for (ChunkOutput c : sorted) {
                TrackOutput t = c.renditions().stream().filter(x -> x.trackId().equals(r.id())).findFirst()
                        .orElseThrow(() -> inconsistent("chunk " + c.chunkIndex() + " has no rendition " + r.id()));
                if (first == null) { first = t; initSha = t.initSha256(); }
                if (!t.initSha256().equals(initSha)) {
                    throw inconsistent("rendition " + r.id() + ": chunk " + c.chunkIndex() + " has a different init segment than chunk 0 (encoder settings differ between chunks)");
                }
                if (t.timescale() != first.timescale()) throw inconsistent("rendition " + r.id() + ": timescale differs in chunk " + c.chunkIndex());
                segments.addAll(t.segments());
                frames += t.segments().stream().mapToLong(SegmentOutput::frames).sum();
            }
            if (frames != plan.totalFrames()) {
                throw inconsistent("rendition " + r.id() + " has " + frames + " frames; the source has " + plan.totalFrames());
            }
            checkContinuous("rendition " + r.id(), segments, plan.segmentCount());
            if (reference == null) {
                reference = segments;
                timescale = first.timescale();
            } else if (first.timescale() != timescale || !sameTiming(reference, segments)) {
                throw inconsistent("rendition " + r.id() + " is not segment-aligned with " + plan.renditions().get(0).id());
            }
            long bytes = segments.stream().mapToLong(SegmentOutput::bytes).sum();
            reps.add(new Presentation.Representation(r.id(), first.codecs(), r.width(), r.height(),
                    peakBandwidth(segments, first.timescale()), bytes, r.maxrateKbps(), r.codec()));
        }
        Presentation.VideoSet video = new Presentation.VideoSet(timescale, plan.frameRate(), reps, runs(reference));

        List<AudioRenditions.AudioRendition> renditions = AudioRenditions.of(plan.sourceInfo());
        if (audio.isEmpty() && !renditions.isEmpty()) throw inconsistent("the source has audio but no audio track was recorded");
        if (audio.size() != renditions.size()) {
            throw inconsistent("the source has " + renditions.size() + " audio track(s) but " + audio.size() + " were recorded");
        }
        List<Presentation.AudioSet> audioSets = new ArrayList<>();
        for (int i = 0; i < renditions.size(); i++) {
            AudioRenditions.AudioRendition r = renditions.get(i);
            TrackOutput a = audio.get(i);
            if (!a.trackId().equals(r.id())) throw inconsistent("audio track " + (i + 1) + " is recorded as " + a.trackId() + ", not " + r.id());
            // every rendition has the same guarantees: continuous, the planned segments, and (AudioPieceJoin) the video's end
            checkContinuous(r.id(), a.segments(), expectedAudioSegments(plan));
            audioSets.add(new Presentation.AudioSet(a.timescale(), a.codecs(), a.sampleRate(), a.channels(),
                    peakBandwidth(a.segments(), a.timescale()), a.segments().stream().mapToLong(SegmentOutput::bytes).sum(), runs(a.segments()),
                    r.id(), r.language(), r.name(), r.main(), renditions.size() > 1));
        }
        double segmentSeconds = plan.frameRate().secondsFor(plan.segmentFrames()).toDouble();
        return new Presentation(plan.durationSeconds().toDouble(), segmentSeconds, video, audioSets);
    }

    /**
     * The audio segments the plan implies: the pieces' own plan ({@link AudioPieces}) fixes how many
     * segments each piece cuts (its AAC frames into fragments of one segment, a last fragment under
     * half a segment joined to the one before), so the joined track has exactly their sum.
     */
    static int expectedAudioSegments(JobPlan plan) {
        AudioPieces pieces = AudioPieces.of(plan);
        AudioPieces.Piece last = pieces.piece(pieces.pieceCount() - 1);
        return last.firstSegmentNumber() + last.segmentCount() - 1;
    }

    private static void checkContinuous(String what, List<SegmentOutput> segments, int expectedCount) {
        if (segments.size() != expectedCount) throw inconsistent(what + " has " + segments.size() + " segments; expected " + expectedCount);
        for (int i = 0; i < segments.size(); i++) {
            SegmentOutput s = segments.get(i);
            if (s.number() != i + 1) throw inconsistent(what + ": segment " + (i + 1) + " is missing or out of order (found " + s.number() + ")");
            if (s.duration() <= 0) throw inconsistent(what + ": segment " + s.number() + " has no duration");
            if (i == 0 && s.startTime() != 0) throw inconsistent(what + ": the first segment starts at " + s.startTime() + ", not 0");
            if (i > 0) {
                SegmentOutput prev = segments.get(i - 1);
                long end = prev.startTime() + prev.duration();
                if (end != s.startTime()) {
                    throw inconsistent(what + ": " + (end < s.startTime() ? "gap" : "overlap") + " between segments " + prev.number()
                            + " and " + s.number() + " (" + end + " vs " + s.startTime() + ")");
                }
            }
        }
    }

    private static boolean sameTiming(List<SegmentOutput> a, List<SegmentOutput> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i).startTime() != b.get(i).startTime() || a.get(i).duration() != b.get(i).duration()) return false;
        }
        return true;
    }

    /**
     * Peak segment bit rate as RFC 8216 (4.3.4.2) defines it, used for DASH {@code @bandwidth} and
     * HLS {@code BANDWIDTH} alike: the highest bit rate of any run of consecutive segments lasting
     * between 0.5 and 1.5 target durations (the longest segment rounded up to whole seconds), in
     * bit/s, rounded up. So a short last segment counts on its own when it is at least half a target
     * duration long, and together with the segment before it otherwise. A presentation shorter than
     * half a target duration counts as a whole.
     */
    static long peakBandwidth(List<SegmentOutput> segments, long timescale) {
        long longest = segments.stream().mapToLong(SegmentOutput::duration).max().orElse(0);
        long target = HlsPlaylists.targetDurationSeconds(timescale, longest) * timescale;
        double peak = 0;
        boolean any = false;
        for (int i = 0; i < segments.size(); i++) {
            long bytes = 0, duration = 0;
            for (int j = i; j < segments.size(); j++) {
                bytes += segments.get(j).bytes();
                duration += segments.get(j).duration();
                if (2 * duration > 3 * target) break;
                if (2 * duration >= target) {
                    peak = Math.max(peak, bytes * 8.0 * timescale / duration);
                    any = true;
                }
            }
        }
        if (!any) {
            long bytes = segments.stream().mapToLong(SegmentOutput::bytes).sum();
            long duration = segments.stream().mapToLong(SegmentOutput::duration).sum();
            peak = bytes * 8.0 * timescale / duration;
        }
        return (long) Math.ceil(peak);
    }

    /** Run-length encodes a continuous timeline for SegmentTimeline. */
    static List<Presentation.TimelineRun> runs(List<SegmentOutput> segments) {
        List<Presentation.TimelineRun> runs = new ArrayList<>();
        for (SegmentOutput s : segments) {
            if (!runs.isEmpty()) {
                Presentation.TimelineRun last = runs.get(runs.size() - 1);
                if (last.d() == s.duration()) {
                    runs.set(runs.size() - 1, new Presentation.TimelineRun(last.t(), last.d(), last.r() + 1));
                    continue;
                }
            }
            runs.add(new Presentation.TimelineRun(s.startTime(), s.duration(), 0));
        }
        return runs;
    }

    private static EncodeFailedException inconsistent(String detail) {
        return new EncodeFailedException("InconsistentChunks", detail);
    }
}
