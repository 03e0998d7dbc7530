package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** End to end on real media: generated sources → the handlers → DASH output checked by ffmpeg. */
class ChunkedPipelineTest extends PipelineTestBase {
    /** Small pictures keep the suite fast; 2 s segments, 4 s chunks give several chunk seams. */
    static final Map<String, String> SMALL = Map.of("LADDER", "360@800,240@400", "SEGMENT_SECONDS", "2", "CHUNK_SECONDS", "4");

    @Test
    void ntscRateWithKeyframesOffTheGridAndMoovAtTheEnd() throws Exception {
        // 29.97 fps, source GOP of 37 frames (never on the 60-frame grid), moov written last
        Path src = fx.generate("ntsc.mp4", SampleClip.of(640, 360, "30000/1001", 11));
        fx.upload(src, "uploads/ntsc.mp4");
        PipelineFixture.Job job = fx.run("uploads/ntsc.mp4", SMALL);
        assertTrue(job.outcome().succeeded(), () -> "job failed: " + job.outcome().result());
        long frames = 330; // 11 s × 30000/1001 rounded down by testsrc2
        assertEquals(frames, Long.parseLong(probe.streamField(src, "v", "nb_frames")));
        check.assertComplete(job.dir(), src, frames, 30000, 1001, 60, true);

        JsonNode record = job.record();
        assertEquals("SUCCEEDED", record.path("status").asText());
        assertEquals(3, record.path("chunkCount").asInt(), "11 s in 4 s chunks → 3 chunks (last one partial)");
        assertEquals(6, record.path("segmentCount").asInt());
        assertEquals("30000/1001", record.path("source").path("video").path("frameRate").asText());
        assertEquals(List.of("360p", "240p"), record.path("ladder").findValuesAsText("id"));
        assertTrue(record.path("timings").path("wallSeconds").asDouble() > 0);
        // a GOP of 37 frames: the probe reads the moov and the last GOP, not the file
        assertSourceReads(record, src, 1 / 3.0, 2);
    }

    /**
     * What the stages read of the source (through their source servers), from job.json: the probe
     * at most {@code probeShare} of the file; the chunk workers together every byte of it at least
     * once, and at most {@code chunkMultiple} times the file (each also reads from the keyframe
     * before its start).
     */
    static void assertSourceReads(JsonNode record, Path src, double probeShare, int chunkMultiple) throws java.io.IOException {
        JsonNode read = record.path("timings").path("sourceBytesRead");
        long size = java.nio.file.Files.size(src);
        long probe = read.path("probe").asLong();
        long chunks = read.path("chunks").asLong();
        assertTrue(probe > 0 && probe < probeShare * size, "the probe read " + probe + " bytes of " + size);
        assertTrue(chunks >= size && chunks <= chunkMultiple * size, "the chunks together read " + chunks + " bytes of " + size);
        assertTrue(read.path("thumbnails").isMissingNode() || read.path("thumbnails").isNull(),
                "nothing reads the source for thumbnails (the chunks take them from their frames): " + read);
        assertEquals(probe + chunks + read.path("audio").asLong(), read.path("total").asLong());
    }

    @Test
    void integerRateNoAudioFaststart() throws Exception {
        Path src = fx.generate("silent.mp4", SampleClip.of(480, 270, "25", 9.2).withAudio(false).withFaststart(true).withKeyframeInterval(250));
        fx.upload(src, "uploads/silent film.mp4");
        PipelineFixture.Job job = fx.run("uploads/silent film.mp4", Map.of("LADDER", "270@600,180@300", "CHUNK_SECONDS", "4"));
        assertTrue(job.outcome().succeeded(), () -> "job failed: " + job.outcome().result());
        check.assertComplete(job.dir(), src, 230, 25, 1, 50, false);
        // one GOP (250 frames) longer than the file: the tail check decodes it all, and every chunk reads from frame 0
        assertSourceReads(job.record(), src, 1.25, 3);
        assertTrue(job.record().path("source").path("audio").isMissingNode() || job.record().path("source").path("audio").isNull());
    }

    @Test
    void sourceShorterThanOneSegment() throws Exception {
        Path src = fx.generate("short.mp4", SampleClip.of(320, 240, "30", 1.5));
        fx.upload(src, "uploads/short.mp4");
        PipelineFixture.Job job = fx.run("uploads/short.mp4", SMALL);
        assertTrue(job.outcome().succeeded(), () -> "job failed: " + job.outcome().result());
        assertEquals(1, job.record().path("chunkCount").asInt());
        assertEquals(1, job.record().path("segmentCount").asInt());
        // a 320x240 source is below every rung of this ladder except none: one rendition at its own size
        assertEquals(List.of("240p"), job.record().path("ladder").findValuesAsText("id"));
        check.assertComplete(job.dir(), src, 45, 30, 1, 60, true);
    }

