package dev.fanout.local;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The base of an end-to-end test class whose tests run jobs through one {@link PipelineFixture}:
 * the fixture in a folder of the class's own, started before the class's first test and closed
 * after its last, and the output checks on the fixture's ffmpeg and ffprobe.
 *
 * <p>One test instance per class, so that these are instance fields: every subclass has its own
 * fixture (static fields in a base class would be one for all subclasses).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PipelineTestBase {
    /** The fixture's folder (its store, work files and job output), also for a test's own files; removed after the class. */
    Path dir;
    PipelineFixture fx;
    MediaProbe probe;
    DashOutputCheck check;

    /** A parameter, not a field: JUnit makes it before this method and removes it after the class's last {@code @AfterAll}. */
    @BeforeAll
    void startPipeline(@TempDir Path dir) throws Exception {
        this.dir = dir;
        fx = new PipelineFixture(dir);
        probe = new MediaProbe(fx.bin);
        check = new DashOutputCheck(probe);
    }

    @AfterAll
    void stopPipeline() throws Exception {
        if (fx != null) fx.close(); // null when the fixture did not start: its error is the one to see
    }
}
