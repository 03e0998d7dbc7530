package dev.fanout.encoder.plan;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PipelineConfigTest {

    @Test
    void publicUrlsExistOnlyWithABaseUrlWhichIsNormalised() {
        assertNull(PipelineConfig.fromEnv(Map.of()).publicUrl("jobs/a/index.html"));
        assertNull(PipelineConfig.fromEnv(Map.of("PUBLIC_BASE_URL", "")).publicUrl("jobs/a/index.html"), "the template's empty value when ViewerCdn is off");
        assertEquals("https://d1.example/jobs/a/index.html",
                PipelineConfig.fromEnv(Map.of("PUBLIC_BASE_URL", "https://d1.example")).publicUrl("jobs/a/index.html"));
        assertEquals("https://d1.example/cdn/jobs/a/index.html",
                PipelineConfig.fromEnv(Map.of("PUBLIC_BASE_URL", " https://d1.example/cdn/ ")).publicUrl("jobs/a/index.html"));
    }

    @Test
    void aBaseUrlWithoutSchemeIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PipelineConfig.fromEnv(Map.of("PUBLIC_BASE_URL", "d1.example")));
        assertTrue(e.getMessage().contains("PUBLIC_BASE_URL='d1.example'"), e.getMessage());
    }
}
