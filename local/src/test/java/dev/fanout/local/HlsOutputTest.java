package dev.fanout.local;

import dev.fanout.encoder.model.JobLayout;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HLS over the same CMAF segments as the DASH manifest: the output bucket is served over HTTP on
 * 127.0.0.1 (as a CDN would serve it) and ffprobe and the layer's ffmpeg read master.m3u8 and every
 * media playlist through their hls demuxer. They must see exactly the source's frames on its
 * timeline, audio alongside, and every URI in every playlist must be an object in the bucket.
 */
class HlsOutputTest extends PipelineTestBase {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final double AAC_FRAME_SECONDS = 1024 / 48000.0;

    @Test
    void masterAndMediaPlaylistsPlayTheSourceFromTheBucketOverHttp() throws Exception {
        // 29.97 fps, 9 s: four 60-frame segments and a 30-frame tail, in three chunks
        Path src = fx.generate("ntsc.mp4", SampleClip.of(640, 360, "30000/1001", 9));
        fx.upload(src, "uploads/ntsc.mp4");
        PipelineFixture.Job job = fx.run("uploads/ntsc.mp4", Map.of("LADDER", "360@800,240@400", "SEGMENT_SECONDS", "2", "CHUNK_SECONDS", "4"));
        assertTrue(job.outcome().succeeded(), () -> "job failed: " + job.outcome().result());
        long frames = Long.parseLong(probe.streamField(src, "v", "nb_frames"));
        assertEquals(270, frames);
        int segments = job.record().path("segmentCount").asInt();
        assertEquals(5, segments);

        JobLayout layout = JobLayout.of(PipelineFixture.OUTPUT, job.outcome().jobId());
        assertEquals(layout.masterPlaylistKey(), job.record().path("outputs").path("masterPlaylist").asText(), "job.json names the master playlist");
        Set<String> keys = fx.store.list(PipelineFixture.OUTPUT, layout.outputPrefix()).stream().map(S3Object::key).collect(Collectors.toSet());

        try (BucketHttpServer server = new BucketHttpServer(fx.store, PipelineFixture.OUTPUT)) {
            // every URI of every playlist resolves to an object in the bucket
            String masterKey = layout.masterPlaylistKey();
            Map<String, String> mediaPlaylists = new LinkedHashMap<>(); // key -> type
            for (Uri u : uris(get(server.url(masterKey)))) {
                String key = resolve(masterKey, u.uri());
                assertTrue(keys.contains(key), "master.m3u8 references " + u.uri() + ", which is not in the bucket");
                mediaPlaylists.put(key, u.tag().startsWith("#EXT-X-MEDIA") ? "audio" : "video");
            }
            assertEquals(3, mediaPlaylists.size(), "two video variants and the audio rendition: " + mediaPlaylists);
            double sourceSeconds = frames * 1001 / 30000.0;
            for (String playlistKey : mediaPlaylists.keySet()) {
                String text = get(server.url(playlistKey));
                List<Uri> refs = uris(text);
                assertEquals("#EXT-X-MAP", refs.get(0).tag(), playlistKey + " starts with its init segment");
                assertEquals(segments, refs.size() - 1, playlistKey + " lists every segment");
                for (Uri u : refs) {
                    String key = resolve(playlistKey, u.uri());
                    assertTrue(keys.contains(key), playlistKey + " references " + u.uri() + ", which is not in the bucket");
                }
                BigDecimal total = text.lines().filter(l -> l.startsWith("#EXTINF:"))
                        .map(l -> new BigDecimal(l.substring(8, l.indexOf(',')))).reduce(BigDecimal.ZERO, BigDecimal::add);
                assertEquals(sourceSeconds, total.doubleValue(), mediaPlaylists.get(playlistKey).equals("audio") ? AAC_FRAME_SECONDS : 1e-6,
                        playlistKey + ": EXTINF durations add up to the source's duration");
            }

            // ffprobe through the master: both variants and the audio, every frame on the source's timeline
            List<MediaProbe.StreamFrames> streams = probe.framesPerStream(MediaProbe.hlsInput(server.url(masterKey)));
            List<MediaProbe.StreamFrames> video = streams.stream().filter(s -> s.type().equals("video")).toList();
            assertEquals(Set.of("640x360", "426x240"), video.stream().map(s -> s.width() + "x" + s.height()).collect(Collectors.toSet()));
            for (MediaProbe.StreamFrames v : video) assertSourceTimeline("master.m3u8 " + v.width() + "x" + v.height(), v, frames);
            List<MediaProbe.StreamFrames> audio = streams.stream().filter(s -> s.type().equals("audio")).toList();
            assertEquals(1, audio.size(), "one audio rendition shared by both variants");
            assertAudioWithVideo("master.m3u8 audio", audio.get(0), sourceSeconds);
            assertEquals(frames, probe.decodedFrames(MediaProbe.hlsInput(server.url(masterKey)), "0:v:0").size(),
                    "ffmpeg 4.4 plays the master's first variant to the end");

            // each media playlist alone: ffprobe for exact timestamps, the shipped ffmpeg 4.4 for a clean decode
            for (Map.Entry<String, String> e : mediaPlaylists.entrySet()) {
                List<String> input = MediaProbe.hlsInput(server.url(e.getKey()));
                List<MediaProbe.StreamFrames> only = probe.framesPerStream(input);
                assertEquals(1, only.size(), e.getKey() + " holds one stream");
                if (e.getValue().equals("video")) {
                    assertSourceTimeline(e.getKey(), only.get(0), frames);
                    assertEquals(frames, probe.decodedFrames(input, "0:v:0").size(), e.getKey() + ": ffmpeg 4.4 decodes every frame");
                } else {
                    assertAudioWithVideo(e.getKey(), only.get(0), sourceSeconds);
                    assertEquals(only.get(0).pts().size(), probe.decodedFrames(input, "0:a:0").size(), e.getKey() + ": ffmpeg 4.4 decodes every frame");
                }
            }
            List<BucketHttpServer.Request> missing = server.requests().stream().filter(r -> r.status() != 200).toList();
            assertEquals(List.of(), missing, "the players asked only for objects that exist");
            assertTrue(server.requests().stream().anyMatch(r -> r.key().endsWith("/seg-00005.m4s")), "the players fetched segments from the bucket");
        }
    }

