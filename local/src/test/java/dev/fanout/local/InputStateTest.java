package dev.fanout.local;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The "input object unchanged" check of the end-to-end tests ({@link PipelineFixture#inputState})
 * against the store itself: a rewrite of an upload with the very same bytes keeps its SHA-256 and
 * ETag (what the check compared before), and must still be seen, within the same second too.
 */
class InputStateTest extends PipelineTestBase {
    @Test
    void aRewriteWithTheSameBytesIsSeen() throws Exception {
        Path file = Files.write(dir.resolve("upload.mp4"), "not really a movie, but bytes".getBytes());
        fx.upload(file, "uploads/same.mp4");
        PipelineFixture.InputState before = fx.inputState("uploads/same.mp4");
        assertEquals(PipelineFixture.UPLOAD_METADATA, before.metadata());

        // the same bytes, content type and metadata, written again at once
        fx.store.client().putObject(b -> b.bucket(PipelineFixture.INPUT).key("uploads/same.mp4").contentType("video/mp4")
                .metadata(PipelineFixture.UPLOAD_METADATA), RequestBody.fromFile(file));
        PipelineFixture.InputState after = fx.inputState("uploads/same.mp4");
        assertEquals(before.sha256(), after.sha256(), "same bytes: the digest alone cannot see the rewrite");
        assertEquals(before.eTag(), after.eTag(), "same bytes: nor can the ETag");
        assertNotEquals(before, after, "the rewrite is seen");
        assertNotEquals(before.lastModified(), after.lastModified(), "by its LastModified time");

        // written again the way a copy would, without the upload's metadata
        fx.store.upload(file, PipelineFixture.INPUT, "uploads/same.mp4", "video/mp4");
        assertNotEquals(after.metadata(), fx.inputState("uploads/same.mp4").metadata(), "a rewrite that drops the metadata is seen by it");
    }
}
