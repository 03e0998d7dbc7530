package dev.fanout.local.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A benchmark's command line: {@code --name value} options from the benchmark's own list of
 * names, each read with the benchmark's default when it is not given (given twice, the last one
 * counts). Every mistake is refused by name before a benchmark starts a run that can take hours.
 */
final class BenchmarkOptions {
    private final Map<String, String> given;

    private BenchmarkOptions(Map<String, String> given) {
        this.given = given;
    }

    /** Reads {@code args} as pairs of an option in {@code names} and its value. */
    static BenchmarkOptions parse(String[] args, Set<String> names) {
        Map<String, String> given = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i];
            if (!names.contains(name)) throw new IllegalArgumentException("unknown option " + name + " (known: " + String.join(" ", new TreeSet<>(names)) + ")");
            if (i + 1 == args.length) throw new IllegalArgumentException(name + " needs a value");
            given.put(name, args[i + 1]);
        }
        return new BenchmarkOptions(given);
    }

    boolean has(String name) {
        return given.containsKey(name);
    }

    /** The value of {@code name} as {@code read} makes it, or {@code otherwise} when it was not given. */
    <T> T value(String name, Function<String, T> read, T otherwise) {
        String text = given.get(name);
        if (text == null) return otherwise;
        try {
            return read.apply(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(name + ": cannot read \"" + text + "\": " + e.getMessage(), e);
        }
    }

    /** A comma-separated list of numbers, e.g. chunk lengths "4,6,10". */
    static List<Double> numbers(String text) {
        return Stream.of(text.split(",")).map(String::strip).map(Double::parseDouble).toList();
    }
}
