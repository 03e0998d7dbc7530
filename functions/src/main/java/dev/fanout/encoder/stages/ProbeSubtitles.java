package dev.fanout.encoder.stages;

import dev.fanout.encoder.errors.InvalidSubtitlesException;
import dev.fanout.encoder.errors.StorageException;
import dev.fanout.encoder.errors.InvalidInputException;
import dev.fanout.encoder.manifest.SubtitleCue;
import dev.fanout.encoder.manifest.SubtitleParser;
import dev.fanout.encoder.manifest.SubtitleText;
import dev.fanout.encoder.manifest.SubtitleVtt;
import dev.fanout.encoder.media.FragmentIndex;
import dev.fanout.encoder.media.SubtitleSampleTable;
import dev.fanout.encoder.model.JobLayout;
import dev.fanout.encoder.model.JobRecord;
import dev.fanout.encoder.model.SourceInfo;
import dev.fanout.encoder.model.SourceRef;
import dev.fanout.encoder.model.SubtitleSet;
import dev.fanout.encoder.model.SubtitleTrack;
import dev.fanout.encoder.storage.ObjectStore;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The probe's subtitle step: every text track of the source (mov_text) and every sidecar file
 * uploaded beside it ({@code uploads/film.en.srt} for {@code uploads/film.mp4}) becomes one
 * WebVTT file in the job's output ({@code subtitles/<id>.vtt}), and what was made is stored for
 * Package ({@code work/<jobId>/subtitles.json}), which names the files in the manifests.
 *
 * <p>Why in the probe: subtitles are a few hundred KB at most, read once; the probe has just read
 * the moov, and a sidecar that is not a subtitle file then fails the job before anything is
 * encoded. The source's tracks are read from the moov's sample table with ranged GETs pinned to
 * the job's ETag ({@link SubtitleSampleTable}), never by demuxing the file (ffmpeg's
 * {@code -map 0:s:0} read 54% of a 22-minute source to extract 440 cues: docs/subtitles.md).
 */
final class ProbeSubtitles {
    /** More tracks than this are left out with a warning: a menu, not a catalogue. */
    static final int MAX_TRACKS = 32;

    /** {@code <base>.<lang>.<srt|vtt>} or {@code <base>.<srt|vtt>}: the language as a BCP 47 tag of letters and digits. */
    private static final Pattern LANGUAGE_TAG = Pattern.compile("[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}");

    private final ObjectStore store;

    ProbeSubtitles(ObjectStore store) {
        this.store = store;
    }

    /** What the step made, and the bytes of the source it read for it. */
    record Result(SubtitleSet set, long sourceBytesRead) {}

