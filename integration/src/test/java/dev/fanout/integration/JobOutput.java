package dev.fanout.integration;

import dev.fanout.encoder.storage.ObjectStore;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import software.amazon.awssdk.services.s3.model.S3Object;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A job's published output as a player sees it: downloaded from the output bucket, and the list of
 * files its manifest.mpd promises (every representation's init and each segment its
 * SegmentTimeline counts), so a missing object is named rather than found later as a short decode.
 */
public final class JobOutput {
    private static final Pattern NUMBER = Pattern.compile("\\$Number(%0(\\d+)d)?\\$");

    private JobOutput() {}

    /** Copies every object under {@code prefix} to {@code dir}, keeping the key below the prefix as the path. */
    public static Path download(ObjectStore store, String bucket, String prefix, Path dir) {
        for (S3Object o : store.list(bucket, prefix)) {
            store.download(bucket, o.key(), dir.resolve(o.key().substring(prefix.length())));
        }
        return dir;
    }

    /**
     * Paths, relative to the manifest, of every init and media segment the manifest references
     * (SegmentTemplate with $RepresentationID$ and $Number$ / $Number%0Nd$ over a SegmentTimeline).
     */
    public static List<String> referencedFiles(Path manifest) throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc = factory.newDocumentBuilder().parse(manifest.toFile());
        List<String> files = new ArrayList<>();
        NodeList sets = doc.getElementsByTagName("AdaptationSet");
        for (int i = 0; i < sets.getLength(); i++) {
            Element set = (Element) sets.item(i);
            Element template = (Element) set.getElementsByTagName("SegmentTemplate").item(0);
            if (template == null) throw new IllegalArgumentException("adaptation set " + set.getAttribute("id") + " has no SegmentTemplate");
            long start = template.hasAttribute("startNumber") ? Long.parseLong(template.getAttribute("startNumber")) : 1;
            long count = 0;
            NodeList s = template.getElementsByTagName("S");
            for (int j = 0; j < s.getLength(); j++) {
                Element e = (Element) s.item(j);
                long r = e.hasAttribute("r") ? Long.parseLong(e.getAttribute("r")) : 0;
                if (r < 0) throw new IllegalArgumentException("S@r=" + r + " (open-ended) in a static manifest");
                count += 1 + r;
            }
            if (count == 0) throw new IllegalArgumentException("adaptation set " + set.getAttribute("id") + " has an empty SegmentTimeline");
            NodeList reps = set.getElementsByTagName("Representation");
            for (int j = 0; j < reps.getLength(); j++) {
                String id = ((Element) reps.item(j)).getAttribute("id");
                files.add(template.getAttribute("initialization").replace("$RepresentationID$", id));
                String media = template.getAttribute("media").replace("$RepresentationID$", id);
                for (long n = start; n < start + count; n++) files.add(number(media, n));
            }
        }
        return files;
    }

    /** The referenced files that are not in {@code jobDir} (empty when the output is complete). */
    public static List<String> missingFiles(Path jobDir) throws Exception {
        Path manifest = jobDir.resolve("manifest.mpd");
        if (!Files.isRegularFile(manifest)) return List.of("manifest.mpd");
        return referencedFiles(manifest).stream().filter(f -> !Files.isRegularFile(jobDir.resolve(f))).toList();
    }

    private static String number(String media, long n) {
        Matcher m = NUMBER.matcher(media);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = m.group(2) == null ? Long.toString(n) : String.format("%0" + m.group(2) + "d", n);
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }
}
