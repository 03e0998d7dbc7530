package dev.fanout.encoder.manifest;

import dev.fanout.encoder.errors.InvalidSubtitlesException;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the two sidecar formats, SubRip ({@code .srt}) and WebVTT ({@code .vtt}),
 * for untrusted files. Accepted: UTF-8 with or without a byte order mark, LF, CRLF or CR line ends,
 * cue numbers (SRT) and cue identifiers (WebVTT, not kept), WebVTT cue settings (not kept: the
 * player places cues), {@code NOTE}, {@code STYLE} and {@code REGION} blocks (skipped: no CSS from
 * an upload reaches the player). Each cue's text goes through {@link SubtitleText#clean}.
 *
 * <p>What is refused: a file larger than {@link #MAX_BYTES}, not UTF-8, holding NUL bytes, a
 * WebVTT file without its {@code WEBVTT} signature, or a file in which no block is a cue at all:
 * {@code InvalidSubtitles.*} naming the file, which fails the job. A cue that is malformed (a bad
 * timing line, end not after start, no text, too long) is dropped and named in {@code problems},
 * which becomes a warning in job.json. Pure.
 *
 * <p>Syntax: W3C "WebVTT: The Web Video Text Tracks Format" (timestamps {@code [hh:]mm:ss.ttt},
 * the {@code WEBVTT} signature, blocks separated by blank lines); SubRip has no standard, the de
 * facto form is {@code hh:mm:ss,mmm --> hh:mm:ss,mmm} (a '.' is accepted too, as players do).
 */
public final class SubtitleParser {
    private SubtitleParser() {}

    /** Largest sidecar read: a feature film's SRT is 50–200 KB; 2 MiB leaves room for long series episodes in UTF-8 scripts. */
    public static final int MAX_BYTES = 2 * 1024 * 1024;
    /** More cues than this (one every 0.5 s for 4 hours) is not a subtitle file we publish. */
    public static final int MAX_CUES = 30_000;
    /** Characters of text per cue: a cue is a line or two on screen. */
    static final int MAX_CUE_CHARS = 1_000;
    static final int MAX_CUE_LINES = 8;
    /** Problems listed one by one; past this, one line says how many more. */
    static final int MAX_PROBLEMS_LISTED = 20;

    public enum Format { SRT, WEBVTT }

    /** @param problems one line per dropped cue, naming the file and where the cue is */
    public record Parsed(List<SubtitleCue> cues, List<String> problems) {}

    /** The format a sidecar's name says ({@code .srt}, {@code .vtt}, any case), or null. */
    public static Format formatOf(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        if (n.endsWith(".srt")) return Format.SRT;
        if (n.endsWith(".vtt")) return Format.WEBVTT;
        return null;
    }

    // [hh:]mm:ss.ttt (WebVTT: hours optional, at least two digits; minutes and seconds 00–59)
    private static final String VTT_TIME = "(?:(\\d{2,}):)?([0-5]\\d):([0-5]\\d)\\.(\\d{3})";
    private static final String SRT_TIME = "(\\d{1,3}):([0-5]?\\d):([0-5]?\\d)[,.](\\d{1,3})";
    private static final Pattern VTT_TIMING = Pattern.compile("^" + VTT_TIME + "[ \\t]+-->[ \\t]+" + VTT_TIME + "(?:[ \\t]+.*)?$");
    private static final Pattern SRT_TIMING = Pattern.compile("^" + SRT_TIME + "[ \\t]*-->[ \\t]*" + SRT_TIME + "(?:[ \\t]+.*)?$");
    private static final Pattern VTT_SIGNATURE = Pattern.compile("^WEBVTT(?:[ \\t].*)?$");
    private static final Pattern SRT_NUMBER = Pattern.compile("^\\d{1,9}$");

    /** Parses {@code bytes}, the content of the file called {@code name} (used in every message), in {@code format}. */
    public static Parsed parse(String name, byte[] bytes, Format format) {
        if (bytes.length > MAX_BYTES) {
            throw new InvalidSubtitlesException("TooLarge", name + " is " + bytes.length + " bytes; subtitle files up to "
                    + MAX_BYTES + " bytes are accepted");
        }
        String text = decode(name, bytes);
        List<String> lines = List.of(text.split("\r\n|\r|\n", -1));
        List<SubtitleCue> cues = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int i = 0;
        if (format == Format.WEBVTT) {
            if (lines.isEmpty() || !VTT_SIGNATURE.matcher(lines.get(0)).matches()) {
                throw notSubtitles(name, "it does not start with the WEBVTT signature line");
            }
            i = 1;
            while (i < lines.size() && !lines.get(i).isEmpty()) i++; // the header's own lines
        }
        int blocks = 0;
        int timedBlocks = 0;
        while (i < lines.size()) {
            while (i < lines.size() && lines.get(i).isBlank()) i++;
            int firstLine = i + 1;
            List<String> block = new ArrayList<>();
            while (i < lines.size() && !lines.get(i).isBlank()) block.add(lines.get(i++));
            if (block.isEmpty()) break;
            if (format == Format.WEBVTT && block.get(0).matches("^(?:NOTE|STYLE|REGION)(?:[ \\t].*)?$")) continue;
            blocks++;
            String where = name + " line " + firstLine;
            // an optional cue number (SRT) or identifier (WebVTT) before the timing line
            int t = block.get(0).contains("-->") ? 0 : 1;
            if (t == 1 && format == Format.SRT && !SRT_NUMBER.matcher(block.get(0).strip()).matches()) {
                problem(problems, where + ": expected a cue number or a timing line, found \"" + shorten(block.get(0)) + "\"");
                continue;
            }
            if (t >= block.size()) {
                problem(problems, where + ": a cue without a timing line");
                continue;
            }
            long[] times = timing(block.get(t), format);
            if (times == null) {
                problem(problems, where + ": not a timing line: \"" + shorten(block.get(t)) + "\"");
                continue;
            }
            timedBlocks++;
            if (times[1] <= times[0]) {
                problem(problems, where + ": the cue ends (" + times[1] + " ms) before it starts (" + times[0] + " ms)");
                continue;
            }
            List<String> textLines = block.subList(t + 1, block.size());
            String raw = String.join("\n", textLines);
            if (textLines.size() > MAX_CUE_LINES || raw.length() > MAX_CUE_CHARS) {
                problem(problems, where + ": the cue's text is longer than " + MAX_CUE_LINES + " lines or " + MAX_CUE_CHARS + " characters");
                continue;
            }
            String clean = SubtitleText.clean(raw);
            if (clean.isEmpty()) {
                problem(problems, where + ": the cue has no text");
                continue;
            }
            if (cues.size() == MAX_CUES) {
                throw new InvalidSubtitlesException("TooManyCues", name + " has more than " + MAX_CUES + " cues");
            }
            cues.add(new SubtitleCue(times[0], times[1], clean));
        }
        if (timedBlocks == 0) {
            throw notSubtitles(name, blocks == 0 ? "it holds no cue" : "none of its " + blocks + " blocks has a timing line");
        }
        if (problems.size() > MAX_PROBLEMS_LISTED) {
            int more = problems.size() - MAX_PROBLEMS_LISTED;
            problems = new ArrayList<>(problems.subList(0, MAX_PROBLEMS_LISTED));
            problems.add(name + ": " + more + " more malformed cue(s) dropped");
        }
        // players want cues in start order (WebVTT requires it of a file)
        List<SubtitleCue> sorted = cues.stream().sorted(Comparator.comparingLong(SubtitleCue::startMillis)).toList();
        return new Parsed(sorted, List.copyOf(problems));
    }

    private static String decode(String name, byte[] bytes) {
        int from = bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf ? 3 : 0;
        for (int k = from; k < bytes.length; k++) {
            if (bytes[k] == 0) throw notSubtitles(name, "it holds NUL bytes (binary data, or UTF-16: save it as UTF-8)");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, from, bytes.length - from)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidSubtitlesException("NotUtf8", name + " is not UTF-8 text (saved in a legacy code page?); save it as UTF-8");
        }
    }

    /** {start, end} in ms, or null when the line is not a timing line of the format. */
    static long[] timing(String line, Format format) {
        Matcher m = (format == Format.WEBVTT ? VTT_TIMING : SRT_TIMING).matcher(line.strip());
        if (!m.matches()) return null;
        try {
            return new long[]{millis(m, 1, format), millis(m, 5, format)};
        } catch (ArithmeticException | NumberFormatException e) {
            return null; // an absurd hour count
        }
    }

    private static long millis(Matcher m, int g, Format format) {
        long h = m.group(g) == null ? 0 : Long.parseLong(m.group(g));
        if (h > 99_999) throw new ArithmeticException("hours");
        long min = Long.parseLong(m.group(g + 1)), s = Long.parseLong(m.group(g + 2));
        String frac = m.group(g + 3);
        // SRT writers sometimes write fewer than three digits of milliseconds: ",5" is 500 ms
        long ms = format == Format.SRT ? Long.parseLong((frac + "00").substring(0, 3)) : Long.parseLong(frac);
        return ((h * 60 + min) * 60 + s) * 1000 + ms;
    }

    private static void problem(List<String> problems, String text) {
        problems.add(text);
    }

    private static String shorten(String line) {
        String printable = line.replaceAll("\\p{Cntrl}", "?");
        return printable.length() > 60 ? printable.substring(0, 60) + "…" : printable;
    }

    private static InvalidSubtitlesException notSubtitles(String name, String why) {
        return new InvalidSubtitlesException("NotSubtitles", name + " is not a subtitle file: " + why);
    }
}
