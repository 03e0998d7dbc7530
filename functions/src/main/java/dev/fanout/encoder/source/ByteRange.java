package dev.fanout.encoder.source;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bytes one HTTP request asks for, from its {@code Range} header (RFC 9110 14.1): a single
 * range {@code bytes=a-b}, {@code bytes=a-} or {@code bytes=-n} against an object of a known size.
 * Pure.
 *
 * @param first     first byte, inclusive
 * @param last      last byte, inclusive ({@code first - 1} for the whole of an empty object)
 * @param partial   true when the answer is 206 with a Content-Range, false for the whole object (200)
 */
public record ByteRange(long first, long last, boolean partial) {
    private static final Pattern SINGLE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    public long length() { return last - first + 1; }

    /** {@code bytes first-last/size}, the Content-Range of a 206 answer. */
    public String contentRange(long size) { return "bytes " + first + "-" + last + "/" + size; }

    /** Thrown for a range that lies wholly past the end of the object: the answer is 416. */
    public static final class UnsatisfiableException extends Exception {
        UnsatisfiableException(String range) { super(range); }
    }

    /**
     * The bytes to serve. No header, or one that is not a single byte range (other units, several
     * ranges, malformed), means the whole object: RFC 9110 14.2 lets a server ignore a Range
     * header, and ffmpeg never sends such ranges.
     */
    public static ByteRange parse(String header, long size) throws UnsatisfiableException {
        ByteRange whole = new ByteRange(0, size - 1, false);
        if (header == null) return whole;
        Matcher m = SINGLE.matcher(header.strip());
        if (!m.matches() || m.group(1).isEmpty() && m.group(2).isEmpty()) return whole;
        try {
            if (m.group(1).isEmpty()) { // suffix: the last n bytes
                long n = Long.parseLong(m.group(2));
                if (n == 0 || size == 0) throw new UnsatisfiableException(header);
                return new ByteRange(Math.max(0, size - n), size - 1, true);
            }
            long first = Long.parseLong(m.group(1));
            long last = m.group(2).isEmpty() ? size - 1 : Long.parseLong(m.group(2));
            if (first >= size) throw new UnsatisfiableException(header);
            if (last < first) return whole; // invalid, so ignored
            return new ByteRange(first, Math.min(last, size - 1), true);
        } catch (NumberFormatException e) { // more digits than a long holds
            return whole;
        }
    }
}
