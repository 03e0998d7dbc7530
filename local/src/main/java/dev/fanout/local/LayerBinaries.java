package dev.fanout.local;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The ffmpeg and ffprobe built by {@code layers/ffmpeg/Makefile} for this machine — the same
 * binaries the Lambda layer ships. Found through the {@code fanout.layerDir} system property,
 * the {@code FANOUT_LAYER_DIR} variable, or {@code layers/ffmpeg} above the working directory.
 */
public record LayerBinaries(Path ffmpeg, Path ffprobe) {

    public static LayerBinaries locate() {
        String configured = System.getProperty("fanout.layerDir", System.getenv("FANOUT_LAYER_DIR"));
        Path layerDir = configured != null ? Path.of(configured) : search();
        String arch = switch (System.getProperty("os.arch")) {
            case "aarch64", "arm64" -> "arm64";
            default -> "x86_64";
        };
        Path bin = layerDir.resolve("build").resolve(arch).resolve("bin");
        LayerBinaries b = new LayerBinaries(bin.resolve("ffmpeg").toAbsolutePath(), bin.resolve("ffprobe").toAbsolutePath());
        if (!Files.isExecutable(b.ffmpeg()) || !Files.isExecutable(b.ffprobe())) {
            throw new IllegalStateException("ffmpeg/ffprobe not found in " + bin.toAbsolutePath()
                    + "; build the layer first: make -C layers/ffmpeg");
        }
        return b;
    }

    private static Path search() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("layers").resolve("ffmpeg");
            if (Files.isRegularFile(candidate.resolve("Makefile"))) return candidate;
        }
        throw new IllegalStateException("cannot find layers/ffmpeg; run from the project folder or set FANOUT_LAYER_DIR");
    }
}
