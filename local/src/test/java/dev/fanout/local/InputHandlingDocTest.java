package dev.fanout.local;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/input-handling.md lists exactly the cases {@link InputCorpusTest} runs, with true counts. */
class InputHandlingDocTest {
    static final Path DOC = LocalStateMachine.findTemplate().getParent().resolve("docs").resolve("input-handling.md");

    @Test
    void tableListsEveryCaseTheTestsRun() throws Exception {
        List<String> cases = Stream.concat(InputCorpusTest.accepted().map(Object::toString), InputCorpusTest.rejected().map(Object::toString)).toList();
        assertEquals(cases, tableCases(Files.readAllLines(DOC)), "the table's first column, in order, is the corpus");
    }

    @Test
    void statedCountsAreTrue() throws Exception {
        long accepted = InputCorpusTest.accepted().count();
        long rejected = InputCorpusTest.rejected().count();
        long direct = Arrays.stream(UntrustedMediaTest.class.getDeclaredMethods()).filter(InputHandlingDocTest::isTest).count();
        String expected = "**Cases run: " + (accepted + rejected) + "** (" + accepted + " accepted, " + rejected + " rejected), plus "
                + direct + " in `UntrustedMediaTest`.";
        assertTrue(Files.readString(DOC).contains(expected), "the doc says: " + expected);
    }

    private static boolean isTest(Method m) {
        return m.isAnnotationPresent(Test.class);
    }

    /** First cells of the "| case | outcome |" table, with markdown's escaped pipes restored. */
    static List<String> tableCases(List<String> lines) {
        List<String> out = new ArrayList<>();
        boolean inTable = false;
        for (String line : lines) {
            if (line.startsWith("| case | outcome |")) {
                inTable = true;
            } else if (inTable && line.startsWith("|---")) {
                continue;
            } else if (inTable && line.startsWith("| ")) {
                String row = line.substring(2).replace("\\|", "\u0000");
                out.add(row.substring(0, row.indexOf(" |")).replace("\u0000", "|"));
            } else if (inTable) {
                break;
            }
        }
        return out;
    }
}
