package dev.fanout.encoder.player;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.fanout.encoder.manifest.Presentation;
import dev.fanout.encoder.model.JobRecord;
import dev.fanout.encoder.model.ThumbnailsOutput;
import dev.fanout.encoder.model.VideoCodec;
import dev.fanout.encoder.storage.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The job's {@code index.html}: plays the presentation with a well-known open-source player
 * (dash.js or Shaka Player on the MPD, hls.js on the HLS playlist; {@code ?player=dashjs|shaka|hls})
 * and lets the viewer pick a codec ({@code ?codec=h264|hevc|av1}; by default the first of the
 * ladder the browser can decode), and a rendition of it or Auto; it says which codec is playing. When the thumbnail stage succeeded, a seek bar
 * under the video previews the tile of its WebVTT thumbnail track for the time under the pointer
 * (docs/thumbnails.md); the page parses the track itself, so this works with every player.
 *
 * <p>The page is one small file beside the manifest. It loads its player from a public JS CDN at
 * a pinned version, with a Subresource Integrity hash of the npm package's file, so the browser
 * runs exactly those bytes or nothing; the output bucket stays private and holds no copies of the
 * libraries. The browser test serves the same URLs from the installed npm files, which proves the
 * hashes. Pure: the same input always gives the same text.
 *
 * @param title       shown as the page title (the job id)
 * @param dashManifest the MPD, relative to the page
 * @param hlsPlaylist  the HLS master playlist relative to the page, or null when the job has none
 * @param poster       the poster image relative to the page, or null when the job has none
 * @param thumbnailTrack the WebVTT thumbnail track relative to the page, or null when the job has none
 * @param renditions   the video renditions, best first, as the quality menu lists them
 * @param audio        the audio renditions in the MPD's order, as the audio menu lists them
 * @param subtitles    the subtitle tracks, as the subtitles menu lists them after "Off" (empty: no menu)
 */
