package dev.fanout.encoder.media;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

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
}
