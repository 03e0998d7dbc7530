package dev.fanout.integration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Whether a Docker engine answers, asked the way LocalStack's tooling asks it: through the docker
 * CLI, with this process's environment (DOCKER_HOST, contexts). A CLI without an engine behind it
 * — these build machines — is "not reachable", with the CLI's own words as the reason.
 */
public record DockerEngine(boolean reachable, String detail) {

    /** Runs a command; returns exit code, stdout and stderr. */
    @FunctionalInterface
    public interface Cli {
        Output run(List<String> command) throws IOException, InterruptedException;
    }

    public record Output(int exitCode, String stdout, String stderr) {}

    static final List<String> INFO = List.of("docker", "info", "--format", "{{.ServerVersion}}");

    public static DockerEngine probe() {
        return probe(DockerEngine::runWithTimeout);
    }

    public static DockerEngine probe(Cli cli) {
        Output out;
        try {
            out = cli.run(INFO);
        } catch (IOException e) {
            return new DockerEngine(false, "docker CLI not runnable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new DockerEngine(false, "interrupted while asking docker");
        }
        String version = out.stdout().strip();
        if (out.exitCode() == 0 && !version.isEmpty() && !version.contains("<no value>")) {
            return new DockerEngine(true, "Docker engine " + version);
        }
        String reason = lastLine(out.stderr());
        if (reason.isEmpty()) reason = lastLine(out.stdout());
        return new DockerEngine(false, "`docker info` exit " + out.exitCode() + (reason.isEmpty() ? "" : ": " + reason));
    }

    private static String lastLine(String text) {
        List<String> lines = text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private static Output runWithTimeout(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        var stdout = p.getInputStream();
        var stderr = p.getErrorStream();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Output(-1, "", "no answer within 30 s");
        }
        return new Output(p.exitValue(), new String(stdout.readAllBytes(), StandardCharsets.UTF_8),
                new String(stderr.readAllBytes(), StandardCharsets.UTF_8));
    }
}