public record PlayerPage(String title, String dashManifest, String hlsPlaylist, String poster, String thumbnailTrack,
                         List<Rendition> renditions, List<Audio> audio, List<Subtitles> subtitles) {

    /** A page without subtitles. */
    public PlayerPage(String title, String dashManifest, String hlsPlaylist, String poster, String thumbnailTrack,
                      List<Rendition> renditions, List<Audio> audio) {
        this(title, dashManifest, hlsPlaylist, poster, thumbnailTrack, renditions, audio, List.of());
    }

    /** A choice in the subtitles menu; each player's track is found by language and label (as both manifests name them). */
    public record Subtitles(String id, String language, String label) {}

    /** A page whose job has at most one audio track (no audio menu). */
    public PlayerPage(String title, String dashManifest, String hlsPlaylist, String poster, String thumbnailTrack, List<Rendition> renditions) {
        this(title, dashManifest, hlsPlaylist, poster, thumbnailTrack, renditions, List.of());
    }

    public PlayerPage {
        audio = audio == null ? List.of() : List.copyOf(audio);
        subtitles = subtitles == null ? List.of() : List.copyOf(subtitles);
    }

    /** A choice in the audio menu (shown with two or more): the player's track is found by its MPD set, label or HLS NAME. */
    public record Audio(String id, String language, String name, boolean main) {}

    /**
     * A choice in the quality menu; the player's matching track is found by id or picture size and
     * codecs string. {@code codec} is the ladder's codec id (h264, hevc, av1): the page offers one
     * codec's renditions at a time ({@code ?codec=}, else the first the browser can decode).
     */
    public record Rendition(String id, int width, int height, long bandwidth, String codec, String codecs) {
        public Rendition(String id, int width, int height, long bandwidth) {
            this(id, width, height, bandwidth, VideoCodec.H264.id, "");
        }
    }

    /** How the page names each codec. */
    static final Map<String, String> CODEC_LABELS = Map.of(VideoCodec.H264.id, "H.264", VideoCodec.HEVC.id, "HEVC", VideoCodec.AV1.id, "AV1");

    /** A player script at a pinned npm version, fetched from the CDN's copy of the npm package. */
    public record Library(String key, String label, String npmPackage, String version, String file, String integrity) {
        public String url() { return CDN_NPM_BASE + npmPackage + "@" + version + "/" + file; }
    }

    /** The CDN serves npm package files unchanged under this path: {@code <base><package>@<version>/<file>}. */
    public static final String CDN_NPM_BASE = "https://cdn.jsdelivr.net/npm/";

    public static final Library DASHJS = new Library("dashjs", "dash.js", "dashjs", "5.2.1",
            "dist/modern/umd/dash.all.min.js", "sha384-NwbBGevMmVf2Lv50ZqQWLZ0dLH69dxVHYeS+8t54klP9odovQ2+Ms0J4SWfKzPkr");
    public static final Library SHAKA = new Library("shaka", "Shaka Player", "shaka-player", "5.2.12",
            "dist/shaka-player.compiled.js", "sha384-dC+HTy8lAr0Y9PZngIX8OfKQQ3JnR04Xs2ut3jQ1jxUXT1TZ23BTbPbTjM2cj4H0");
    public static final Library HLSJS = new Library("hls", "hls.js", "hls.js", "1.7.4",
            "dist/hls.min.js", "sha384-p9vgU/7IYJWd3I4STrtqxqR/2cAQlhIX7D/HrTnIMEjjcUox165b7se7sxmm3zDg");
    public static final List<Library> LIBRARIES = List.of(DASHJS, SHAKA, HLSJS);

    private static final String TEMPLATE = loadTemplate();

    /**
     * The page for a packaged presentation, beside it under {@code outputPrefix}; renditions in the
     * presentation's order. The poster when the job has one, the thumbnail previews only when the
     * sprite sheets were made (otherwise no seek bar).
     */
    public static PlayerPage of(String jobId, Presentation p, String dashManifest, String hlsPlaylist,
                                ThumbnailsOutput thumbnails, String outputPrefix) {
        List<Rendition> renditions = p.video().representations().stream()
                .map(r -> new Rendition(r.id(), r.width(), r.height(), r.bandwidth(), r.codec().id, r.codecs())).toList();
        boolean made = JobRecord.SUCCEEDED.equals(thumbnails.status());
        String poster = thumbnails.poster() != null ? relative(thumbnails.poster().key(), outputPrefix) : null;
        String track = made && thumbnails.sprites() != null ? relative(thumbnails.sprites().track(), outputPrefix) : null;
        List<Audio> audio = p.audio().stream().map(a -> new Audio(a.id(), a.language(), a.name(), a.main())).toList();
        List<Subtitles> subtitles = p.text().stream().map(t -> new Subtitles(t.id(), t.language(), t.label())).toList();
        return new PlayerPage(jobId, dashManifest, hlsPlaylist, poster, track, renditions, audio, subtitles);
    }

    private static String relative(String key, String outputPrefix) {
        if (!key.startsWith(outputPrefix)) {
            throw new IllegalArgumentException(key + " is not under the job's output folder " + outputPrefix);
        }
        return key.substring(outputPrefix.length());
    }

    public String render() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("dash", dashManifest);
        config.put("hls", hlsPlaylist);
        config.put("thumbnails", thumbnailTrack);
        config.put("renditions", renditions);
        config.put("codecLabels", new java.util.TreeMap<>(CODEC_LABELS));
        config.put("audio", audio);
        config.put("subtitles", subtitles);
        Map<String, Object> players = new LinkedHashMap<>();
        for (Library l : LIBRARIES) {
            players.put(l.key(), Map.of("label", l.label(), "version", l.version(), "src", l.url(), "integrity", l.integrity()));
        }
        config.put("players", players);
        return TEMPLATE
                .replace("{{TITLE}}", html(title))
                .replace("{{POSTER}}", poster == null ? "" : " poster=\"" + html(poster) + "\"")
                .replace("{{CONFIG}}", scriptJson(config));
    }

    private static String scriptJson(Object value) {
        try {
            // "<" escaped so no value can close the script element
            return Json.MAPPER.writeValueAsString(value).replace("<", "\\u003c");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String loadTemplate() {
        try (InputStream in = PlayerPage.class.getResourceAsStream("player-page.html")) {
            if (in == null) throw new IllegalStateException("player-page.html missing from the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
