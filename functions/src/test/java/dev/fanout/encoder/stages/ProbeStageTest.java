package dev.fanout.encoder.stages;

import dev.fanout.encoder.errors.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probe stage's pure checks. The stage itself runs end to end in the local module's tests. */
class ProbeStageTest {
    @Test
    void onlyIsoBmffGetsPastTheFirstBytes() {
        ProbeStage.checkSignature(bytes("\0\0\0\u0020ftypisom"));
        ProbeStage.checkSignature(bytes("\0\0\0\u0008free\0\0\0\0"));
        String playlist = assertThrows(InvalidInputException.class, () -> ProbeStage.checkSignature(bytes("#EXTM3U\n#EXT-X-VERSION:3\n"))).detail();
        assertTrue(playlist.contains("\"#EXTM3U\\x0a#EXT\""), playlist);
        assertThrows(InvalidInputException.class, () -> ProbeStage.checkSignature(bytes("ffconcat version 1.0\n")));
        assertThrows(InvalidInputException.class, () -> ProbeStage.checkSignature(bytes("\u0089PNG\r\n\u001a\n\0\0\0\rIHDR")));
        assertThrows(InvalidInputException.class, () -> ProbeStage.checkSignature(bytes("\0\0\0")), "shorter than a box header");
    }

    @Test
    void namesTheFileASkippedDataReferencePointsAt() {
        String stderr = "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x1] Skipped opening external track: stream 0, alias: path='/media/media.mp4', dir='(null)', "
                + "filename='media.mp4', volume='media', nlvl_from=1, nlvl_to=1.Set enable_drefs to allow this.\n";
        assertEquals("'media.mp4'", ProbeStage.skippedExternalReference(stderr));
        assertNull(ProbeStage.skippedExternalReference("[h264 @ 0x2] some other warning\n"));
    }

    @Test
    void measuresHowFarTheDecodedFramesReach() {
        ProbeStage.DecodedSpan span = ProbeStage.DecodedSpan.of("""
                #tb 0: 1/30
                #media_type 0: video
                0,          1,          1,        1,    86400, 0xe6033f00
                0,          3,          3,        2,    86400, 0x43f3420b
                0,         29,         29,        1,    86400, 0x9cacd199
                """);
        assertEquals(3, span.frames());
        assertEquals(1.0, span.endSeconds(), 1e-9, "frame at 29/30 s lasting 1/30 s ends at 1 s");
        assertEquals(0, ProbeStage.DecodedSpan.of("#tb 0: 1/30\n").frames(), "a cut-off file decodes nothing");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
