package dev.fanout.encoder.plan;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobIdsTest {
    @Test
    void sameUploadSameJobAndReadable() {
        String a = JobIds.of("in", "videos/My Holiday (2024).mp4", "abc");
        assertEquals(a, JobIds.of("in", "videos/My Holiday (2024).mp4", "abc"));
        assertTrue(a.matches("my-holiday-2024-[0-9a-f]{12}"), a);
        assertNotEquals(a, JobIds.of("in", "videos/My Holiday (2024).mp4", "def"), "a new version is a new job");
    }

    @Test
    void anyKeyGivesASafeBoundedId() {
        assertTrue(JobIds.of("in", "ünïcødé/日本語.mp4", "e").matches("[a-z0-9-]+"));
        assertTrue(JobIds.of("in", "x".repeat(900) + ".mp4", "e").length() <= 53);
        assertTrue(JobIds.of("in", "%2B+ .mp4", "e").startsWith("2b-"));
    }
}
