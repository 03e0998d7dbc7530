package dev.fanout.local.iam;

import dev.fanout.local.HttpForwarding;
import dev.fanout.local.HttpHead;

import dev.fanout.encoder.storage.S3Clients;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An HTTP proxy in front of the local S3 store that lets each function do only what its IAM
 * policies in template.yaml allow, as S3 on AWS would: one listening port per function (and per
 * state machine), so the port says who is calling, while requests stay signed with the local
 * store's one key pair and the store still verifies every signature (the proxy forwards the bytes
 * as they came, Host header included). Each request is mapped to its S3 action and ARN
 * ({@link S3Access}) and decided by {@link TemplatePolicies}; a refused one is answered with S3's
 * 403 AccessDenied and never reaches the store. A GET or HEAD of a missing key is answered 403
 * instead of 404 when the caller may not list the bucket, and a DeleteObjects request deletes the
 * keys it may and reports AccessDenied for each other key in a 200 answer ("For each key, Amazon
 * S3 performs a delete operation and returns the result of that delete, success, or failure",
 * DeleteObjects, S3 API Reference).
 *
 * <p>Another proxy in front of this one would not know the caller; so this one sits nearest the
 * functions and forwards to whatever the functions were given (the store, or a fault-injecting
 * proxy). One request per connection: the proxy asks both sides to close after each exchange.
 */
public final class S3PolicyProxy implements AutoCloseable {
    /** A request the policies refused: who, what, on which ARN, and why. */
    public record Denial(String principal, String action, String resource, String reason) {}

    private final TemplatePolicies policies;
    private final InetAddress upstreamAddress;
    private final int upstreamPort;
    private final String host;
    private final Map<String, ServerSocket> listeners = new LinkedHashMap<>();
    private final List<Denial> denials = new CopyOnWriteArrayList<>();
    /** Deletes the allowed keys of a partly refused DeleteObjects request (a changed body would break its signature). */
    private final S3Client deleter;

    private S3PolicyProxy(TemplatePolicies policies, URI upstream, Map<String, String> clientEnv) throws IOException {
        this.policies = policies;
        this.host = upstream.getHost();
        this.upstreamAddress = InetAddress.getByName(upstream.getHost());
        this.upstreamPort = upstream.getPort();
        Map<String, String> env = new HashMap<>(clientEnv);
        env.put("S3_ENDPOINT_URL", upstream.toString());
        this.deleter = S3Clients.objectStore(env).client();
        // the functions reach this proxy by the same host name they were given for the store
        InetAddress bind = upstreamAddress.isLoopbackAddress() ? upstreamAddress : InetAddress.getLoopbackAddress();
        for (String principal : policies.principals()) {
            ServerSocket server = new ServerSocket(0, 200, bind);
            listeners.put(principal, server);
            Thread.ofVirtual().name("s3-policy-" + principal).start(() -> HttpForwarding.acceptEach(server, (client, in, head) -> handle(principal, client, in, head)));
        }
    }

    /**
     * Starts one listener per function and state machine of the template.
     *
     * @param upstreamEndpoint where allowed requests go (the functions' S3 endpoint)
     * @param clientEnv        the functions' S3 settings (region, the local key pair)
     */
    public static S3PolicyProxy start(TemplatePolicies policies, String upstreamEndpoint, Map<String, String> clientEnv) throws IOException {
        return new S3PolicyProxy(policies, URI.create(upstreamEndpoint), clientEnv);
    }

    /** The S3 endpoint to give a function (or the state machine): every request to it is decided by its policies. */
    public String endpoint(String principal) {
        ServerSocket s = listeners.get(principal);
        if (s == null) throw new IllegalArgumentException(principal + " is not a function or state machine of template.yaml");
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + h + ":" + s.getLocalPort();
    }

    /** Every refused request so far, in order. */
    public List<Denial> denials() { return List.copyOf(denials); }

    /** One request, its head read. */
    private void handle(String principal, Socket client, InputStream in, String headText) throws IOException {
        String[] requestLine = HttpForwarding.requestLine(headText);
        Map<String, String> headers = headers(headText);
        S3Access.Request request = S3Access.parse(requestLine[0], requestLine[1], headers);
        if (S3Access.isDeleteObjects(request)) {
            deleteObjects(principal, request, client, in, headText);
            return;
        }
        for (S3Access.Check check : S3Access.checks(request)) {
            TemplatePolicies.Decision d = policies.decide(principal, check.action(), check.resource(), check.context());
            if (!d.allowed()) {
                boolean bodyWaits = headers.getOrDefault("expect", "").equalsIgnoreCase("100-continue");
                if (!bodyWaits) in.skipNBytes(contentLength(headers));
                refuse(client.getOutputStream(), principal, check, d, request.method().equals("HEAD"));
                // read what the client still sends, so closing does not reset the connection before it reads the 403
                client.shutdownOutput();
                client.setSoTimeout(5_000);
                in.transferTo(OutputStream.nullOutputStream());
                return;
            }
        }
        forward(principal, request, client, in, HttpForwarding.withConnectionClose(headText));
    }

