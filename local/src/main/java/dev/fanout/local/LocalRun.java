package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.model.JobLayout;
import dev.fanout.encoder.storage.Json;
import dev.fanout.encoder.storage.ObjectStore;
import dev.fanout.local.asl.StateMachineExecutor;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The local run: encodes an MP4 (or a generated sample) to MPEG-DASH on this machine by executing
 * the deployed state machine definition (statemachine/, bound through template.yaml) over the
 * Lambda handlers, an embedded S3-compatible store and the shipped ffmpeg, and copies the result
 * into a folder.
 *
 * <pre>
 * java -jar local/target/fanout-local.jar [input.mp4] [--out DIR] [--ladder 1080@6000,720@3500]
 *      [--segment-seconds 2] [--chunk-seconds 10] [--preset veryfast] [--quality 23] [--metadata KEY=VALUE]... [--jobs N] [--play]
 * java -jar local/target/fanout-local.jar --serve out/&lt;jobId&gt; [--port 8080]
 * </pre>
 * {@code --play} serves the finished job's folder (its player page) like {@code --serve} does.
 */
public final class LocalRun {
    static final String INPUT_BUCKET = "input";
    static final String OUTPUT_BUCKET = "output";
    static final int DEFAULT_PORT = 8080;

    /** "none", "AAC", or with several tracks "AAC, 2 tracks (eng, deu)". */
    static String audioSummary(JsonNode tracks) {
        if (!tracks.isArray() || tracks.isEmpty()) return "none";
        if (tracks.size() == 1) return "AAC";
        return "AAC, " + tracks.size() + " tracks (" + String.join(", ", tracks.findValuesAsText("language")) + ")";
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    static int run(String[] args) throws Exception {
        Map<String, String> settings = new HashMap<>();
        Map<String, String> metadata = new java.util.LinkedHashMap<>();
        Path input = null;
        Path out = Path.of("out");
        int jobs = Runtime.getRuntime().availableProcessors();
        Path serve = null;
        boolean play = false;
        int port = DEFAULT_PORT;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--out" -> out = Path.of(args[++i]);
                case "--ladder" -> settings.put("LADDER", args[++i]);
                case "--segment-seconds" -> settings.put("SEGMENT_SECONDS", args[++i]);
                case "--chunk-seconds" -> settings.put("CHUNK_SECONDS", args[++i]);
                case "--preset" -> settings.put("X264_PRESET", args[++i]);
                case "--quality" -> settings.put("QUALITY", args[++i]);
                case "--metadata" -> {
                    // one user-metadata pair on the upload, as `aws s3 cp --metadata` would put it (README: Settings per upload)
                    String pair = args[++i];
                    int eq = pair.indexOf('=');
                    if (eq <= 0) { System.err.println("--metadata takes KEY=VALUE, not '" + pair + "'"); usage(); return 64; }
                    metadata.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
                case "--jobs" -> jobs = Integer.parseInt(args[++i]);
                case "--serve" -> serve = Path.of(args[++i]);
                case "--play" -> play = true;
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "-h", "--help" -> { usage(); return 0; }
                default -> {
                    if (a.startsWith("-")) { System.err.println("unknown option " + a); usage(); return 64; }
                    input = Path.of(a);
                }
            }
        }
        if (serve != null) return serve(serve, port);
        LayerBinaries bin = LayerBinaries.locate();
        Path scratch = Files.createTempDirectory("fanout-local-");
        Path serveAfterRun;
        try {
            if (input == null) {
                input = scratch.resolve("sample-1080p30.mp4");
                System.out.println("No input given: generating a 12 s 1920x1080 30 fps sample clip with the shipped ffmpeg...");
                SampleClip.of(1920, 1080, "30", 12).writeTo(bin.ffmpeg(), input);
            }
            if (!Files.isRegularFile(input)) {
                System.err.println("input file not found: " + input);
                return 66;
            }
            try (LocalS3 s3 = LocalS3.start(scratch.resolve("s3"))) {
                s3.createBucket(INPUT_BUCKET);
                s3.createBucket(OUTPUT_BUCKET);
                ObjectStore store = s3.objectStore();
                String key = "uploads/" + input.getFileName();
                Path source = input;
                store.client().putObject(b -> b.bucket(INPUT_BUCKET).key(key).contentType("video/mp4").metadata(metadata),
                        software.amazon.awssdk.core.sync.RequestBody.fromFile(source));

                Map<String, String> env = new HashMap<>(s3.clientEnv());
                env.putAll(settings);
                env.put("OUTPUT_BUCKET", OUTPUT_BUCKET);
                env.put("FFMPEG_PATH", bin.ffmpeg().toString());
                env.put("FFPROBE_PATH", bin.ffprobe().toString());
                env.put("WORK_DIR", scratch.resolve("work").toString());

                System.out.printf(Locale.ROOT, "Encoding %s (%,d bytes) with the state machine of %s, %d chunk workers at a time%n",
                        input, Files.size(input), LocalStateMachine.findTemplate(), jobs);
                // the functions reach the store through the IAM policy proxy of LocalStateMachine (template.yaml's S3 permissions)
                try (LocalStateMachine machine = new LocalStateMachine(LocalStateMachine.findTemplate(), env, jobs, 1.0, new StateMachineExecutor.Listener() {
                    @Override
                    public void stateEntered(String state) {
                        if (!state.equals("Encode chunk")) System.out.println("> " + state);
                    }

                    @Override
                    public void retrying(String state, String error, int attempt, java.time.Duration wait) {
                        System.out.printf(Locale.ROOT, "  %s: %s, retry %d in %.1f s%n", state, error, attempt, wait.toMillis() / 1000.0);
                    }

                    @Override
                    public void mapItemDone(String state, int done, int total) {
                        System.out.printf("  chunks %d/%d done%n", done, total);
                    }
                })) {
                    LocalStateMachine.Outcome outcome = machine.run(INPUT_BUCKET, key);
                    Path jobDir = out.resolve(outcome.jobId());
                    downloadJob(store, outcome.jobId(), jobDir);
                    for (LocalEventBus.Event e : machine.events().events()) {
                        System.out.println("Event to bus '" + e.busName() + "': " + e.detailType() + " " + e.detail());
                    }
                    int status = summarize(outcome, jobDir);
                    if (status != 0 || !play) return status;
                    serveAfterRun = jobDir;
                }
            }
        } finally {
            deleteTree(scratch);
        }
        return serve(serveAfterRun, port);
    }

