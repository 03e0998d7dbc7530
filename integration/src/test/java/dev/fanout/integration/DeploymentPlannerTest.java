package dev.fanout.integration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.storage.Json;
import dev.fanout.local.LocalStateMachine;
import dev.fanout.local.asl.SamTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The deployment derived from the real template.yaml matches what the template says, resolved for LocalStack. */
class DeploymentPlannerTest {
    static final DeploymentPlanner.Settings SETTINGS = new DeploymentPlanner.Settings("fanout-it-1", "us-east-1", "000000000000",
            Map.of("Ladder", "180@400,144@200", "ChunkSeconds", "2", "MaxConcurrency", "3"), FunctionBundle.BIN_DIR_IN_TASK);

    static SamTemplate template() throws Exception {
        return SamTemplate.read(LocalStateMachine.findTemplate());
    }

    @Test
    void everyFunctionOfTheTemplateWithItsHandlerSizesAndEnvironment() throws Exception {
        SamTemplate t = template();
        DeploymentPlan plan = DeploymentPlanner.plan(t, SETTINGS);
        assertEquals(t.handlers().keySet(), plan.functions().stream().map(DeploymentPlan.Function::logicalId).collect(java.util.stream.Collectors.toSet()));
        for (DeploymentPlan.Function f : plan.functions()) {
            assertEquals(t.handlerOf(f.logicalId()), f.handler());
            assertEquals("java21", f.runtime());
            assertEquals("fanout-it-1-" + f.logicalId(), f.name());
            assertEquals("arn:aws:lambda:us-east-1:000000000000:function:fanout-it-1-" + f.logicalId(), f.arn());
            assertEquals(plan.bucket("OutputBucket"), f.environment().get("OUTPUT_BUCKET"), f.logicalId() + ": Globals variables apply");
            assertEquals("180@400,144@200", f.environment().get("LADDER"), "parameter override");
            assertEquals("2", f.environment().get("SEGMENT_SECONDS"), "parameter default");
            assertEquals("x86_64", f.architecture(), "Architecture parameter default");
        }
        DeploymentPlan.Function chunk = plan.function("EncodeChunkFunction");
        assertEquals(10240, chunk.memoryMb(), "the EncodeChunkMemorySize parameter's default");
        assertEquals(900, chunk.timeoutSeconds());
        assertEquals(2048, chunk.ephemeralStorageMb());
        assertEquals(512, plan.function("PackageFunction").ephemeralStorageMb(), "Lambda's default /tmp");
        assertEquals(60, plan.function("RecordFailureFunction").timeoutSeconds());
    }

    @Test
    void functionsWithTheFfmpegLayerGetTheBundledBinariesInstead() throws Exception {
        SamTemplate t = template();
        DeploymentPlan plan = DeploymentPlanner.plan(t, SETTINGS);
        for (DeploymentPlan.Function f : plan.functions()) {
            boolean layer = t.properties(f.logicalId()).has("Layers");
            assertEquals(layer, f.bundlesFfmpeg(), f.logicalId());
            assertEquals(layer ? "/var/task/bin/ffmpeg" : null, f.environment().get("FFMPEG_PATH"), f.logicalId());
            assertEquals(layer ? "/var/task/bin/ffprobe" : null, f.environment().get("FFPROBE_PATH"), f.logicalId());
        }
        for (String id : List.of("ProbeFunction", "EncodeChunkFunction")) {
            assertTrue(plan.function(id).bundlesFfmpeg(), id + " runs ffmpeg/ffprobe");
        }
        assertFalse(plan.function("PackageFunction").bundlesFfmpeg(), "the reducer moves no media");
    }

    @Test
    void aliasesTriggerAndTheTriggersStateMachineArn() throws Exception {
        DeploymentPlan plan = DeploymentPlanner.plan(template(), SETTINGS);
        assertEquals("live", plan.function("PackageFunction").alias());
        assertEquals("live", plan.function("StartExecutionFunction").alias());
        assertNull(plan.function("EncodeChunkFunction").alias());
        assertEquals(plan.function("PackageFunction").arn() + ":live", plan.function("PackageFunction").invokedArn());

        assertEquals(List.of(new DeploymentPlan.Trigger(plan.bucket("InputBucket"), "StartExecutionFunction", List.of("s3:ObjectCreated:*"))),
                plan.triggers());
        assertEquals("fanout-it-1-encode", plan.stateMachine().name());
        assertEquals("arn:aws:states:us-east-1:000000000000:stateMachine:fanout-it-1-encode", plan.stateMachine().arn());
        assertEquals(plan.stateMachine().arn(), plan.function("StartExecutionFunction").environment().get("STATE_MACHINE_ARN"),
                "the trigger's !Sub-built ARN names the state machine that is created");
        assertEquals("fanout-it-1-inputbucket", plan.bucket("InputBucket"));
        assertEquals("fanout-it-1-artifacts", plan.artifactsBucket());
    }

