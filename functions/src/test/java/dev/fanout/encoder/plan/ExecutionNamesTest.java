package dev.fanout.encoder.plan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.storage.Json;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExecutionNamesTest {
    static final String ETAG = "0382ff0ec5762d646f4885ecc01c1a00";

    static void assertValidName(String name) {
        assertNotNull(name);
        assertTrue(name.matches(ExecutionNames.NAME_PATTERN), "not a safe execution name: " + name);
        assertTrue(name.matches("^[A-Za-z0-9_-]{1,80}$"), name);
        assertTrue(name.matches(".*-[0-9a-f]{24}$"), "ends with 24 hex digits: " + name);
    }

    @Test
    void decodesS3EventKeys() {
        assertEquals("uploads/holiday 2024.mp4", ExecutionNames.decodeKey("uploads/holiday+2024.mp4"));
        assertEquals("a+b.mp4", ExecutionNames.decodeKey("a%2Bb.mp4"));
        assertEquals("a+b c.mp4", ExecutionNames.decodeKey("a%2bb+c.mp4"));
        assertEquals("100%.mp4", ExecutionNames.decodeKey("100%25.mp4"));
        assertEquals("日本語/vidéo été.mp4", ExecutionNames.decodeKey("%E6%97%A5%E6%9C%AC%E8%AA%9E/vid%C3%A9o+%C3%A9t%C3%A9.mp4"));
        assertEquals("a/b (1)&c=d.mov", ExecutionNames.decodeKey("a/b+%281%29%26c%3Dd.mov"));
        assertEquals("plain.mp4", ExecutionNames.decodeKey("plain.mp4"));
        assertEquals("", ExecutionNames.decodeKey(null));
    }

    @Test
    void keepsAKeyThatIsNotValidEncoding() {
        assertEquals("bad%zz.mp4", ExecutionNames.decodeKey("bad%zz.mp4"));
        assertEquals("trailing%", ExecutionNames.decodeKey("trailing%"));
    }

    @Test
    void acceptsVideosBySuffixInAnyCase() {
        for (String key : List.of("a.mp4", "uploads/a.MP4", "x/y/z.m4v", "clip.M4V", "film.mov", "film.MoV",
                "uploads/jobs/a.mp4", "Jobs/a.mp4", "workshop/a.mp4", "a.b.c.mp4", "empty-file.mp4")) {
            assertNull(ExecutionNames.skipReason(key), key);
        }
    }

    @Test
    void skipsNonVideosAndOutputPrefixes() {
        for (String key : List.of("a.mkv", "a.mp4.txt", "notes.txt", "README", "a.mp3", "a.mp4/", "uploads/",
                "jobs/x/manifest.mpd", "jobs/x/video/720p/init.mp4", "work/x/chunks/00000.json", "work/a.mp4", "")) {
            assertNotNull(ExecutionNames.skipReason(key), key);
        }
        assertTrue(ExecutionNames.skipReason("jobs/a.mp4").contains("jobs/"));
        assertTrue(ExecutionNames.skipReason("a.avi").contains(".mp4"));
        // a sidecar subtitle file starts no job: its video's job reads it (docs/subtitles.md), and the log says so
        for (String sidecar : List.of("uploads/film.en.srt", "uploads/film.pt-BR.VTT", "uploads/film.srt")) {
            assertTrue(ExecutionNames.skipReason(sidecar).startsWith("a sidecar subtitle file"), sidecar + ": " + ExecutionNames.skipReason(sidecar));
        }
        assertNotNull(ExecutionNames.skipReason(null));
    }

    @Test
    void decisionDecodesFiltersAndBuildsInput() throws Exception {
        ExecutionNames.Decision d = ExecutionNames.decide("in", "uploads/holiday+2024.mp4", null, "\"" + ETAG + "\"");
        assertFalse(d.skipped());
        assertEquals("uploads/holiday 2024.mp4", d.key());
        assertEquals(ETAG, d.etag(), "quotes removed");
        assertValidName(d.name());
        assertTrue(d.name().startsWith("holiday-2024-"), d.name());
        JsonNode input = Json.MAPPER.readTree(d.input());
        assertEquals(Json.MAPPER.readTree("{\"bucket\":\"in\",\"key\":\"uploads/holiday 2024.mp4\",\"etag\":\"" + ETAG + "\"}"), input);

        ExecutionNames.Decision skipped = ExecutionNames.decide("in", "jobs/abc/manifest.mpd", null, ETAG);
        assertTrue(skipped.skipped());
        assertNull(skipped.name());
        assertNull(skipped.input());
        assertEquals("jobs/abc/manifest.mpd", skipped.key());
    }

    @Test
    void inputJsonEscapesAnyKey() throws Exception {
        String key = "we\"ird\\ke\ny\t/ü🎬.mp4";
        JsonNode node = Json.MAPPER.readTree(ExecutionNames.inputJson("b", key, "e"));
        assertEquals(3, node.size());
        assertEquals("b", node.get("bucket").asText());
        assertEquals(key, node.get("key").asText());
        assertEquals("e", node.get("etag").asText());
    }

    @Test
    void sameObjectSameNameNewVersionNewName() {
        String a = ExecutionNames.executionName("in", "uploads/My Holiday (2024).mp4", null, ETAG);
        assertEquals(a, ExecutionNames.executionName("in", "uploads/My Holiday (2024).mp4", null, ETAG));
        assertEquals(a, ExecutionNames.executionName("in", "uploads/My Holiday (2024).mp4", "", "\"" + ETAG + "\""),
                "an empty version id and quotes make no difference");
        assertTrue(a.matches("My-Holiday-2024-[0-9a-f]{24}"), a);

        assertNotEquals(a, ExecutionNames.executionName("in", "uploads/My Holiday (2024).mp4", null, "ffff"), "different etag");
        assertNotEquals(a, ExecutionNames.executionName("other", "uploads/My Holiday (2024).mp4", null, ETAG), "different bucket");
        assertNotEquals(a, ExecutionNames.executionName("in", "other/My Holiday (2024).mp4", null, ETAG), "different folder, same slug");
        assertTrue(ExecutionNames.executionName("in", "other/My Holiday (2024).mp4", null, ETAG).startsWith("My-Holiday-2024-"));
    }

    @Test
    void versionIdWinsOverEtag() {
        String v1 = ExecutionNames.executionName("in", "a.mp4", "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", "e1");
        assertEquals(v1, ExecutionNames.executionName("in", "a.mp4", "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", "e2"));
        assertNotEquals(v1, ExecutionNames.executionName("in", "a.mp4", "otherVersion", "e1"), "a re-upload of the same bytes is a new version");
        assertValidName(v1);
    }

    @Test
    void hashIsPinned() {
        // SHA-256("my-input-bucket\nuploads/holiday 2024.mp4\n0382ff0ec5762d646f4885ecc01c1a00")[:24]
        assertEquals("holiday-2024-12c2f5b2eb00df9242111994",
                ExecutionNames.executionName("my-input-bucket", "uploads/holiday 2024.mp4", null, ETAG));
    }

    @Test
    void unicodeKeysGiveAsciiNames() {
        assertTrue(ExecutionNames.executionName("in", "vidéos/été à la plage.mov", null, "e").startsWith("ete-a-la-plage-"));
        assertTrue(ExecutionNames.executionName("in", "日本語のビデオ.mp4", null, "e").startsWith("video-"), "nothing readable left");
        assertTrue(ExecutionNames.executionName("in", "Ｆｕｌｌｗｉｄｔｈ.mp4", null, "e").startsWith("Fullwidth-"), "NFKD folds compatibility forms");
        assertNotEquals(ExecutionNames.executionName("in", "日本.mp4", null, "e"), ExecutionNames.executionName("in", "中国.mp4", null, "e"),
                "same slug, different hash");
        for (String key : List.of("😀🎬.mp4", "ünïcødé/日本語.mp4", "a\u0000b.mp4", "\u202Eevil.mp4", "tab\there.mp4", "ǅ.mp4")) {
            assertValidName(ExecutionNames.executionName("in", key, null, "e"));
        }
    }

    @Test
    void forbiddenCharactersNeverReachTheName() {
        String key = "dir/ <>{}[]?*\"#%\\^|~`$&,;:/name with spaces+plus%2B & more.mp4";
        String name = ExecutionNames.executionName("in", key, null, "e");
        assertValidName(name);
        assertTrue(name.startsWith("name-with-spaces-plus-2B-more-"), name);
        assertValidName(ExecutionNames.executionName("in", "<>{}[]?*\"#%\\^|~`$&,;:.mp4", null, "e"));
        assertValidName(ExecutionNames.executionName("in", "--__--.mp4", null, "e"));
        assertTrue(ExecutionNames.executionName("in", "--__--.mp4", null, "e").startsWith("video-"));
        assertValidName(ExecutionNames.executionName("in", ".mp4", null, "e"));
        assertValidName(ExecutionNames.executionName("in", "", null, null));
        assertValidName(ExecutionNames.executionName(null, null, null, null));
    }

    @Test
    void longKeysAreBounded() {
        String key = "uploads/" + "x".repeat(1000 - "uploads/".length() - 4) + ".mp4";
        assertEquals(1000, key.length());
        String name = ExecutionNames.executionName("in", key, null, "e");
        assertValidName(name);
        assertEquals(ExecutionNames.SLUG_MAX + 1 + ExecutionNames.HASH_HEX, name.length());
        assertNotEquals(name, ExecutionNames.executionName("in", key.replace("x.mp4", "y.mp4"), null, "e"),
                "keys that differ after the slug's cut still differ");

        String words = "a-".repeat(600) + ".mp4"; // the cut lands on a dash: no trailing dash before the hash
        String n2 = ExecutionNames.executionName("in", words, null, "e");
        assertValidName(n2);
        assertFalse(n2.contains("--"), n2);
        assertTrue(n2.length() <= 80);
    }

    @Test
    void randomKeysAlwaysGiveValidDistinctNames() {
        Random random = new Random(20240714);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 3000; i++) {
            StringBuilder key = new StringBuilder();
            int length = 1 + random.nextInt(i % 10 == 0 ? 1200 : 60);
            for (int j = 0; j < length; j++) {
                int cp = switch (random.nextInt(4)) {
                    case 0 -> 32 + random.nextInt(95);          // printable ASCII
                    case 1 -> 0x80 + random.nextInt(0x780);     // Latin and friends
                    case 2 -> 0x3040 + random.nextInt(0x6000);  // CJK
                    default -> 0x1F300 + random.nextInt(0x300); // emoji (surrogate pairs)
                };
                key.appendCodePoint(cp);
            }
            key.append(".mp4");
            String name = ExecutionNames.executionName("in", key.toString(), null, "etag" + i);
            assertValidName(name);
            assertTrue(names.add(name), "collision: " + name);
        }
    }
}
