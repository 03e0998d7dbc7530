package dev.fanout.encoder.manifest;

import dev.fanout.encoder.errors.InvalidSubtitlesException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.fanout.encoder.manifest.SubtitleParser.Format.SRT;
import static dev.fanout.encoder.manifest.SubtitleParser.Format.WEBVTT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sidecar parser on well-formed, odd and hostile files: what survives is safe WebVTT cue text at the right times. */
class SubtitleParserTest {

    static SubtitleParser.Parsed parse(String text, SubtitleParser.Format f) {
        return SubtitleParser.parse("uploads/film.en." + (f == SRT ? "srt" : "vtt"), text.getBytes(StandardCharsets.UTF_8), f);
    }

    static String error(String text, SubtitleParser.Format f) {
        return assertThrows(InvalidSubtitlesException.class, () -> parse(text, f)).errorName();
    }

    @Test
    void srtWithBomCrlfAndCueNumbers() {
        SubtitleParser.Parsed p = parse("\uFEFF1\r\n00:00:01,250 --> 00:00:02,750\r\nHello\r\nworld\r\n\r\n2\r\n01:02:03,004 --> 01:02:04,000\r\nBye\r\n", SRT);
        assertEquals(List.of(new SubtitleCue(1250, 2750, "Hello\nworld"), new SubtitleCue(3_723_004, 3_724_000, "Bye")), p.cues());
        assertEquals(List.of(), p.problems());
    }

    @Test
    void webVttWithHeaderIdsSettingsNotesAndStyleBlocks() {
        String vtt = "WEBVTT - a file\nKind: captions\n\nSTYLE\n::cue { background: url(http://evil.test/x) }\n\n"
                + "NOTE a note with --> in it\n\nintro\n00:01.000 --> 00:02.500 align:start line:0\n<v Bob>Hi</v> <c.loud>there</c>\n\n"
                + "01:00:00.000 --> 01:00:01.000\n<b>bold</b> &amp; &lt;tag&gt; &nbsp;x\n";
        SubtitleParser.Parsed p = parse(vtt, WEBVTT);
        assertEquals(List.of(new SubtitleCue(1000, 2500, "Hi there"), new SubtitleCue(3_600_000, 3_601_000, "<b>bold</b> &amp; &lt;tag&gt; \u00a0x")), p.cues());
        assertFalse(SubtitleVtt.render(p.cues()).contains("evil.test"), "no STYLE from the upload reaches the output");
    }

    @Test
    void markupIsEscapedExceptTheTagsThatAreReWritten() {
        assertEquals("alert(1)", SubtitleText.clean("<script>alert(1)</script>"));
        assertEquals("x", SubtitleText.clean("<img src=x onerror=alert(1)>x"));
        assertEquals("a --&gt; b", SubtitleText.clean("a --> b"));
        assertEquals("&lt; 3 &amp; 4 &gt;", SubtitleText.clean("< 3 & 4 >"));
        assertEquals("<i>a<b>b</b></i>", SubtitleText.clean("<I>a<b class=x>b</i>"), "balanced: the inner tag closes first");
        assertEquals("<u>open</u>", SubtitleText.clean("<u>open"));
        assertEquals("close", SubtitleText.clean("close</b>"));
        assertEquals("<i>it</i>", SubtitleText.clean("<i.yellow>it</i>"));
        assertEquals("red", SubtitleText.clean("<font color=\"red\">red</font>"));
        assertEquals("top", SubtitleText.clean("{\\an8}top"));
        assertEquals("&amp;bogus; &amp;amp", SubtitleText.clean("&bogus; &amp"));
        assertEquals("a<script", SubtitleText.plain("a<script").replace("&lt;", "<"), "plain text: every < is a character");
        assertEquals("a&lt;b&gt; &amp;amp;", SubtitleText.plain("a<b> &amp;"));
    }

    @Test
    void controlCharactersAndBlankLinesGo() {
        assertEquals("ab\ncd", SubtitleText.clean("a\u0000b\u0007\n\n  \ncd\u0085"));
        assertEquals("", SubtitleText.clean("<b></b>\n  "));
        // a blank line inside a cue's text would end it: the output never has one
        String out = SubtitleVtt.render(List.of(new SubtitleCue(0, 1000, SubtitleText.clean("one\n\u0001\ntwo"))));
        assertEquals("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\none\ntwo\n", out);
    }