    /** Serves a job's output folder on 127.0.0.1 until the process is stopped. */
    static int serve(Path folder, int port) throws Exception {
        if (!Files.isDirectory(folder)) {
            System.err.println("not a folder: " + folder);
            return 66;
        }
        OutputServer server;
        try {
            server = OutputServer.start(folder, port);
        } catch (java.net.BindException e) {
            System.err.println("port " + port + " on 127.0.0.1 is in use; choose another with --port N (0: any free port)");
            return 75;
        }
        String url = server.url().toString();
        System.out.println();
        System.out.println("Serving " + server.root() + " on 127.0.0.1 only (Ctrl-C to stop)");
        if (Files.isRegularFile(folder.resolve("index.html"))) {
            String players = Files.isRegularFile(folder.resolve("master.m3u8")) ? "dashjs|shaka|hls" : "dashjs|shaka";
            System.out.printf("  %-13s %s   (?player=%s)%n", "player page", url, players);
        } else {
            System.out.println("  (no index.html in this folder: a failed job, or one encoded before the page existed)");
        }
        for (String file : new String[] {"manifest.mpd", "master.m3u8", "job.json"}) {
            if (Files.isRegularFile(folder.resolve(file))) System.out.printf("  %-13s %s%s%n", file, url, file);
        }
        Thread.currentThread().join();
        return 0;
    }

