package dev.fanout.encoder.manifest;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the text of an untrusted cue (SRT, WebVTT or a tx3g sample) into safe WebVTT cue text.
 * Nothing of the input is copied as markup: the text is split into tags and characters; the
 * characters are written escaped ({@code &amp; &lt; &gt;}: so no {@code -->} and no element can
 * appear, W3C WebVTT "cue text" syntax), and of the tags only {@code b}, {@code i} and {@code u}
 * (with any WebVTT classes, or as SRT writes them) are kept, written by this class, balanced.
 * Every other tag ({@code <font>}, {@code <c>}, {@code <v>}, {@code <script>}, timestamps...) is
 * dropped and its text kept as text; SSA override blocks ({@code {\an8}}) that some SRT writers
 * put in are dropped. Control characters go; blank lines go (a blank line would end the cue).
 * Pure.
 */
public final class SubtitleText {
    private SubtitleText() {}

    /** Tags re-emitted; all others are dropped. */
    static final Set<String> KEPT_TAGS = Set.of("b", "i", "u");
    /** The named character references WebVTT defines that are decoded (then escaped again where needed). */
    private static final Map<String, String> ENTITIES = Map.of("amp", "&", "lt", "<", "gt", ">", "nbsp", "\u00a0",
            "lrm", "\u200e", "rlm", "\u200f", "quot", "\"", "apos", "'");
    private static final Pattern ENTITY = Pattern.compile("&([a-zA-Z]{2,6});");
    /** {@code <b>}, {@code <b.loud>}, {@code </b>}: the tag name (group 2), closing when group 1 is "/". */
    private static final Pattern TAG = Pattern.compile("^(/?)([a-zA-Z][a-zA-Z0-9]*)(?:[.\\s][^>]*)?$");
    /** What is a tag at all (a name, a closing name, or a WebVTT timestamp tag); "< 3 >" is text. */
    private static final Pattern TAG_SHAPE = Pattern.compile("/?[a-zA-Z][^\n]*|[0-9:.]+");
    private static final Pattern SSA_OVERRIDE = Pattern.compile("\\{\\\\[^{}]*}");

    /** Safe cue text of {@code raw} (lines separated by '\n'), or "" when nothing visible is left. */
    public static String clean(String raw) {
        return clean(raw, true);
    }

    /**
     * Safe cue text of plain text (a tx3g sample: its styles live in boxes after the text, so
     * every {@code <} and {@code &} in it is a character): all escaped, no tag kept.
     */
    public static String plain(String raw) {
        return clean(raw, false);
    }

    private static String clean(String raw, boolean markup) {
        String text = markup ? SSA_OVERRIDE.matcher(raw).replaceAll("") : raw;
        StringBuilder out = new StringBuilder(text.length() + 16);
        Deque<String> open = new ArrayDeque<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            int close = c == '<' ? text.indexOf('>', i + 1) : -1;
            int nextOpen = c == '<' ? text.indexOf('<', i + 1) : -1;
            if (markup && c == '<' && close > 0 && (nextOpen < 0 || nextOpen > close) && TAG_SHAPE.matcher(text.substring(i + 1, close)).matches()) {
                tag(text.substring(i + 1, close), out, open);
                i = close + 1;
            } else if (markup && c == '&') {
                Matcher m = ENTITY.matcher(text).region(i, text.length());
                String decoded = m.lookingAt() ? ENTITIES.get(m.group(1).toLowerCase(Locale.ROOT)) : null;
                if (decoded != null) {
                    character(decoded.charAt(0), out);
                    i = m.end();
                } else {
                    character('&', out);
                    i++;
                }
            } else {
                character(c, out);
                i++;
            }
        }
        while (!open.isEmpty()) out.append("</").append(open.pop()).append('>');
        return tidyLines(out.toString());
    }

    private static void tag(String body, StringBuilder out, Deque<String> open) {
        Matcher m = TAG.matcher(body.strip());
        if (!m.matches()) return; // a timestamp tag, "< 3", garbage: dropped
        String name = m.group(2).toLowerCase(Locale.ROOT);
        if (!KEPT_TAGS.contains(name)) return;
        if (m.group(1).isEmpty()) {
            if (open.contains(name) || open.size() >= 3) return; // no nesting of the same tag, never deep
            open.push(name);
            out.append('<').append(name).append('>');
        } else if (open.contains(name)) {
            // close what was opened inside it first, so the output stays balanced
            while (true) {
                String top = open.pop();
                out.append("</").append(top).append('>');
                if (top.equals(name)) break;
            }
        }
    }

    private static void character(char c, StringBuilder out) {
        switch (c) {
            case '&' -> out.append("&amp;");
            case '<' -> out.append("&lt;");
            case '>' -> out.append("&gt;");
            case '\n' -> out.append('\n');
            case '\t' -> out.append(' ');
            default -> {
                // C0/C1 controls, DEL, and lone surrogates have no place in a caption
                if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == '\u2028' || c == '\u2029') return;
                out.append(c);
            }
        }
    }

    /** Lines stripped; lines that show nothing (empty, or only tags) removed. */
    private static String tidyLines(String text) {
        StringBuilder out = new StringBuilder(text.length());
        StringBuilder carried = new StringBuilder(); // tags of lines that show nothing, kept for balance
        for (String line : List.of(text.split("\n", -1))) {
            String l = line.strip();
            if (visible(l).isEmpty()) {
                carried.append(l);
                continue;
            }
            if (!out.isEmpty()) out.append('\n');
            out.append(carried).append(l);
            carried.setLength(0);
        }
        if (out.isEmpty()) return "";
        return out.append(carried).toString();
    }

    /** The characters a viewer would see: {@code clean} output with its kept tags taken out. */
    static String visible(String cleaned) {
        return cleaned.replaceAll("</?[biu]>", "").strip();
    }
}
