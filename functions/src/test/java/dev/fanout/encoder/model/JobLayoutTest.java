package dev.fanout.encoder.model;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Object keys are an interface: the manifest, the playlists and every worker must spell them the
 * same way wherever the JVM runs. A default locale with other digits (Arabic-Indic under ar-SA)
 * must not change them.
 */
class JobLayoutTest {
    private Locale saved;

    @BeforeEach
    void arabicLocale() {
        saved = Locale.getDefault();
        Locale.setDefault(Locale.forLanguageTag("ar-SA"));
    }

    @AfterEach
    void restore() {
        Locale.setDefault(saved);
    }

    @Test
    void keysUseAsciiDigitsUnderANonLatinDigitLocale() {
        JobLayout layout = JobLayout.of("out", "clip-0123456789ab");
        assertEquals("jobs/clip-0123456789ab/video/720p/seg-00007.m4s", layout.videoSegmentKey("720p", 7));
        assertEquals("jobs/clip-0123456789ab/audio/seg-00012.m4s", layout.audioSegmentKey(12));
        assertEquals("jobs/clip-0123456789ab/thumbnails/sprite-003.jpg", layout.spriteKey(3));
        assertEquals("work/clip-0123456789ab/chunks/00042.json", layout.chunkResultKey(42));
        assertEquals("work/clip-0123456789ab/failures/chunk-00042.json", layout.chunkFailureKey(42));
        assertEquals("seg-00001.m4s", JobLayout.segmentFile(1));
    }
}
