package dev.fanout.encoder.media;

import dev.fanout.encoder.model.Rational;

import java.util.ArrayList;
import java.util.List;

/** Reads frame times from ffmpeg's {@code framecrc} output (one line per frame, time base in a header). Pure. */
public final class FrameTimes {
    private FrameTimes() {}

    /** Presentation times in seconds, exact, of stream 0's frames in output order. */
    public static List<Rational> fromFramecrc(String text) {
        Rational timeBase = null;
        List<Rational> out = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("#tb 0:")) {
                timeBase = Rational.parse(line.substring("#tb 0:".length()));
            } else if (!line.isEmpty() && !line.startsWith("#")) {
                String[] f = line.split(",");
                if (f.length < 3) throw new IllegalArgumentException("not a framecrc line: '" + line + "'");
                if (!f[0].strip().equals("0")) continue;
                if (timeBase == null) throw new IllegalArgumentException("framecrc output without a time base for stream 0");
                out.add(Rational.of(Math.multiplyExact(Long.parseLong(f[2].strip()), timeBase.num()), timeBase.den()));
            }
        }
        return out;
    }
}