    @Test
    void psnrCheckCatchesAOneFrameShift() throws Exception {
        Path src = fx.generate("shift.mp4", SampleClip.of(320, 180, "30", 4).withAudio(false));
        fx.upload(src, "uploads/shift.mp4");
        PipelineFixture.Job job = fx.run("uploads/shift.mp4", Map.of("LADDER", "180@500", "CHUNK_SECONDS", "2"));
        assertTrue(job.outcome().succeeded(), () -> "job failed: " + job.outcome().result());
        Path joined = MediaProbe.joinTrack(job.dir().resolve("video/180p"), job.dir().resolve("joined.mp4"));
        double aligned = probe.psnrPerFrame(joined, src, 320, 180, 0).stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double shifted = probe.psnrPerFrame(joined, src, 320, 180, 1).stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        assertTrue(aligned >= DashOutputCheck.MIN_FRAME_PSNR_DB, "aligned min PSNR " + aligned);
        assertTrue(shifted < DashOutputCheck.MIN_FRAME_PSNR_DB, "a one-frame shift must fall below the threshold, got " + shifted);
    }

    /**
     * The published audio is the chunk workers' pieces joined: every chunk record carries its
     * piece (segments numbered on from the chunk before, each uploaded at its recorded size), no
     * audio stage ran, and the joined track decodes to the video's duration in samples within one
     * AAC frame.
     */
    @Test
    void audioIsPublishedFromTheChunkWorkersPieces() throws Exception {
        Path src = fx.generate("pieces.mp4", SampleClip.of(320, 180, "30000/1001", 11));
        fx.upload(src, "uploads/pieces.mp4");
        List<String> invoked = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<JsonNode> chunkRecords = new java.util.ArrayList<>();
        PipelineFixture.Job job = fx.run("uploads/pieces.mp4", SMALL, (function, payload) -> {
            invoked.add(function);
            if (function.equals("PackageFunction")) {
                String jobId = payload.path("jobId").asText();
                for (int k = 0; k < 3; k++) {
                    chunkRecords.add(fx.store.getJson(PipelineFixture.OUTPUT, "work/" + jobId + "/chunks/0000" + k + ".json", JsonNode.class));
                }
            }
        });
        assertTrue(job.outcome().succeeded(), () -> "job failed: " + job.outcome().result());
        assertEquals(java.util.Set.of("ProbeFunction", "EncodeChunkFunction", "PackageFunction"),
                java.util.Set.copyOf(invoked), "no function but the chunk workers encodes audio: " + invoked);

        List<Path> published;
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(job.dir().resolve("audio"))) {
            published = files.filter(f -> f.getFileName().toString().startsWith("seg-")).sorted().toList();
        }
        int next = 1;
        long samples = 0;
        for (JsonNode chunk : chunkRecords) {
            JsonNode segments = chunk.path("audio").path("track").path("segments");
            assertTrue(segments.size() > 0, "chunk " + chunk.path("chunkIndex") + " recorded its audio piece: " + chunk);
            for (JsonNode seg : segments) {
                assertEquals(next, seg.path("number").asInt(), "audio segments numbered on across chunks");
                assertEquals(samples, seg.path("startTime").asLong(), "audio segment " + next + " starts where the one before ends");
                assertEquals(java.nio.file.Files.size(published.get(next - 1)), seg.path("bytes").asLong(), "audio segment " + next + " as uploaded");
                samples += seg.path("duration").asLong();
                next++;
            }
        }
        assertEquals(published.size(), next - 1, "every published audio segment comes from a chunk's piece");
        long videoSamples = 330L * 1001 * 48_000 / 30_000; // 330 frames at 29.97 fps, exactly 528528 samples
        assertEquals(videoSamples, samples, "the pieces present exactly the video's duration");
        Path joined = dev.fanout.local.bench.AudioSeamMeter.concatenate(job.dir().resolve("audio/init.mp4"), published, dir.resolve("pieces-audio.mp4"));
        float[] decoded = dev.fanout.local.bench.AudioSeamMeter.decodeFragmented(fx.bin.ffmpeg(), joined, dir);
        assertTrue(Math.abs(decoded.length - videoSamples) <= 1024, "decoded " + decoded.length + " samples; the video lasts " + videoSamples);
    }
}