    /**
     * @param timelineStartSeconds where the first video frame plays on the source's timeline: the
     *                             output's 0, which every cue is moved by
     * @param durationMillis       the presentation's length: cues are cut at its end
     */
    Result run(SourceRef source, SourceInfo info, double timelineStartSeconds, long durationMillis, JobLayout layout) {
        long offsetMillis = Math.round(timelineStartSeconds * 1000);
        List<JobRecord.Warning> warnings = new ArrayList<>();
        List<Made> made = new ArrayList<>();
        AtomicLong bytes = new AtomicLong();
        for (SourceInfo.Subtitle s : info.subtitles()) {
            if (!"mov_text".equals(s.codec())) {
                warnings.add(new JobRecord.Warning("Subtitles.Unsupported", "source stream " + s.streamIndex() + " (" + s.codec()
                        + ") is not a text subtitle track (only mov_text/tx3g is converted to WebVTT); it is left out"));
                continue;
            }
            List<SubtitleCue> cues = sourceTrack(source, s, bytes);
            made.add(new Made(languageOf(s.language()), label(s.title(), languageOf(s.language())), "source stream " + s.streamIndex(),
                    cues));
        }
        for (S3Object sidecar : sidecars(source)) {
            Sidecar named = sidecarName(source.key(), sidecar.key());
            if (named == null) continue;
            if (sidecar.size() > SubtitleParser.MAX_BYTES) {
                throw new InvalidSubtitlesException("TooLarge", sidecar.key() + " is " + sidecar.size() + " bytes; subtitle files up to "
                        + SubtitleParser.MAX_BYTES + " bytes are accepted");
            }
            byte[] content = sidecar.size() == 0 ? new byte[0]
                    : store.readRange(source.bucket(), sidecar.key(), sidecar.eTag().replace("\"", ""), 0, (int) (long) sidecar.size());
            SubtitleParser.Parsed parsed = SubtitleParser.parse(sidecar.key(), content, named.format());
            for (String p : parsed.problems()) warnings.add(new JobRecord.Warning("Subtitles.MalformedCue", p));
            made.add(new Made(named.language(), label("", named.language()), sidecar.key(), parsed.cues()));
        }
        if (made.size() > MAX_TRACKS) {
            warnings.add(new JobRecord.Warning("Subtitles.TooMany", made.size() + " subtitle tracks; the first " + MAX_TRACKS + " are published"));
            made = made.subList(0, MAX_TRACKS);
        }
        List<SubtitleTrack> tracks = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Made m : made) {
            List<SubtitleCue> cues = onTimeline(m.cues(), offsetMillis, durationMillis, m.origin(), warnings);
            if (cues.isEmpty()) {
                warnings.add(new JobRecord.Warning("Subtitles.Empty", m.origin() + " has no cue within the video; it is left out"));
                continue;
            }
            String id = m.language();
            for (int n = 2; !ids.add(id); n++) id = m.language() + "-" + n;
            String vtt = SubtitleVtt.render(cues);
            String key = layout.subtitleKey(id);
            store.putText(layout.bucket(), key, vtt, SubtitleVtt.CONTENT_TYPE);
            tracks.add(new SubtitleTrack(id, m.language(), m.label(), m.origin(), key, cues.size(),
                    vtt.getBytes(StandardCharsets.UTF_8).length));
        }
        return new Result(new SubtitleSet(tracks, warnings), bytes.get());
    }

    private record Made(String language, String label, String origin, List<SubtitleCue> cues) {}

    /** A sidecar's language (BCP 47, "und" without one) and format, from its name. */
    record Sidecar(String language, SubtitleParser.Format format) {}

    /**
     * What {@code key} is to the upload {@code videoKey}: a sidecar ({@code <base>.<lang>.srt},
     * {@code <base>.<lang>.vtt} or {@code <base>.srt}, where the video is {@code <base>.<ext>}), or null.
     */
    static Sidecar sidecarName(String videoKey, String key) {
        String base = baseOf(videoKey);
        if (!key.startsWith(base + ".")) return null;
        SubtitleParser.Format format = SubtitleParser.formatOf(key);
        if (format == null) return null;
        if (key.length() == base.length() + 4) return new Sidecar("und", format); // <base>.srt: no language in the name
        String middle = key.substring(base.length() + 1, key.length() - 4);
        if (middle.endsWith(".")) return null;
        if (!middle.startsWith(".") && LANGUAGE_TAG.matcher(middle).matches()) return new Sidecar(canonicalTag(middle), format);
        return null;
    }

    static String baseOf(String videoKey) {
        int slash = videoKey.lastIndexOf('/');
        int dot = videoKey.lastIndexOf('.');
        return dot > slash ? videoKey.substring(0, dot) : videoKey;
    }

    /** The objects beside the video whose names start like it: the sidecar candidates, by key. */
    private List<S3Object> sidecars(SourceRef source) {
        String prefix = baseOf(source.key()) + ".";
        return store.list(source.bucket(), prefix).stream().filter(o -> !o.key().equals(source.key()))
                .sorted(Comparator.comparing(S3Object::key)).toList();
    }

    /** A source text track's cues, read from its sample table, on the source's timeline (as a sidecar's are). */
    private List<SubtitleCue> sourceTrack(SourceRef source, SourceInfo.Subtitle s, AtomicLong bytes) {
        FragmentIndex.RangeReader reader = (offset, length) -> {
            try {
                byte[] b = store.readRange(source.bucket(), source.key(), source.etag(), offset, length);
                bytes.addAndGet(b.length);
                return b;
            } catch (StorageException e) {
                if (e.statusCode() != 412) throw e;
                throw new InvalidInputException("SourceChanged", "s3://" + source.bucket() + "/" + source.key()
                        + " was replaced while its subtitles were read (its ETag is no longer " + source.etag() + ")");
            }
        };
        List<SubtitleSampleTable.Sample> samples = SubtitleSampleTable.samples(reader, source.sizeBytes(), s.trackId());
        List<SubtitleCue> cues = new ArrayList<>();
        for (SubtitleSampleTable.TextSample t : SubtitleSampleTable.readText(reader, samples, s.trackId())) {
            String text = SubtitleText.plain(t.text());
            // a sample before the movie's start (an edit list cutting into the track) shows from 0
            if (text.isEmpty() || t.endMillis() <= Math.max(0, t.startMillis())) continue;
            cues.add(new SubtitleCue(Math.max(0, t.startMillis()), t.endMillis(), text));
        }
        return cues;
    }

    /**
     * The cues moved by {@code -offsetMillis} and cut to {@code [0, durationMillis]}: a cue wholly
     * outside the video is left out (counted in one warning), one running past its end is cut there.
     */
    static List<SubtitleCue> onTimeline(List<SubtitleCue> cues, long offsetMillis, long durationMillis, String origin,
                                        List<JobRecord.Warning> warnings) {
        List<SubtitleCue> out = new ArrayList<>();
        int outside = 0;
        for (SubtitleCue c : cues) {
            long start = Math.max(0, c.startMillis() - offsetMillis);
            long end = Math.min(durationMillis, c.endMillis() - offsetMillis);
            if (end <= start) {
                outside++;
                continue;
            }
            out.add(new SubtitleCue(start, end, c.text()));
        }
        if (outside > 0) {
            warnings.add(new JobRecord.Warning("Subtitles.OutsideVideo", origin + ": " + outside
                    + " cue(s) lie outside the video (0 to " + durationMillis + " ms) and are left out"));
        }
        return out;
    }

    /** ISO 639-2 bibliographic codes Java's Locale does not map (it knows the terminology ones). */
    private static final java.util.Map<String, String> BIBLIOGRAPHIC = java.util.Map.ofEntries(
            java.util.Map.entry("ger", "de"), java.util.Map.entry("fre", "fr"), java.util.Map.entry("dut", "nl"),
            java.util.Map.entry("chi", "zh"), java.util.Map.entry("cze", "cs"), java.util.Map.entry("gre", "el"),
            java.util.Map.entry("per", "fa"), java.util.Map.entry("rum", "ro"), java.util.Map.entry("slo", "sk"),
            java.util.Map.entry("wel", "cy"), java.util.Map.entry("arm", "hy"), java.util.Map.entry("baq", "eu"),
            java.util.Map.entry("bur", "my"), java.util.Map.entry("geo", "ka"), java.util.Map.entry("ice", "is"),
            java.util.Map.entry("mac", "mk"), java.util.Map.entry("mao", "mi"), java.util.Map.entry("may", "ms"),
            java.util.Map.entry("alb", "sq"), java.util.Map.entry("tib", "bo"));
    private static final java.util.Map<String, String> TWO_LETTER = twoLetterCodes();

    private static java.util.Map<String, String> twoLetterCodes() {
        java.util.Map<String, String> m = new java.util.HashMap<>(BIBLIOGRAPHIC);
        for (String two : Locale.getISOLanguages()) {
            try {
                m.putIfAbsent(Locale.of(two).getISO3Language(), two);
            } catch (java.util.MissingResourceException ignored) {
                // no three-letter code known
            }
        }
        return m;
    }

    /**
     * A track's ISO 639-2 tag as BCP 47 wants it: the two-letter code where there is one (RFC 5646
     * §2.2.1: the shortest ISO 639 code), "und" for none or anything that is not a language tag.
     */
    static String languageOf(String iso639) {
        String l = iso639 == null ? "" : iso639.strip().toLowerCase(Locale.ROOT);
        if (!l.matches("[a-z]{3}") || l.equals("und")) return "und";
        return TWO_LETTER.getOrDefault(l, l);
    }

    /** "en" and "EN-us" alike as "en-US" (lower-case language, upper-case region), for ids and attributes. */
    static String canonicalTag(String tag) {
        return Locale.forLanguageTag(tag).toLanguageTag().equals("und") ? "und" : tagCase(tag);
    }

    private static String tagCase(String tag) {
        String[] parts = tag.split("-");
        StringBuilder b = new StringBuilder(parts[0].toLowerCase(Locale.ROOT));
        for (int i = 1; i < parts.length; i++) {
            b.append('-').append(parts[i].length() == 2 ? parts[i].toUpperCase(Locale.ROOT) : parts[i].toLowerCase(Locale.ROOT));
        }
        return b.toString();
    }

    /**
     * The menu's name of a track: the source track's title when it has a usable one, else the
     * language's English name ("English", "Portuguese (Brazil)"), else "Subtitles".
     */
    static String label(String title, String language) {
        String t = title == null ? "" : title.replaceAll("[\\p{Cntrl}\"<>&]", "").strip();
        if (!t.isEmpty() && !t.equals("SubtitleHandler")) return t.length() > 60 ? t.substring(0, 60) : t;
        if (language.equals("und")) return "Subtitles";
        String name = Locale.forLanguageTag(language).getDisplayName(Locale.ENGLISH);
        return name.isBlank() ? language : name;
    }
}
