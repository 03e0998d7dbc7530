package dev.fanout.integration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.model.JobLayout;
import dev.fanout.encoder.model.JobRecord;
import dev.fanout.encoder.plan.ExecutionNames;
import dev.fanout.encoder.plan.JobIds;
import dev.fanout.encoder.storage.Json;
import dev.fanout.encoder.storage.ObjectStore;
import dev.fanout.encoder.storage.S3Clients;
import dev.fanout.local.DashOutputCheck;
import dev.fanout.local.LayerBinaries;
import dev.fanout.local.LocalStateMachine;
import dev.fanout.local.MediaProbe;
import dev.fanout.local.SampleClip;
import dev.fanout.local.asl.SamTemplate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The whole pipeline in LocalStack: the shaded Lambda jar deployed as the seven functions of
 * template.yaml (with the ffmpeg binaries bundled), the real ASL with LocalStack ARNs, the S3
 * trigger; a generated MP4 uploaded to the input bucket starts it exactly as on AWS. Checked:
 * the trigger started an execution, it SUCCEEDED, job.json says SUCCEEDED, every file the
 * manifest references is in the output bucket, and the output passes the same checks as the
 * local end-to-end tests (decode, frame count, timeline, keyframe grid, PSNR, audio). Then a text
 * file named .mp4 goes through the same deployment: the execution FAILS with InvalidInput.NotMp4,
 * job.json says so, no manifest, the input object unchanged.
 *
 * <p>Runs with {@code mvn verify -Plocalstack} where a Docker engine is reachable; otherwise it
 * prints one line saying why it is skipped (see {@link LocalStackConfig#decide}).
 */
class LocalStackEndToEndTest {
    LocalStackConfig config;

    /** Per test, not per class: a skipped test is then counted as skipped in the build's summary. */
    @BeforeEach
    void decideWhetherToRun() {
        config = LocalStackConfig.from(properties(), System.getenv());
        LocalStackConfig.Decision d = config.decide(DockerEngine::probe);
        System.out.println("[LocalStack] " + d.message());
        switch (d.verdict()) {
            case SKIP -> Assumptions.abort(d.message());
            case FAIL -> fail(d.message());
            case RUN -> { }
        }
    }

    @Test
    void uploadedMp4IsEncodedToCompleteDashByTheDeployedPipeline(@TempDir Path dir) throws Exception {
        LayerBinaries bin = LayerBinaries.locate();
        Path lambdaJar = Path.of(System.getProperty("fanout.lambdaJar", "../functions/target/fanout-encoder-functions-0.1.0-SNAPSHOT-lambda.jar"));
        String stack = "fanout-it-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> parameters = Map.of("Ladder", "180@400,144@200", "SegmentSeconds", "2", "ChunkSeconds", "2",
                "MaxConcurrency", "3", "Architecture", lambdaArchitecture());

        try (LocalStackTarget target = LocalStackTarget.open(config, LocalStackEndToEndTest::log);
             Teardown teardown = new Teardown(LocalStackEndToEndTest::log)) {
            Map<String, String> env = target.clientEnv();
            ObjectStore store = S3Clients.objectStore(env);
            DeploymentPlan plan = DeploymentPlanner.plan(SamTemplate.read(LocalStateMachine.findTemplate()),
                    new DeploymentPlanner.Settings(stack, target.region(), LocalStackTarget.ACCOUNT, parameters, FunctionBundle.BIN_DIR_IN_TASK));
            Path bundle = FunctionBundle.write(lambdaJar, bin.ffmpeg(), bin.ffprobe(), dir.resolve("function.zip"));
            try (LambdaClient lambda = AwsClients.lambda(env); SfnClient sfn = AwsClients.sfn(env)) {
                new LocalStackDeployer(store.client(), lambda, sfn, teardown, LocalStackEndToEndTest::log).deploy(plan, bundle);

                // 6 s at 30 fps with audio: 180 frames, segments of 60 frames, 3 chunks (a Distributed Map of 3)
                Path clip = SampleClip.of(320, 180, "30", 6).writeTo(bin.ffmpeg(), dir.resolve("clip.mp4"));
                String input = plan.bucket("InputBucket"), output = plan.bucket("OutputBucket"), key = "uploads/clip.mp4";
                store.upload(clip, input, key, "video/mp4");
                String etag = store.head(input, key).orElseThrow().eTag().replace("\"", "");
                log("uploaded s3://" + input + "/" + key + "; the S3 trigger should start "
                        + ExecutionNames.decide(input, key, null, etag).name());

                ExecutionWaiter waiter = ExecutionWaiter.realTime(ExecutionWaiter.Timing.of(config.startTimeout(), config.runTimeout()),
                        LocalStackEndToEndTest::log);
                ExecutionWaiter.Status end = waiter.await("execution for " + key, () -> executionFor(sfn, plan.stateMachine().arn(), input, key));
                assertTrue(end.name().matches(ExecutionNames.NAME_PATTERN), "execution name " + end.name());
                assertEquals("SUCCEEDED", end.status(), "the execution ended " + end);
                assertEquals(etag, executionInputs.get(key).path("etag").asText(), "the S3 event carried the object's ETag (the job id is made from it)");

                String jobId = JobIds.of(input, key, etag);
                Path jobDir = JobOutput.download(store, output, JobLayout.of(output, jobId).outputPrefix(), dir.resolve("out"));
                JsonNode record = Json.MAPPER.readTree(jobDir.resolve("job.json").toFile());
                assertEquals(JobRecord.SUCCEEDED, record.path("status").asText(), "job.json: " + record);
                assertEquals(List.of(), JobOutput.missingFiles(jobDir), "every init and segment the manifest references is in s3://" + output);
                new DashOutputCheck(new MediaProbe(bin)).assertComplete(jobDir, clip, 180, 30, 1, 60, true);
                log("output checked: " + jobDir);

                // Bad input through the same deployment: the Lambda error reaches the Catch, RecordFailure names it.
                String badKey = "uploads/notes.mp4";
                Path notes = Files.writeString(dir.resolve("notes.mp4"), "These are my holiday notes, not a video.\n".repeat(50));
                store.upload(notes, input, badKey, "video/mp4");
                String badEtag = store.head(input, badKey).orElseThrow().eTag();
                ExecutionWaiter.Status failed = waiter.await("execution for " + badKey, () -> executionFor(sfn, plan.stateMachine().arn(), input, badKey));
                assertEquals("FAILED", failed.status(), "the execution ended " + failed);
                assertEquals("InvalidInput.NotMp4", failed.error(), "the execution fails with the named error: " + failed);
                String badJob = JobIds.of(input, badKey, executionInputs.get(badKey).path("etag").asText());
                Path badDir = JobOutput.download(store, output, JobLayout.of(output, badJob).outputPrefix(), dir.resolve("bad"));
                JsonNode badRecord = Json.MAPPER.readTree(badDir.resolve("job.json").toFile());
                assertEquals("FAILED", badRecord.path("status").asText(), "job.json: " + badRecord);
                assertEquals("InvalidInput.NotMp4", badRecord.path("error").path("error").asText(), "job.json: " + badRecord);
                assertTrue(Files.notExists(badDir.resolve("manifest.mpd")), "no manifest for a failed job");
                assertEquals(badEtag, store.head(input, badKey).orElseThrow().eTag(), "the input object is left as it was");
            }
            List<String> leftovers = teardown.runAll();
            assertEquals(List.of(), leftovers, "everything the test created is deleted");
        }
    }

    /** Input of the execution found for each key. */
    final Map<String, JsonNode> executionInputs = new HashMap<>();

    /** The execution started for this upload, found by its input (the trigger names it). */
    Optional<ExecutionWaiter.Status> executionFor(SfnClient sfn, String stateMachineArn, String bucket, String key) {
        for (ExecutionListItem e : sfn.listExecutions(b -> b.stateMachineArn(stateMachineArn)).executions()) {
            var d = sfn.describeExecution(b -> b.executionArn(e.executionArn()));
            JsonNode in;
            try {
                in = Json.MAPPER.readTree(d.input());
            } catch (Exception ex) {
                continue;
            }
            if (bucket.equals(in.path("bucket").asText()) && key.equals(in.path("key").asText())) {
                executionInputs.put(key, in);
                return Optional.of(new ExecutionWaiter.Status(d.name(), d.statusAsString(), d.error(), d.cause()));
            }
        }
        return Optional.empty();
    }

    /** Lambda's architecture for the binaries built on this machine (LayerBinaries picks them by the same rule). */
    static String lambdaArchitecture() {
        return switch (System.getProperty("os.arch")) {
            case "aarch64", "arm64" -> "arm64";
            default -> "x86_64";
        };
    }

    static Map<String, String> properties() {
        Map<String, String> out = new HashMap<>();
        System.getProperties().forEach((k, v) -> out.put(k.toString(), v.toString()));
        return out;
    }

    static void log(String line) {
        System.out.println("[LocalStack] " + line);
    }
}
