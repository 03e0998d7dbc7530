package dev.fanout.encoder.plan;

import dev.fanout.encoder.model.SourceInfo;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One audio rendition per delivered audio track of the source, in the source's order: its id
 * (which is also its folder: the first track keeps {@code audio/}, as a single-track job always
 * had), its language as the manifests want it, its name and whether it is the default. Pure.
 */
public final class AudioRenditions {
    private AudioRenditions() {}

    /**
     * @param id       folder and DASH Representation id: "audio" for the first track, "audio-&lt;language&gt;" for
     *                 the others, "-&lt;n&gt;" added when that is taken (n = the track's place, from 1)
     * @param language RFC 5646 tag ("en", "de", "und"): what DASH {@code @lang} (ISO/IEC 23009-1
     *                 5.3.3.2: "according to IETF RFC 5646") and HLS {@code LANGUAGE} (RFC 8216
     *                 4.3.4.1: "one of the standard tags for identifying languages [RFC5646]") take
     * @param name     a label for a person, unique among the renditions (HLS requires distinct NAMEs
     *                 in a group, RFC 8216 4.3.4.1.1): the track's title, else the language's English name
     * @param main     the default: the first track the source marks default, else the first track
     */
    public record AudioRendition(String id, String language, String name, boolean main, SourceInfo.Audio track) {}

    public static final String FIRST_ID = "audio";

    public static List<AudioRendition> of(SourceInfo info) {
        List<SourceInfo.Audio> tracks = info.audio();
        int main = 0;
        for (int i = 0; i < tracks.size(); i++) {
            if (tracks.get(i).defaultTrack()) { main = i; break; }
        }
        List<AudioRendition> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tracks.size(); i++) {
            SourceInfo.Audio t = tracks.get(i);
            String language = bcp47(t.language());
            String id = i == 0 ? FIRST_ID : "audio-" + (language.equals("und") ? Integer.toString(i + 1) : language);
            if (!ids.add(id)) { id = id + "-" + (i + 1); ids.add(id); }
            String name = !t.title().isEmpty() ? t.title() : languageName(language, tracks.size() == 1 ? 0 : i + 1);
            if (!names.add(name)) { name = name + " (" + (i + 1) + ")"; names.add(name); }
            out.add(new AudioRendition(id, language, name, i == main, t));
        }
        return List.copyOf(out);
    }

    /** "English", "German"; untagged: "Audio", or "Audio 2" when there are several. */
    static String languageName(String bcp47, int place) {
        if (!bcp47.equals("und")) {
            String name = Locale.forLanguageTag(bcp47).getDisplayLanguage(Locale.ENGLISH);
            if (!name.isEmpty() && !name.equalsIgnoreCase(bcp47)) return name;
        }
        return place == 0 ? "Audio" : "Audio " + place;
    }

    /** ISO 639-2 bibliographic codes that differ from the terminology code MP4 files should carry (ISO 639-2, "B/T"). */
    private static final Map<String, String> BIBLIOGRAPHIC = Map.ofEntries(
            Map.entry("alb", "sqi"), Map.entry("arm", "hye"), Map.entry("baq", "eus"), Map.entry("bur", "mya"),
            Map.entry("chi", "zho"), Map.entry("cze", "ces"), Map.entry("dut", "nld"), Map.entry("fre", "fra"),
            Map.entry("geo", "kat"), Map.entry("ger", "deu"), Map.entry("gre", "ell"), Map.entry("ice", "isl"),
            Map.entry("mac", "mkd"), Map.entry("mao", "mri"), Map.entry("may", "msa"), Map.entry("per", "fas"),
            Map.entry("rum", "ron"), Map.entry("slo", "slk"), Map.entry("tib", "bod"), Map.entry("wel", "cym"));

    private static final Map<String, String> TWO_LETTER = twoLetterCodes();

    private static Map<String, String> twoLetterCodes() {
        Map<String, String> m = new java.util.HashMap<>();
        for (String two : Locale.getISOLanguages()) {
            try {
                String three = Locale.of(two).getISO3Language();
                if (!three.isEmpty()) m.put(three, two);
            } catch (java.util.MissingResourceException ignored) {
                // no three-letter code known
            }
        }
        return Map.copyOf(m);
    }

    /**
     * The RFC 5646 tag for an ISO 639 code: the two-letter ISO 639-1 code where one exists (RFC
     * 5646 2.2.1: a language with both has only the two-letter code in the registry), else the
     * three-letter code (ISO 639-2/T); "und" stays "und", anything else becomes "und".
     */
    public static String bcp47(String iso639) {
        String c = iso639 == null ? "" : iso639.strip().toLowerCase(Locale.ROOT);
        if (c.matches("[a-z]{2}")) return TWO_LETTER.containsValue(c) ? c : "und";
        if (!c.matches("[a-z]{3}")) return "und";
        c = BIBLIOGRAPHIC.getOrDefault(c, c);
        return TWO_LETTER.getOrDefault(c, c);
    }
}
