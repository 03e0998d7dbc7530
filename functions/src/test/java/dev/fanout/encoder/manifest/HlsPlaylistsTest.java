package dev.fanout.encoder.manifest;

import dev.fanout.encoder.model.JobLayout;
import dev.fanout.encoder.model.Rational;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HlsPlaylistsTest {
    /** 29.97 fps: three 60-frame segments and a 7-frame tail (0.2335666… s, not a whole microsecond). */
    static final List<Presentation.TimelineRun> NTSC = List.of(new Presentation.TimelineRun(0, 60060, 2), new Presentation.TimelineRun(180180, 7007, 0));
    static final double NTSC_SECONDS = 187187 / 30000.0;
    /** AAC in 48 kHz: a first segment shortened by the priming frame, then 94 frames, a short tail; ends at 187187/30000 s. */
    static final List<Presentation.TimelineRun> AUDIO = List.of(new Presentation.TimelineRun(0, 95232, 0),
            new Presentation.TimelineRun(95232, 96256, 1), new Presentation.TimelineRun(287744, 11755, 0));

    static Presentation presentation(boolean withAudio) {
        return Presentation.of(NTSC_SECONDS, 2.002,
                new Presentation.VideoSet(30000, Rational.of(30000, 1001), List.of(
                        new Presentation.Representation("720p", "avc1.64001f", 1280, 720, 3_000_000, 1_800_000, 3500),
                        new Presentation.Representation("360p", "avc1.64001e", 640, 360, 900_000, 500_000, 1000)), NTSC),
                withAudio ? new Presentation.AudioSet(48000, "mp4a.40.2", 48000, 2, 140_000, 95_000, AUDIO) : null);
    }

    /** One media playlist, parsed: tags in order, and each segment's duration and URI. */
    record Media(List<String> lines, List<BigDecimal> durations, List<String> uris, int targetDuration) {
        BigDecimal total() { return durations.stream().reduce(BigDecimal.ZERO, BigDecimal::add); }
    }

    static Media parseMedia(String text) {
        List<String> lines = text.lines().toList();
        List<BigDecimal> durations = new ArrayList<>();
        List<String> uris = new ArrayList<>();
        int target = -1;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.startsWith("#EXT-X-TARGETDURATION:")) target = Integer.parseInt(l.substring(22));
            if (l.startsWith("#EXTINF:")) {
                durations.add(new BigDecimal(l.substring(8, l.indexOf(','))));
                String uri = lines.get(i + 1);
                assertFalse(uri.startsWith("#") || uri.isBlank(), "EXTINF at line " + (i + 1) + " is followed by its URI");
                uris.add(uri);
            }
        }
        return new Media(lines, durations, uris, target);
    }

    static Map<String, String> byPath(Presentation p) {
        Map<String, String> m = new LinkedHashMap<>();
        for (HlsPlaylists.Playlist pl : HlsPlaylists.render(p)) m.put(pl.path(), pl.text());
        return m;
    }

    @Test
    void mediaPlaylistsFollowRfc8216AndReferenceTheModelsSegments() {
        Map<String, String> playlists = byPath(presentation(true));
        assertEquals(List.of("video/720p/playlist.m3u8", "video/360p/playlist.m3u8", "audio/playlist.m3u8", "master.m3u8"),
                List.copyOf(playlists.keySet()), "media playlists first, the master last");
        for (String path : List.of("video/720p/playlist.m3u8", "video/360p/playlist.m3u8", "audio/playlist.m3u8")) {
            Media m = parseMedia(playlists.get(path));
            List<String> l = m.lines();
            assertEquals("#EXTM3U", l.get(0), path + ": first line");
            assertTrue(l.contains("#EXT-X-VERSION:7"), path);
            assertTrue(l.contains("#EXT-X-PLAYLIST-TYPE:VOD"), path);
            assertTrue(l.contains("#EXT-X-INDEPENDENT-SEGMENTS"), path);
            assertEquals("#EXT-X-ENDLIST", l.get(l.size() - 1), path + ": complete");
            int map = l.indexOf("#EXT-X-MAP:URI=\"init.mp4\"");
            assertTrue(map > 0 && map < l.indexOf(l.stream().filter(x -> x.startsWith("#EXTINF")).findFirst().orElseThrow()),
                    path + ": the init segment is declared before the first segment");
            assertEquals(1, l.stream().filter(x -> x.startsWith("#EXT-X-VERSION")).count(), path + ": one version tag");

            // every segment the model has, in order, in the playlist's own folder, and nothing else
            boolean audio = path.startsWith("audio/");
            List<Presentation.TimelineRun> timeline = audio ? AUDIO : NTSC;
            long timescale = audio ? 48000 : 30000;
            List<String> expected = new ArrayList<>();
            List<Long> modelDurations = new ArrayList<>();
            for (Presentation.TimelineRun run : timeline) {
                for (int i = 0; i <= run.r(); i++) {
                    expected.add(JobLayout.segmentFile(expected.size() + 1));
                    modelDurations.add(run.d());
                }
            }
            assertEquals(expected, m.uris(), path + ": URIs are the model's segments");
            String folder = path.substring(0, path.lastIndexOf('/') + 1);
            for (int n = 1; n <= expected.size(); n++) {
                String key = folder + m.uris().get(n - 1);
                assertEquals(audio ? "audio/" + JobLayout.segmentFile(n) : JobLayout.videoSegmentPath(path.split("/")[1], n), key,
                        "URI resolves to the key the workers upload");
            }

            // exact durations: each within a microsecond of the timeline, and they add up to the timeline's end
            long endTicks = timeline.get(timeline.size() - 1).t() + (timeline.get(timeline.size() - 1).r() + 1L) * timeline.get(timeline.size() - 1).d();
            for (int i = 0; i < m.durations().size(); i++) {
                assertEquals(modelDurations.get(i) / (double) timescale, m.durations().get(i).doubleValue(), 1e-6, path + " segment " + (i + 1));
            }
            assertEquals(endTicks / (double) timescale, m.total().doubleValue(), 5.01e-7, path + ": durations add up to the timeline (each end rounded to a microsecond)");
            assertEquals(NTSC_SECONDS, m.total().doubleValue(), audio ? 1024 / 48000.0 : 5.01e-7,
                    path + ": durations add up to the presentation's duration");

            // RFC 8216 4.3.3.1: every EXTINF rounded to the nearest integer is at most the target duration
            for (BigDecimal d : m.durations()) {
                assertTrue(d.setScale(0, java.math.RoundingMode.HALF_UP).intValue() <= m.targetDuration(), path + ": " + d);
                assertTrue(d.doubleValue() <= m.targetDuration(), path + ": target duration is the ceiling of the longest segment");
            }
            assertEquals(3, m.targetDuration(), path + ": ceil(2.0053)");
        }
        assertEquals(playlists.get("video/720p/playlist.m3u8"), playlists.get("video/360p/playlist.m3u8"),
                "aligned renditions have the same relative playlist");
    }

    static final Pattern ATTR = Pattern.compile("([A-Z0-9-]+)=(\"[^\"]*\"|[^,]*)");

    static Map<String, String> attributes(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher x = ATTR.matcher(line.substring(line.indexOf(':') + 1));
        while (x.find()) m.put(x.group(1), x.group(2).replace("\"", ""));
        return m;
    }

    @Test
    void masterDeclaresEveryVariantWithPeakAndAverageIncludingAudio() {
        Presentation p = presentation(true);
        Map<String, String> playlists = byPath(p);
        List<String> l = playlists.get("master.m3u8").lines().toList();
        assertEquals("#EXTM3U", l.get(0));
        assertTrue(l.contains("#EXT-X-VERSION:7"));
        assertTrue(l.contains("#EXT-X-INDEPENDENT-SEGMENTS"));
        assertFalse(l.stream().anyMatch(x -> x.startsWith("#EXTINF") || x.startsWith("#EXT-X-TARGETDURATION")), "no media tags in a master");

        List<String> media = l.stream().filter(x -> x.startsWith("#EXT-X-MEDIA:")).toList();
        assertEquals(1, media.size());
        Map<String, String> audio = attributes(media.get(0));
        assertEquals("AUDIO", audio.get("TYPE"));
        assertEquals("audio/playlist.m3u8", audio.get("URI"));
        assertEquals("2", audio.get("CHANNELS"));
        assertTrue(audio.containsKey("NAME") && audio.containsKey("GROUP-ID"));
        assertTrue(playlists.containsKey(audio.get("URI")), "the audio rendition's playlist is published");

        List<Map<String, String>> variants = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            if (!l.get(i).startsWith("#EXT-X-STREAM-INF:")) continue;
            Map<String, String> v = attributes(l.get(i));
            v.put("uri", l.get(i + 1));
            variants.add(v);
        }
        assertEquals(2, variants.size());
        for (int i = 0; i < 2; i++) {
            Presentation.Representation r = p.video().representations().get(i);
            Map<String, String> v = variants.get(i);
            assertEquals(JobLayout.videoPlaylistPath(r.id()), v.get("uri"));
            assertTrue(playlists.containsKey(v.get("uri")), "variant playlist is published");
            assertEquals(r.bandwidth() + 140_000, Long.parseLong(v.get("BANDWIDTH")), "peak of video plus audio");
            long videoAverage = (long) Math.ceil(r.bytes() * 8 / NTSC_SECONDS);
            long audioAverage = (long) Math.ceil(95_000 * 8 / (299499 / 48000.0));
            assertEquals(videoAverage + audioAverage, Long.parseLong(v.get("AVERAGE-BANDWIDTH")), 1, "average of video plus audio");
            assertEquals(r.codecs() + ",mp4a.40.2", v.get("CODECS"));
            assertEquals(r.width() + "x" + r.height(), v.get("RESOLUTION"));
            assertEquals("29.970", v.get("FRAME-RATE"));
            assertEquals(audio.get("GROUP-ID"), v.get("AUDIO"), "the variant plays with the audio group");
        }
    }

    @Test
    void masterWithoutAudioHasNoAudioGroup() {
        Map<String, String> playlists = byPath(presentation(false));
        assertEquals(List.of("video/720p/playlist.m3u8", "video/360p/playlist.m3u8", "master.m3u8"), List.copyOf(playlists.keySet()));
        String master = playlists.get("master.m3u8");
        assertFalse(master.contains("EXT-X-MEDIA") || master.contains("AUDIO=") || master.contains("mp4a"), master);
        assertTrue(master.contains("BANDWIDTH=3000000,AVERAGE-BANDWIDTH="), master);
        assertTrue(master.contains("CODECS=\"avc1.64001f\",RESOLUTION=1280x720,FRAME-RATE=29.970\n"), master);
    }

    @Test
    void targetDurationIsTheLongestSegmentRoundedUp() {
        assertEquals(2, HlsPlaylists.targetDurationSeconds(30, 60));
        assertEquals(3, HlsPlaylists.targetDurationSeconds(30000, 60060));
        assertEquals(1, HlsPlaylists.targetDurationSeconds(30, 12), "never below 1");
        assertEquals(6, HlsPlaylists.targetDurationSeconds(25, 150));
    }
}
