package dev.fanout.encoder.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** An exact fraction such as a frame rate of 30000/1001; always reduced, denominator positive. */
public record Rational(long num, long den) {

    public Rational {
        if (den == 0) throw new IllegalArgumentException("zero denominator");
        if (den < 0) { num = -num; den = -den; }
        long g = gcd(Math.abs(num), den);
        if (g > 1) { num /= g; den /= g; }
    }

    public static Rational of(long num, long den) { return new Rational(num, den); }

    /** Parses "30000/1001", "30:1" or "25". */
    @JsonCreator
    public static Rational parse(String text) {
        String t = text.trim();
        int sep = t.indexOf('/') >= 0 ? t.indexOf('/') : t.indexOf(':');
        if (sep < 0) return new Rational(Long.parseLong(t), 1);
        return new Rational(Long.parseLong(t.substring(0, sep).trim()), Long.parseLong(t.substring(sep + 1).trim()));
    }

    public boolean isPositive() { return num > 0; }

    public double toDouble() { return (double) num / den; }

    public Rational times(Rational o) { return new Rational(Math.multiplyExact(num, o.num), Math.multiplyExact(den, o.den)); }

    public Rational inverse() { return new Rational(den, num); }

    /** Seconds taken by {@code frames} frames at this frame rate, as an exact fraction. */
    public Rational secondsFor(long frames) { return new Rational(Math.multiplyExact(frames, den), num); }

    /** This value (in seconds) expressed in ticks of {@code timescale} per second, rounded to nearest. */
    public long toTicks(long timescale) {
        return Math.round((double) num * timescale / den); // values here are far below 2^53 ticks
    }

    /** Decimal seconds with microsecond precision, rounded down, as ffmpeg's -ss expects. */
    public String toDecimalFloorMicros() {
        long micros = Math.floorDiv(Math.multiplyExact(num, 1_000_000L), den);
        return String.format(java.util.Locale.ROOT, "%d.%06d", micros / 1_000_000L, micros % 1_000_000L);
    }

    @JsonValue
    @Override
    public String toString() { return num + "/" + den; }

    private static long gcd(long a, long b) { while (b != 0) { long t = a % b; a = b; b = t; } return a == 0 ? 1 : a; }
}
