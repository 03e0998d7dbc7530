package dev.fanout.encoder.source;

import dev.fanout.encoder.errors.InvalidInputException;
import dev.fanout.encoder.errors.PipelineException;
import dev.fanout.encoder.errors.SourceAccessException;
import dev.fanout.encoder.errors.TransientException;
import dev.fanout.encoder.model.SourceRef;

/**
 * What a {@link SourceServer} saw while ffmpeg read through it: the bytes it served, and the S3
 * read failure that matters, if any. Pure: the stage turns this, not ffmpeg's stderr, into the
 * error of a run.
 *
 * @param bytesServed bytes of the source written to ffmpeg
 * @param requests    HTTP requests that read the source
 * @param failure     null, or the first failure that decides the run: a 412/403/404 (permanent,
 *                    even when ffmpeg exited 0), else a transient one no later read made good
 * @param resumed     how often the server resumed a body S3 broke off, with a ranged GET from the
 *                    byte it had reached, so that ffmpeg never saw the break
 */
public record SourceReads(long bytesServed, int requests, Failure failure, int resumed) {

    /** Reads without a resumed body. */
    public SourceReads(long bytesServed, int requests, Failure failure) {
        this(bytesServed, requests, failure, 0);
    }

    public enum Kind {
        /** 412 to If-Match: the object now has another ETag. */
        CHANGED,
        /** 404: the object was deleted. */
        MISSING,
        /** 403: this function may not read it. */
        DENIED,
        /** any other 4xx: a request S3 will never accept. */
        REJECTED,
        /** throttling, 5xx, I/O, a stall: the SDK's retries and ffmpeg's reconnects did not cure it. */
        TRANSIENT
    }

    /**
     * @param status    the HTTP status S3 answered, 0 when there was no answer (I/O error, stall)
     * @param errorCode S3's error code (PreconditionFailed, NoSuchKey, SlowDown…) or ""
     * @param offset    the byte of the source the failed read was at
     */
    public record Failure(Kind kind, int status, String errorCode, long offset, String detail) {}

    /** Which kind an S3 answer is. Only throttling, 5xx and no answer at all are worth a retry. */
    public static Kind kindOf(int status) {
        return switch (status) {
            case 412 -> Kind.CHANGED;
            case 404 -> Kind.MISSING;
            case 403 -> Kind.DENIED;
            default -> status == 0 || status == 408 || status == 429 || status >= 500 ? Kind.TRANSIENT : Kind.REJECTED;
        };
    }

    /** Throws the named error of {@link #failure}, if there is one. */
    public void throwIfFailed(SourceRef source, String what) {
        PipelineException e = error(source, what);
        if (e != null) throw e;
    }

    /** The named error of {@link #failure}, or null. {@code what} says what ffmpeg was doing. */
    public PipelineException error(SourceRef source, String what) {
        if (failure == null) return null;
        String object = "s3://" + source.bucket() + "/" + source.key();
        String answer = failure.status() == 0 ? failure.detail()
                : "S3 answered " + failure.status() + (failure.errorCode().isEmpty() ? "" : " " + failure.errorCode());
        return switch (failure.kind()) {
            case CHANGED -> new InvalidInputException("SourceChanged", object + " was replaced after this job started (the job reads ETag "
                    + source.etag() + "; " + answer + " while " + what + "); the newer upload is encoded by its own job");
            case MISSING -> new InvalidInputException("Missing", object + " was deleted after this job started (" + answer + " while " + what + ")");
            case DENIED -> new SourceAccessException("AccessDenied", "this function may not read " + object + " (" + answer + " while " + what
                    + "): check the function role's s3:GetObject permission on the input bucket, the bucket policy and, for SSE-KMS, the key policy");
            case REJECTED -> new SourceAccessException("ReadRejected", "S3 rejected the read of " + object + " (" + answer + " while " + what + ")");
            case TRANSIENT -> new TransientException("SourceRead", what + " could not read " + object + " at byte " + failure.offset()
                    + " (" + answer + "), after the SDK's retries and ffmpeg's reconnects", null);
        };
    }
}
