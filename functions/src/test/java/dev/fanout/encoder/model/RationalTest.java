package dev.fanout.encoder.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RationalTest {
    @Test
    void parsesAndReduces() {
        assertEquals(Rational.of(30000, 1001), Rational.parse("30000/1001"));
        assertEquals(Rational.of(25, 1), Rational.parse("50/2"));
        assertEquals(Rational.of(4, 3), Rational.parse("4:3"));
        assertEquals("30/1", Rational.parse("30").toString());
        assertThrows(IllegalArgumentException.class, () -> Rational.parse("0/0"));
    }

    @Test
    void chunkStartTimesAreExactAtNtscRates() {
        Rational fps = Rational.of(30000, 1001);
        assertEquals(Rational.of(1001, 500), fps.secondsFor(60));       // 2.002 s
        assertEquals("4.004000", fps.secondsFor(120).toDecimalFloorMicros());
        assertEquals("3.336666", fps.secondsFor(100).toDecimalFloorMicros()); // 3.3366666… rounded down
        assertEquals(120120, fps.secondsFor(120).toTicks(30000));
    }
}
