package dev.fanout.encoder.media;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FragmentedMp4Test {
    @TempDir
    Path dir;

    @Test
    void boxesThatOverrunTheFileAreRejected() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.putInt(1000).put("moov".getBytes()).putInt(0).putInt(0);
        Path f = dir.resolve("bad.mp4");
        Files.write(f, b.array());
        var e = assertThrows(FragmentedMp4.MalformedMp4Exception.class, () -> FragmentedMp4.read(f));
        assertTrue(e.getMessage().contains("overruns"));
    }

    @Test
    void aFileWithoutMoovIsRejected() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.putInt(16).put("free".getBytes()).putLong(0);
        Path f = dir.resolve("nomoov.mp4");
        Files.write(f, b.array());
        assertThrows(FragmentedMp4.MalformedMp4Exception.class, () -> FragmentedMp4.read(f));
    }

    static FragmentedMp4 track(FragmentedMp4.Fragment... fragments) {
        return new FragmentedMp4(700, 48000, 1024, "mp4a.40.2", 0, 0, 48000, 2, java.util.List.of(fragments));
    }

    @Test
    void aShortLastFragmentJoinsTheOneBeforeIt() {
        var a = new FragmentedMp4.Fragment(700, 30_000, 0, 96_256, 1024, 94);
        var b = new FragmentedMp4.Fragment(30_700, 31_000, 96_256, 96_256, 97_280, 94);
        var sliver = new FragmentedMp4.Fragment(61_700, 400, 192_512, 512, 193_536, 1);
        java.util.List<FragmentedMp4.Fragment> joined = track(a, b, sliver).segmentsJoiningShortTail(48_000);
        assertEquals(2, joined.size());
        assertEquals(a, joined.get(0));
        assertEquals(new FragmentedMp4.Fragment(30_700, 31_400, 96_256, 96_768, 97_280, 95), joined.get(1),
                "one byte range, the durations and sample counts added");

        var full = new FragmentedMp4.Fragment(61_700, 30_000, 192_512, 48_000, 193_536, 47);
        assertEquals(3, track(a, b, full).segmentsJoiningShortTail(48_000).size(), "half a segment or more stays a segment");
        assertEquals(1, track(sliver).segmentsJoiningShortTail(48_000).size(), "a lone fragment stays");
        var apart = new FragmentedMp4.Fragment(70_000, 400, 192_512, 512, 193_536, 1);
        assertEquals(3, track(a, b, apart).segmentsJoiningShortTail(48_000).size(), "only byte-adjacent fragments are joined");
    }
}
