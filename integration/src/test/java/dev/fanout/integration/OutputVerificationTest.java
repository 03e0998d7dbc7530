package dev.fanout.integration;

import dev.fanout.encoder.model.JobLayout;
import dev.fanout.encoder.storage.ObjectStore;
import dev.fanout.local.DashOutputCheck;
import dev.fanout.local.LayerBinaries;
import dev.fanout.local.LocalS3;
import dev.fanout.local.LocalStateMachine;
import dev.fanout.local.MediaProbe;
import dev.fanout.local.SampleClip;
import dev.fanout.local.asl.StateMachineExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The LocalStack test's output checks, run here on real output: the same pipeline (the deployed
 * ASL over the real handlers, against the embedded S3 store) encodes a small clip, and the
 * download, the manifest-to-objects check and the media checks must pass on it — and must name a
 * segment that is then removed from the bucket.
 */
class OutputVerificationTest {

    @Test
    void outputOfTheRealPipelinePassesAndAMissingSegmentIsNamed(@TempDir Path dir) throws Exception {
        LayerBinaries bin = LayerBinaries.locate();
        try (LocalS3 s3 = LocalS3.start(dir.resolve("s3"))) {
            s3.createBucket("input");
            s3.createBucket("output");
            ObjectStore store = s3.objectStore();
            Map<String, String> env = new HashMap<>(s3.clientEnv());
            env.putAll(Map.of("OUTPUT_BUCKET", "output", "FFMPEG_PATH", bin.ffmpeg().toString(), "FFPROBE_PATH", bin.ffprobe().toString(),
                    "WORK_DIR", dir.resolve("work").toString(), "LADDER", "180@400,144@200", "SEGMENT_SECONDS", "2", "CHUNK_SECONDS", "2"));
            Path clip = SampleClip.of(320, 180, "30", 4).writeTo(bin.ffmpeg(), dir.resolve("clip.mp4"));
            store.upload(clip, "input", "uploads/clip.mp4", "video/mp4");
            LocalStateMachine machine = new LocalStateMachine(LocalStateMachine.findTemplate(), env, 2, 0.001, new StateMachineExecutor.Listener() { });
            LocalStateMachine.Outcome outcome = machine.run("input", "uploads/clip.mp4");
            assertTrue(outcome.succeeded(), "local run: " + outcome.result());
            String prefix = JobLayout.of("output", outcome.jobId()).outputPrefix();

            Path jobDir = JobOutput.download(store, "output", prefix, dir.resolve("complete"));
            List<String> referenced = JobOutput.referencedFiles(jobDir.resolve("manifest.mpd"));
            assertEquals(6, referenced.stream().filter(f -> f.startsWith("video/")).count(),
                    "2 video representations, each init + 2 segments of 2 s: " + referenced);
            assertTrue(referenced.contains("audio/init.mp4") && referenced.contains("audio/seg-00002.m4s"), referenced.toString());
            assertEquals(List.of(), JobOutput.missingFiles(jobDir));
            new DashOutputCheck(new MediaProbe(bin)).assertComplete(jobDir, clip, 120, 30, 1, 60, true);

            String lost = referenced.stream().filter(f -> f.startsWith("video/") && f.endsWith("seg-00002.m4s")).findFirst().orElseThrow();
            store.client().deleteObject(b -> b.bucket("output").key(prefix + lost));
            Path broken = JobOutput.download(store, "output", prefix, dir.resolve("broken"));
            assertEquals(List.of(lost), JobOutput.missingFiles(broken), "the missing object is named");
            assertThrows(AssertionError.class, () -> new DashOutputCheck(new MediaProbe(bin)).assertComplete(broken, clip, 120, 30, 1, 60, true),
                    "and the media checks fail on it too");

            Files.delete(broken.resolve("manifest.mpd"));
            assertEquals(List.of("manifest.mpd"), JobOutput.missingFiles(broken));
        }
    }

    @Test
    void timelineRepeatsCountAsSegments(@TempDir Path dir) throws Exception {
        Path mpd = dir.resolve("manifest.mpd");
        Files.writeString(mpd, """
                <?xml version="1.0"?>
                <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static"><Period>
                  <AdaptationSet id="0" contentType="video">
                    <SegmentTemplate timescale="90" initialization="video/$RepresentationID$/init.mp4" media="video/$RepresentationID$/seg-$Number%05d$.m4s" startNumber="3">
                      <SegmentTimeline><S t="0" d="180" r="2"/><S d="90"/></SegmentTimeline>
                    </SegmentTemplate>
                    <Representation id="a"/>
                  </AdaptationSet>
                  <AdaptationSet id="1" contentType="audio">
                    <SegmentTemplate timescale="48000" initialization="audio/init.mp4" media="audio/$Number$.m4s">
                      <SegmentTimeline><S t="0" d="96000"/></SegmentTimeline>
                    </SegmentTemplate>
                    <Representation id="audio"/>
                  </AdaptationSet>
                </Period></MPD>
                """);
        assertEquals(List.of("video/a/init.mp4", "video/a/seg-00003.m4s", "video/a/seg-00004.m4s", "video/a/seg-00005.m4s",
                "video/a/seg-00006.m4s", "audio/init.mp4", "audio/1.m4s"), JobOutput.referencedFiles(mpd));
    }
}