    private static void assertSourceTimeline(String what, MediaProbe.StreamFrames v, long frames) {
        assertEquals(0, (v.timeBaseDen() * 1001) % 30000, what + ": time base holds whole frames");
        long step = v.timeBaseDen() * 1001 / 30000;
        assertEquals(frames, v.pts().size(), what + " has exactly the source's frame count");
        for (int i = 0; i < v.pts().size(); i++) {
            assertEquals(i * step, (long) v.pts().get(i), what + " frame " + i + " is at the source frame's time");
        }
    }

    private static void assertAudioWithVideo(String what, MediaProbe.StreamFrames a, double videoSeconds) {
        assertTrue(a.pts().size() > 100, what + " has audio frames");
        double start = (double) a.pts().get(0) / a.timeBaseDen();
        double end = (double) a.pts().get(a.pts().size() - 1) / a.timeBaseDen() + AAC_FRAME_SECONDS;
        assertEquals(0, start, AAC_FRAME_SECONDS, what + " starts with the video");
        assertEquals(videoSeconds, end, AAC_FRAME_SECONDS + 1e-6, what + " ends within one AAC frame of the video");
    }

    /** A URI in a playlist and the tag that carries it ({@code #EXTINF}, {@code #EXT-X-MAP}, {@code #EXT-X-STREAM-INF}, {@code #EXT-X-MEDIA}). */
    record Uri(String tag, String uri) {}

    private static final Pattern URI_ATTRIBUTE = Pattern.compile("URI=\"([^\"]+)\"");

    static List<Uri> uris(String playlist) {
        List<Uri> out = new ArrayList<>();
        String previousTag = "";
        for (String line : playlist.lines().toList()) {
            if (line.isBlank()) continue;
            if (line.startsWith("#")) {
                Matcher m = URI_ATTRIBUTE.matcher(line);
                if (m.find()) out.add(new Uri(line.substring(0, line.indexOf(':')), m.group(1)));
                previousTag = line.contains(":") ? line.substring(0, line.indexOf(':')) : line;
            } else {
                out.add(new Uri(previousTag, line));
            }
        }
        return out;
    }

    /** Resolves a playlist URI against the playlist's own key, as a player does against its URL. */
    static String resolve(String playlistKey, String uri) {
        assertTrue(!URI.create(uri).isAbsolute() && !uri.startsWith("/"), "relative URI: " + uri);
        return URI.create("/" + playlistKey).resolve(uri).getPath().substring(1);
    }

    static String get(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url);
        assertEquals("application/vnd.apple.mpegurl", r.headers().firstValue("Content-Type").orElse(""), url + " content type");
        return r.body();
    }
}