    @Test
    void malformedCuesAreDroppedAndNamed() {
        String srt = "1\n00:00:01,000 --> 00:00:02,000\ngood\n\n"
                + "2\n00:00:03,000 -> 00:00:04,000\nbad arrow\n\n"
                + "3\n00:00:05,000 --> 00:00:04,000\nbackwards\n\n"
                + "x\n00:00:06,000 --> 00:00:07,000\nnot a number\n\n"
                + "5\n00:00:08,000 --> 00:00:09,000\n\n"
                + "6\n00:00:99,000 --> 00:01:00,000\nsecond 99\n\n"
                + "7\n00:00:10,5 --> 00:00:11,25\nshort millis\n";
        SubtitleParser.Parsed p = parse(srt, SRT);
        assertEquals(List.of(new SubtitleCue(1000, 2000, "good"), new SubtitleCue(10_500, 11_250, "short millis")), p.cues());
        assertEquals(5, p.problems().size(), p.problems().toString());
        assertTrue(p.problems().get(0).startsWith("uploads/film.en.srt line 5: not a timing line"), p.problems().get(0));
        assertTrue(p.problems().get(1).contains("line 9: the cue ends"), p.problems().get(1));
    }

    @Test
    void cuesComeOutInStartOrder() {
        SubtitleParser.Parsed p = parse("1\n00:00:05,000 --> 00:00:06,000\nb\n\n2\n00:00:01,000 --> 00:00:02,000\na\n", SRT);
        assertEquals(List.of(1000L, 5000L), p.cues().stream().map(SubtitleCue::startMillis).toList());
    }

    @Test
    void hugeCuesAndProblemFloodsAreBounded() {
        String big = "1\n00:00:01,000 --> 00:00:02,000\n" + "x".repeat(SubtitleParser.MAX_CUE_CHARS + 1) + "\n\n2\n00:00:03,000 --> 00:00:04,000\nok\n";
        SubtitleParser.Parsed p = parse(big, SRT);
        assertEquals(1, p.cues().size());
        StringBuilder flood = new StringBuilder("1\n00:00:00,000 --> 00:00:00,500\nok\n\n");
        for (int i = 0; i < 100; i++) flood.append(i + 2).append("\n00:00:01,000 --> 00:00:00,500\nbad\n\n");
        SubtitleParser.Parsed f = parse(flood.toString(), SRT);
        assertEquals(SubtitleParser.MAX_PROBLEMS_LISTED + 1, f.problems().size());
        assertTrue(f.problems().get(SubtitleParser.MAX_PROBLEMS_LISTED).contains("80 more malformed cue(s)"), f.problems().toString());
    }

    @Test
    void filesThatAreNotSubtitlesFailWithANamedError() {
        assertEquals("InvalidSubtitles.NotSubtitles", error("", SRT));
        assertEquals("InvalidSubtitles.NotSubtitles", error("Milk\nEggs\n\nBread\n", SRT));
        assertEquals("InvalidSubtitles.NotSubtitles", error("00:00:01.000 --> 00:00:02.000\nno signature\n", WEBVTT));
        assertEquals("InvalidSubtitles.NotSubtitles", error("WEBVTTX\n\n00:00:01.000 --> 00:00:02.000\nx\n", WEBVTT));
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
        InvalidSubtitlesException e = assertThrows(InvalidSubtitlesException.class, () -> SubtitleParser.parse("uploads/a.en.srt", png, SRT));
        assertEquals("InvalidSubtitles.NotSubtitles", e.errorName());
        assertTrue(e.detail().contains("uploads/a.en.srt"), e.detail());
        byte[] latin1 = "1\n00:00:01,000 --> 00:00:02,000\nCaf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("InvalidSubtitles.NotUtf8", assertThrows(InvalidSubtitlesException.class,
                () -> SubtitleParser.parse("uploads/a.fr.srt", latin1, SRT)).errorName());
        assertEquals("InvalidSubtitles.TooLarge", assertThrows(InvalidSubtitlesException.class,
                () -> SubtitleParser.parse("uploads/a.fr.srt", new byte[SubtitleParser.MAX_BYTES + 1], SRT)).errorName());
    }

    @Test
    void aFileOfOnlyBadCuesIsStillSubtitlesButHasNone() {
        SubtitleParser.Parsed p = parse("1\n00:00:02,000 --> 00:00:01,000\nbackwards\n", SRT);
        assertEquals(List.of(), p.cues());
        assertEquals(1, p.problems().size());
    }

    @Test
    void theWriterEmitsWebVttTimestamps() {
        assertEquals("00:00:00.000", SubtitleVtt.timestamp(0));
        assertEquals("27:46:40.001", SubtitleVtt.timestamp(100_000_001));
    }

    @Test
    void formatsComeFromTheName() {
        assertEquals(SRT, SubtitleParser.formatOf("a.en.SRT"));
        assertEquals(WEBVTT, SubtitleParser.formatOf("a.de.vtt"));
        assertEquals(null, SubtitleParser.formatOf("a.mp4"));
    }
}
