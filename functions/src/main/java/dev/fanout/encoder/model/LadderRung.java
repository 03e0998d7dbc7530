package dev.fanout.encoder.model;

import java.util.ArrayList;
import java.util.List;

/**
 * A configured step of the rendition ladder: a target short side (1080 means 1920x1080 for a
 * landscape 16:9 source, 1080x1920 for a portrait one) and its bitrate cap.
 */
public record LadderRung(int shortSide, int maxrateKbps) {

    public static final String DEFAULT_LADDER = "1080@6000,720@3500,480@1800,360@1000";

    /** Parses "1080@6000,720@3500" (short side @ max kbit/s). */
    public static List<LadderRung> parseList(String text) {
        List<LadderRung> rungs = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) continue;
            int at = p.indexOf('@');
            if (at < 0) throw new IllegalArgumentException("ladder rung '" + p + "' must look like 720@3500 (short side @ max kbit/s)");
            int side = Integer.parseInt(p.substring(0, at).trim().replaceAll("[pP]$", ""));
            int rate = Integer.parseInt(p.substring(at + 1).trim());
            if (side < 2 || side > 4320 || rate <= 0) throw new IllegalArgumentException("ladder rung '" + p + "' is out of range");
            rungs.add(new LadderRung(side, rate));
        }
        if (rungs.isEmpty()) throw new IllegalArgumentException("the ladder is empty");
        return rungs;
    }
}
