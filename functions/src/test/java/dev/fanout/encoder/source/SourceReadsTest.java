package dev.fanout.encoder.source;

import dev.fanout.encoder.errors.PipelineException;
import dev.fanout.encoder.model.SourceRef;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How an S3 answer to the source server becomes the stage's error. */
class SourceReadsTest {
    static final SourceRef SOURCE = new SourceRef("input", "uploads/a.mp4", "0123abcd", 1000);

    static PipelineException errorFor(int status, String code) {
        SourceReads reads = new SourceReads(10, 1, new SourceReads.Failure(SourceReads.kindOf(status), status, code, 10, "x"));
        return reads.error(SOURCE, "encoding chunk 3");
    }

    @Test
    void onlyThrottling5xxAndNoAnswerAreWorthARetry() {
        PipelineException changed = errorFor(412, "PreconditionFailed");
        assertEquals("InvalidInput.SourceChanged", changed.errorName());
        assertFalse(changed.retryable());
        assertTrue(changed.detail().contains("ETag 0123abcd") && changed.detail().contains("encoded by its own job"), changed.detail());
        assertEquals("InvalidInput.Missing", errorFor(404, "NoSuchKey").errorName());
        PipelineException denied = errorFor(403, "AccessDenied");
        assertEquals("Source.AccessDenied", denied.errorName());
        assertFalse(denied.retryable());
        assertTrue(denied.detail().contains("s3:GetObject"), denied.detail());
        assertEquals("Source.ReadRejected", errorFor(400, "InvalidArgument").errorName());
        for (int status : new int[] {0, 408, 429, 500, 503}) {
            PipelineException e = errorFor(status, "SlowDown");
            assertEquals("Transient.SourceRead", e.errorName(), "status " + status);
            assertTrue(e.retryable());
            assertTrue(e.detail().contains("at byte 10") && e.detail().startsWith("encoding chunk 3"), e.detail());
        }
        assertNull(new SourceReads(1000, 3, null).error(SOURCE, "x"), "clean reads: no error");
    }
}
