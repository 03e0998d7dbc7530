package dev.fanout.local;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Asserts what a viewer depends on, with ffmpeg/ffprobe as the judge: every rendition decodes
 * cleanly from init + segments, has exactly the source's frames on a uniform timeline starting at
 * 0 with no gap or overlap at chunk seams, keyframes on the segment grid in every rendition
 * (segments aligned), each frame matching the source frame at the same time (PSNR), and audio
 * that decodes and ends within one AAC frame of the video. Shared with the LocalStack integration
 * test (module integration/, through this module's test jar), which checks the output of the
 * deployed functions the same way.
 */
public final class DashOutputCheck {
    static final double MIN_FRAME_PSNR_DB = 30.0;
    private static final double AAC_FRAME_SECONDS = 1024 / 48000.0;

    record Rep(String id, int width, int height) {}

    final MediaProbe probe;

    public DashOutputCheck(MediaProbe probe) { this.probe = probe; }

    static List<Rep> representations(Path manifest) throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(manifest.toFile());
        List<Rep> reps = new ArrayList<>();
        NodeList sets = doc.getElementsByTagName("AdaptationSet");
        for (int i = 0; i < sets.getLength(); i++) {
            Element set = (Element) sets.item(i);
            if (!"video".equals(set.getAttribute("contentType"))) continue;
            NodeList rs = set.getElementsByTagName("Representation");
            for (int j = 0; j < rs.getLength(); j++) {
                Element r = (Element) rs.item(j);
                reps.add(new Rep(r.getAttribute("id"), Integer.parseInt(r.getAttribute("width")), Integer.parseInt(r.getAttribute("height"))));
            }
        }
        return reps;
    }

    static boolean hasAudioSet(Path manifest) throws Exception {
        return Files.readString(manifest).contains("contentType=\"audio\"");
    }

    /** The Representation id (= folder) of every audio AdaptationSet, in the MPD's order. */
    static List<String> audioRepresentations(Path manifest) throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(manifest.toFile());
        List<String> ids = new ArrayList<>();
        NodeList sets = doc.getElementsByTagName("AdaptationSet");
        for (int i = 0; i < sets.getLength(); i++) {
            Element set = (Element) sets.item(i);
            if (!"audio".equals(set.getAttribute("contentType"))) continue;
            NodeList rs = set.getElementsByTagName("Representation");
            for (int j = 0; j < rs.getLength(); j++) ids.add(((Element) rs.item(j)).getAttribute("id"));
        }
        return ids;
    }

    /**
     * @param fpsNum, fpsDen source frame rate
     * @param segmentFrames frames per segment (keyframe interval expected in the output)
     */
    public void assertComplete(Path jobDir, Path source, long sourceFrames, long fpsNum, long fpsDen, int segmentFrames,
                        boolean expectAudio) throws Exception {
        assertComplete(jobDir, source, sourceFrames, fpsNum, fpsDen, segmentFrames, expectAudio, "");
    }

    /** As above, the source passed through {@code referenceFilter} before the PSNR comparison. */
    void assertComplete(Path jobDir, Path source, long sourceFrames, long fpsNum, long fpsDen, int segmentFrames,
                        boolean expectAudio, String referenceFilter) throws Exception {
        Path manifest = jobDir.resolve("manifest.mpd");
        assertTrue(Files.isRegularFile(manifest), "manifest.mpd written");
        List<Rep> reps = representations(manifest);
        assertTrue(!reps.isEmpty(), "at least one video representation");
        long videoEndTicks = -1;
        long videoTbDen = 0;
        for (Rep rep : reps) {
            Path joined = MediaProbe.joinTrack(jobDir.resolve("video").resolve(rep.id()), jobDir.resolve("joined-" + rep.id() + ".mp4"));
            assertEquals("", probe.decodeErrors(joined), rep.id() + " decodes without errors");
            assertEquals(rep.width() + "x" + rep.height(), probe.streamField(joined, "v", "width") + "x" + probe.streamField(joined, "v", "height"),
                    rep.id() + " picture size matches the manifest");
            long tbDen = probe.timeBaseDen(joined, "v");
            assertEquals(0, (tbDen * fpsDen) % fpsNum, "time base " + tbDen + " holds whole frames");
            long step = tbDen * fpsDen / fpsNum;
            List<Long> pts = probe.framePts(joined, "v");
            assertEquals(sourceFrames, pts.size(), rep.id() + " has exactly the source's frame count");
            for (int i = 0; i < pts.size(); i++) {
                assertEquals(i * step, (long) pts.get(i), rep.id() + " frame " + i + " is on the uniform timeline (no gap/overlap at seams)");
            }
            List<Long> keyframes = probe.keyframePts(joined);
            List<Long> expectedKeys = new ArrayList<>();
            for (long f = 0; f < sourceFrames; f += segmentFrames) expectedKeys.add(f * step);
            assertEquals(expectedKeys, keyframes, rep.id() + " keyframes exactly on the segment grid (aligned across renditions)");

            List<Double> psnr = probe.psnrPerFrame(joined, source, referenceFilter, rep.width(), rep.height(), 0);
            assertEquals(sourceFrames, psnr.size(), rep.id() + " PSNR computed for every frame");
            double min = psnr.stream().mapToDouble(Double::doubleValue).min().orElse(0);
            assertTrue(min >= MIN_FRAME_PSNR_DB, rep.id() + " every frame matches the source frame at the same time: min PSNR " + min + " dB");
            // where the output ends as its packets say (the last frame's time plus its duration)
            videoEndTicks = probe.endTicks(joined, "v");
            videoTbDen = tbDen;
        }
        // against the source's video duration as ffprobe reads it from the source file: neither side
        // is computed from the frame count the caller passes (that comparison could not fail)
        double videoSeconds = (double) videoEndTicks / videoTbDen;
        double sourceSeconds = probe.durationSeconds(source, "v");
        assertEquals(sourceSeconds, videoSeconds, (double) fpsDen / fpsNum, "duration equals the source's within one frame");

        assertEquals(expectAudio, hasAudioSet(manifest), "audio adaptation set present iff the source has audio");
        // every audio rendition (the first in audio/, as a single-track job has it)
        List<String> audioIds = audioRepresentations(manifest);
        if (expectAudio) assertEquals("audio", audioIds.get(0), "the first audio rendition is in audio/");
        for (String id : audioIds) {
            Path audio = MediaProbe.joinTrack(jobDir.resolve(id), jobDir.resolve("joined-" + id + ".mp4"));
            assertEquals("", probe.decodeErrors(audio), id + " decodes without errors");
            List<Long> apts = probe.framePts(audio, "a");
            long atb = probe.timeBaseDen(audio, "a");
            assertTrue(apts.size() > 1, id + " has frames");
            double audioEnd = (apts.get(apts.size() - 1) + 1024.0 * atb / 48000) / atb;
            assertEquals(videoSeconds, audioEnd, AAC_FRAME_SECONDS + 1e-6, id + " ends within one AAC frame of the video");
            assertEquals(0.0, (double) apts.get(0) / atb, AAC_FRAME_SECONDS, id + " starts with the video");
        }
        // what a player is told (MPD timeline, HLS EXTINFs) against what the segments hold
        ManifestTimelineCheck.assertManifestsMatchMedia(jobDir);
    }

}