    private void forward(String principal, S3Access.Request request, Socket client, InputStream clientIn, String head) throws IOException {
        HttpForwarding.forward(client, clientIn, head, upstreamAddress, upstreamPort, (fromStore, toClient) -> {
            if (request.isObjectRead()) {
                byte[] responseHead = HttpHead.read(fromStore);
                if (responseHead == null) return null;
                String status = new String(responseHead, StandardCharsets.ISO_8859_1).split(" ", 3)[1];
                S3Access.Check list = S3Access.missingKeyCheck(request);
                if (status.equals("404")) {
                    TemplatePolicies.Decision d = policies.decide(principal, list.action(), list.resource(), list.context());
                    if (!d.allowed()) {
                        refuse(toClient, principal, list, d, request.method().equals("HEAD"));
                        return null;
                    }
                }
                toClient.write(responseHead);
            }
            fromStore.transferTo(toClient);
            return null;
        });
    }

    /** DeleteObjects: each key needs s3:DeleteObject; refused keys come back as per-key AccessDenied errors. */
    private void deleteObjects(String principal, S3Access.Request request, Socket client, InputStream in, String headText) throws IOException {
        if (request.headers().getOrDefault("expect", "").equalsIgnoreCase("100-continue")) {
            client.getOutputStream().write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            client.getOutputStream().flush();
        }
        byte[] body = in.readNBytes((int) contentLength(request.headers()));
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(body));
        } catch (Exception e) {
            throw new IOException("unreadable DeleteObjects body: " + e.getMessage(), e);
        }
        boolean quiet = "true".equalsIgnoreCase(text(doc.getDocumentElement(), "Quiet"));
        List<String> allowed = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        NodeList objects = doc.getElementsByTagName("Object");
        for (int i = 0; i < objects.getLength(); i++) {
            String key = text((Element) objects.item(i), "Key");
            S3Access.Check check = S3Access.deleteCheck(request, key);
            TemplatePolicies.Decision d = policies.decide(principal, check.action(), check.resource(), check.context());
            if (d.allowed()) {
                allowed.add(key);
            } else {
                refused.add(key);
                denials.add(new Denial(principal, check.action(), check.resource(), reason(principal, check, d)));
            }
        }
        if (refused.isEmpty()) {
            ByteArrayInputStream replay = new ByteArrayInputStream(body);
            forward(principal, request, client, replay, HttpForwarding.withConnectionClose(headText));
            return;
        }
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
        if (!allowed.isEmpty()) {
            DeleteObjectsResponse r = deleter.deleteObjects(b -> b.bucket(request.bucket()).delete(d -> d.quiet(quiet)
                    .objects(allowed.stream().map(k -> ObjectIdentifier.builder().key(k).build()).toList())));
            if (!quiet) r.deleted().forEach(o -> xml.append("<Deleted><Key>").append(escape(o.key())).append("</Key></Deleted>"));
            r.errors().forEach(e -> xml.append("<Error><Key>").append(escape(e.key())).append("</Key><Code>").append(escape(e.code()))
                    .append("</Code><Message>").append(escape(e.message())).append("</Message></Error>"));
        }
        for (String key : refused) {
            xml.append("<Error><Key>").append(escape(key)).append("</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>");
        }
        xml.append("</DeleteResult>");
        reply(client.getOutputStream(), 200, "OK", xml.toString(), false);
    }

    private void refuse(OutputStream out, String principal, S3Access.Check check, TemplatePolicies.Decision d, boolean head) throws IOException {
        String reason = reason(principal, check, d);
        denials.add(new Denial(principal, check.action(), check.resource(), reason));
        String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>" + escape(reason)
                + "</Message><RequestId>local</RequestId><HostId>local</HostId></Error>";
        reply(out, 403, "Forbidden", body, head);
    }

    /** The message S3 gives a role since its access-denied errors name the policy type (S3 User Guide, "Troubleshoot access denied (403 Forbidden) errors"). */
    private static String reason(String principal, S3Access.Check check, TemplatePolicies.Decision d) {
        String who = "arn:aws:sts::000000000000:assumed-role/" + principal + "Role/" + principal;
        String why = d.explicitDeny() ? "with an explicit deny in " + d.statement().where()
                : "because no identity-based policy allows the " + check.action() + " action";
        return "User: " + who + " is not authorized to perform: " + check.action() + " on resource: \"" + check.resource() + "\" " + why;
    }

    private static void reply(OutputStream out, int status, String phrase, String body, boolean headOnly) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + phrase + "\r\nContent-Type: application/xml\r\nx-amz-request-id: "
                + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase(Locale.ROOT)
                + "\r\nContent-Length: " + (headOnly ? 0 : bytes.length) + "\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        if (!headOnly) out.write(bytes);
        out.flush();
    }

    private static String text(Element parent, String tag) {
        NodeList n = parent.getElementsByTagName(tag);
        return n.getLength() == 0 ? "" : n.item(0).getTextContent();
    }

    private static String escape(String s) {
        if (s == null) return "";
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static Map<String, String> headers(String head) {
        Map<String, String> out = new HashMap<>();
        String[] lines = head.split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) out.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        return out;
    }

    private static long contentLength(Map<String, String> headers) {
        String v = headers.get("content-length");
        return v == null ? 0 : Long.parseLong(v);
    }

    @Override
    public void close() throws IOException {
        for (ServerSocket s : listeners.values()) s.close();
        deleter.close();
    }
}