    static void downloadJob(ObjectStore store, String jobId, Path jobDir) throws Exception {
        String prefix = JobLayout.of(OUTPUT_BUCKET, jobId).outputPrefix();
        deleteTree(jobDir);
        for (S3Object o : store.list(OUTPUT_BUCKET, prefix)) {
            store.download(OUTPUT_BUCKET, o.key(), jobDir.resolve(o.key().substring(prefix.length())));
        }
    }

    private static int summarize(LocalStateMachine.Outcome outcome, Path jobDir) throws Exception {
        JsonNode job = Json.MAPPER.readTree(jobDir.resolve("job.json").toFile());
        if (!outcome.succeeded()) {
            System.out.println();
            System.out.println("FAILED  " + job.path("error").path("error").asText());
            System.out.println("        " + job.path("error").path("reason").asText());
            System.out.println("Job record: " + jobDir.resolve("job.json").toAbsolutePath());
            return 2;
        }
        double wall = outcome.wall().toNanos() / 1e9;
        double duration = job.path("durationSeconds").asDouble();
        System.out.println();
        System.out.println("Done: " + jobDir.resolve("manifest.mpd").toAbsolutePath());
        for (JsonNode r : job.path("ladder")) {
            System.out.printf(Locale.ROOT, "  %-6s %5dx%-5d %-12s %,8d kbit/s peak  %,12d bytes%n", r.path("id").asText(),
                    r.path("width").asInt(), r.path("height").asInt(), r.path("codecs").asText(), r.path("bandwidth").asLong() / 1000, r.path("bytes").asLong());
        }
        System.out.printf(Locale.ROOT, "  chunks %d, segments %d per rendition, audio %s%n", job.path("chunkCount").asInt(),
                job.path("segmentCount").asInt(), audioSummary(job.path("source").path("audio")));
        JsonNode thumbs = job.path("thumbnails");
        if (thumbs.path("status").asText().equals("SUCCEEDED")) {
            JsonNode sp = thumbs.path("sprites");
            System.out.printf(Locale.ROOT, "  thumbnails %d tiles (one every %d s) in %d sheet(s), poster %dx%d, %.1f s%n", sp.path("tileCount").asInt(),
                    sp.path("intervalSeconds").asInt(), sp.path("sheets").size(), thumbs.path("poster").path("width").asInt(),
                    thumbs.path("poster").path("height").asInt(), thumbs.path("seconds").asDouble());
        } else if (!thumbs.isMissingNode()) {
            System.out.println("  thumbnails FAILED " + thumbs.path("error").path("error").asText() + ": " + thumbs.path("error").path("reason").asText());
        }
        System.out.printf(Locale.ROOT, "  wall %.1f s for %.1f s of video (%.2fx real time), output %,d bytes%n",
                wall, duration, duration / wall, job.path("outputs").path("totalBytes").asLong());
        printTimings(job.path("timings"));
        return 0;
    }

    /** job.json's per-stage timings, and the critical path: the wall time with a worker for every invocation. */
    static void printTimings(JsonNode timings) {
        System.out.printf(Locale.ROOT, "  %-12s %11s %9s %9s%n", "stage", "invocations", "total s", "max s");
        timings.path("stages").fields().forEachRemaining(e -> System.out.printf(Locale.ROOT, "  %-12s %11d %9.2f %9.2f%n", e.getKey(),
                e.getValue().path("invocations").asInt(), e.getValue().path("totalSeconds").asDouble(), e.getValue().path("maxSeconds").asDouble()));
        System.out.printf(Locale.ROOT, "  critical path %.1f s (probe + slowest chunk invocation + package), job wall %.1f s%n",
                timings.path("criticalPathSeconds").asDouble(), timings.path("wallSeconds").asDouble());
    }

    private static void usage() {
        System.out.println("usage: run-local [input.mp4] [--out DIR] [--ladder 1080@6000,720@3500,...] [--segment-seconds S]"
                + " [--chunk-seconds S] [--preset P] [--quality N] [--metadata KEY=VALUE]... [--jobs N] [--play] [--port N]");
        System.out.println("       run-local --serve out/<jobId> [--port N]     serve a job's folder (player page) on 127.0.0.1");
    }

    static void deleteTree(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