    @Test
    void theDefinitionIsTheRealAslWithTheDeployedArns() throws Exception {
        DeploymentPlan plan = DeploymentPlanner.plan(template(), SETTINGS);
        JsonNode definition = Json.MAPPER.readTree(plan.stateMachine().definition());
        Set<String> invokedArns = new HashSet<>();
        plan.functions().forEach(f -> invokedArns.add(f.invokedArn()));
        List<String> called = new ArrayList<>();
        collectFunctionNames(definition, called);
        for (String arn : called) assertTrue(invokedArns.contains(arn), arn + " is a deployed function (or its alias)");
        Set<String> notCalled = new HashSet<>(invokedArns);
        notCalled.removeAll(called);
        assertEquals(Set.of(plan.function("StartExecutionFunction").invokedArn()), notCalled,
                "every function but the S3 trigger is called by the state machine");
        assertTrue(called.contains(plan.function("PackageFunction").arn() + ":live"), "Package is invoked through its alias");
        assertTrue(called.contains(plan.function("EncodeChunkFunction").arn()));
        assertTrue(plan.stateMachine().definition().contains("\"MaxConcurrency\": 3"), "MaxConcurrency parameter substituted");
        assertTrue(plan.stateMachine().definition().contains("\"Bucket\": \"" + plan.bucket("OutputBucket") + "\""), "ItemReader bucket");
        assertFalse(plan.stateMachine().definition().contains("${"), "no placeholder left");
    }

    @Test
    void theArm64ArchitectureParameterIsFollowed() throws Exception {
        DeploymentPlan plan = DeploymentPlanner.plan(template(), new DeploymentPlanner.Settings("s", "us-east-1", "000000000000",
                Map.of("Architecture", "arm64"), FunctionBundle.BIN_DIR_IN_TASK));
        plan.functions().forEach(f -> assertEquals("arm64", f.architecture(), f.logicalId()));
        assertTrue(plan.function("ProbeFunction").bundlesFfmpeg(), "the arm64 ffmpeg layer is recognised too (Fn::If)");
    }

    @Test
    void parameterValuesAreCheckedLikeCloudFormationChecksThem() {
        var e = assertThrows(IllegalArgumentException.class, () -> DeploymentPlanner.plan(template(),
                new DeploymentPlanner.Settings("s", "us-east-1", "0", Map.of("Ladder", "720p"), "/b")));
        assertTrue(e.getMessage().contains("Ladder") && e.getMessage().contains("does not match"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DeploymentPlanner.plan(template(),
                new DeploymentPlanner.Settings("s", "us-east-1", "0", Map.of("Architecture", "riscv"), "/b")));
        assertTrue(e.getMessage().contains("not one of"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DeploymentPlanner.plan(template(),
                new DeploymentPlanner.Settings("s", "us-east-1", "0", Map.of("ChunkSeconds", "1"), "/b")));
        assertTrue(e.getMessage().contains("below 2"), e.getMessage());
    }

    @Test
    void whatCannotBeResolvedOrMountedIsRefusedByName(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("template.yaml");
        Files.createDirectories(dir.resolve("statemachine"));
        Files.writeString(dir.resolve("statemachine/a.asl.json"), "{\"StartAt\":\"x\",\"States\":{\"x\":{\"Type\":\"Succeed\"}}}");
        String base = """
                Resources:
                  Machine:
                    Type: AWS::Serverless::StateMachine
                    Properties: {Name: m, DefinitionUri: statemachine/a.asl.json}
                  Fn:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: a.B::handleRequest
                      Runtime: java21
                """;
        Files.writeString(file, base + "      Environment: {Variables: {X: !Join ['', [a, b]]}}\n");
        var e = assertThrows(IllegalStateException.class, () -> DeploymentPlanner.plan(SamTemplate.read(file), SETTINGS_NO_PARAMS));
        assertTrue(e.getMessage().contains("Fn.Environment.X") && e.getMessage().contains("Fn::Join"), e.getMessage());

        Files.writeString(file, base + "      Layers: [arn:aws:lambda:us-east-1:1:layer:other:1]\n");
        e = assertThrows(IllegalStateException.class, () -> DeploymentPlanner.plan(SamTemplate.read(file), SETTINGS_NO_PARAMS));
        assertTrue(e.getMessage().contains("not the ffmpeg layer"), e.getMessage());
    }

    static final DeploymentPlanner.Settings SETTINGS_NO_PARAMS = new DeploymentPlanner.Settings("s", "us-east-1", "0", Map.of(), "/b");

    private static void collectFunctionNames(JsonNode node, List<String> out) {
        if (node.isObject()) {
            if ("Task".equals(node.path("Type").asText()) && node.path("Parameters").has("FunctionName")) {
                out.add(node.path("Parameters").path("FunctionName").asText());
            }
            node.elements().forEachRemaining(n -> collectFunctionNames(n, out));
        } else if (node.isArray()) {
            node.elements().forEachRemaining(n -> collectFunctionNames(n, out));
        }
    }
}
