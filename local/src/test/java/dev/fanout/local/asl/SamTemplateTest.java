package dev.fanout.local.asl;

import dev.fanout.local.LocalStateMachine;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamTemplateTest {

    @Test
    void shortTagsAreReadInLongFormNotAsLiterals() throws Exception {
        Path file = Files.createTempFile("template", ".yaml");
        Files.writeString(file, """
                Parameters:
                  Size: {Type: Number, Default: 2}
                Resources:
                  Bucket: {Type: AWS::S3::Bucket}
                  Fn:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: a.B::handleRequest
                      Layers: [!If [IsArm, !Ref LayerA, !Ref LayerB]]
                      Environment:
                        Variables:
                          BUCKET: !Ref Bucket
                          LITERAL: Bucket
                          ARN: !Sub arn:${AWS::Partition}:s3:::${Bucket}
                          WHERE: !GetAtt Bucket.Arn
                """);
        SamTemplate t = SamTemplate.read(file);
        var vars = t.properties("Fn").path("Environment").path("Variables");
        assertEquals("{\"Ref\":\"Bucket\"}", vars.get("BUCKET").toString());
        assertEquals("Bucket", vars.get("LITERAL").asText());
        assertEquals("{\"Fn::Sub\":\"arn:${AWS::Partition}:s3:::${Bucket}\"}", vars.get("ARN").toString());
        assertEquals("{\"Fn::GetAtt\":\"Bucket.Arn\"}", vars.get("WHERE").toString());
        assertEquals("[{\"Fn::If\":[\"IsArm\",{\"Ref\":\"LayerA\"},{\"Ref\":\"LayerB\"}]}]", t.properties("Fn").path("Layers").toString());
        assertEquals("2", t.parameterValue("Size", Map.of()));
        assertEquals("5", t.parameterValue("Size", Map.of("Size", "5")));
        assertEquals(List.of("Fn"), t.resourceIds("AWS::Serverless::Function"));
        assertThrows(IllegalStateException.class, () -> t.parameterValue("Missing", Map.of()));
        Files.delete(file);
    }

    @Test
    void substitutionsTakeTheDeploymentsArnsAndAliases() throws Exception {
        SamTemplate t = SamTemplate.read(LocalStateMachine.findTemplate());
        Map<String, String> values = t.resolveSubstitutions(Map.of("OutputBucket", "out-bucket"), Map.of("MaxConcurrency", "3"),
                (id, alias) -> "arn:test:" + id + (alias == null ? "" : ":" + alias));
        assertEquals("arn:test:ProbeFunction", values.get("ProbeFunctionArn"));
        assertEquals("arn:test:PackageFunction:" + t.autoPublishAlias("PackageFunction"), values.get("PackageFunctionArn"),
                "Ref X.Alias is the function's AutoPublishAlias");
        assertTrue(values.get("PackageFunctionArn").endsWith(":live"));
        assertEquals("out-bucket", values.get("OutputBucket"));
        assertEquals("3", values.get("MaxConcurrency"));
    }
}
