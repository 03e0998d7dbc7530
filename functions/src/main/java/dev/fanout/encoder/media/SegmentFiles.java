package dev.fanout.encoder.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Cuts a fragmented MP4 into an init segment and DASH media segments by byte ranges (no re-muxing). */
public final class SegmentFiles {
    private SegmentFiles() {}

    /** {@code styp} with major brand msdh, compatible msdh and msix (ISO/IEC 23009-1 media segment). */
    private static final byte[] STYP = {
            0, 0, 0, 24, 's', 't', 'y', 'p', 'm', 's', 'd', 'h', 0, 0, 0, 0, 'm', 's', 'd', 'h', 'm', 's', 'i', 'x'};

    public static void writeInit(Path source, FragmentedMp4 mp4, Path target) throws IOException {
        copyRange(source, 0, mp4.initLength(), target, null);
    }

    public static void writeSegment(Path source, FragmentedMp4.Fragment fragment, Path target) throws IOException {
        copyRange(source, fragment.offset(), fragment.length(), target, STYP);
    }

    private static void copyRange(Path source, long offset, long length, Path target, byte[] prefix) throws IOException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            if (prefix != null) out.write(ByteBuffer.wrap(prefix));
            long done = 0;
            while (done < length) {
                long n = in.transferTo(offset + done, length - done, out);
                if (n <= 0) throw new IOException("short read copying " + source);
                done += n;
            }
        }
    }
}
