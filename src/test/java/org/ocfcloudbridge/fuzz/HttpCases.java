package org.ocfcloudbridge.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Function;

/** Raw HTTP requests for the fuzz tests: well-formed ones with generated parts, and mutations of paths and headers. */
public final class HttpCases {

    private HttpCases() {
    }

    /**
     * One request. {@code mayAccept}: a 2xx is a fine answer to it (it is a valid request by chance or on purpose);
     * otherwise only a 4xx or a close is. {@code lying}: its framing is broken (it must be sent alone, half-closed).
     */
    public record Case(byte[] bytes, String description, boolean mayAccept, boolean lying) {
    }

    public static final class Builder {
        String method = "POST";
        String path;
        final List<String[]> headers = new ArrayList<>();
        byte[] body = new byte[0];
        boolean mayAccept;
        boolean lying;
        boolean contentLength = true;

        Builder(String path) {
            this.path = path;
        }

        public Builder header(String name, String value) {
            if (value != null) {
                headers.add(new String[] {name, value});
            }
            return this;
        }

        public Builder body(byte[] b) {
            body = b;
            return this;
        }

        public Builder mayAccept(boolean m) {
            mayAccept = m;
            return this;
        }

        public Case build() {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            try {
                b.write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n").getBytes(StandardCharsets.ISO_8859_1));
                for (String[] h : headers) {
                    b.write((h[0] + ": " + h[1] + "\r\n").getBytes(StandardCharsets.UTF_8));
                }
                if (contentLength) {
                    b.write(("Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                }
                b.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                b.write(body);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            // Long values (tokens, generated junk) shortened: the case is replayed from its id and seed, not from this text.
            String shown = method + " " + path + " " + headers.stream().map(h -> h[0] + ": " + (h[1].length() > 60
                    ? h[1].substring(0, 40) + "…(" + h[1].length() + " chars)" : h[1])).toList() + " body "
                    + java.util.HexFormat.of().formatHex(body, 0, Math.min(body.length, 400));
            return new Case(b.toByteArray(), shown, mayAccept, lying);
        }
    }

    public static Builder post(String path) {
        return new Builder(path);
    }

    private static final String[] SEGMENTS = {"..", ".", "%2e%2e", "%2F", "%00", "%ZZ", "%", "a;b=c", "~", "%C0%AF", "\u00e9",
            "%E2%80%AE", "x?y=z", "#frag", "", "%20", "+", "*", "oic%2Fd"};

    /** The path with a segment replaced, added or dropped, an odd character, a very long segment, or unchanged. */
    public static String mutatePath(String path, Random r) {
        String[] parts = path.split("/", -1);
        switch (r.nextInt(7)) {
            case 0, 1:
                return path;
            case 2: {
                int i = 1 + r.nextInt(Math.max(1, parts.length - 1));
                if (i < parts.length) {
                    parts[i] = SEGMENTS[r.nextInt(SEGMENTS.length)];
                }
                return encodeRaw(String.join("/", parts));
            }
            case 3:
                return encodeRaw(path + "/" + SEGMENTS[r.nextInt(SEGMENTS.length)]);
            case 4:
                return path.substring(0, Math.max(1, r.nextInt(path.length() + 1)));
            case 5:
                return path + "/" + "a".repeat(1 + r.nextInt(6000));
            default:
                return path + (r.nextBoolean() ? "/" : "//") + (r.nextBoolean() ? "?x=%ff&&=" : "");
        }
    }

    /** Keeps the request line one line: a raw space or non-ASCII character is percent-encoded, as a client would. */
    private static String encodeRaw(String p) {
        StringBuilder b = new StringBuilder();
        for (byte c : p.getBytes(StandardCharsets.UTF_8)) {
            if (c <= 0x20 || c >= 0x7f || c == '#') {
                b.append('%').append(String.format("%02X", c & 0xff));
            } else {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    private static final String[][] ODD_HEADERS = {
            {"Content-Type", "application/json; charset=utf-16"}, {"Content-Type", "application/json;;;=x"},
            {"Content-Type", "application/vnd.ocf+cbor"}, {"Content-Type", "text/plain"}, {"Content-Type", ""},
            {"Content-Type", "*/*"}, {"Content-Type", "application/" + "x".repeat(3000)}, {"Accept", "application/xml"},
            {"Accept", "*/*;q=0"}, {"Accept", ",,,;"}, {"Accept", "application/vnd.ocf+cbor"}, {"Authorization", "Bearer"},
            {"Authorization", "Bearer " + "A".repeat(8000)}, {"Authorization", "Basic Og=="}, {"Authorization", "Basic %%%"},
            {"Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."}, {"Authorization", "Digest x"},
            {"Correlation-ID", "x".repeat(5000)}, {"Correlation-ID", "\u00e9\u00e9"}, {"Expect", "100-continue"},
            {"Expect", "teapot"}, {"Connection", "Upgrade"}, {"Upgrade", "h2c"}, {"X-Forwarded-For", "1.2.3.4"},
            {"Forwarded", "for=\"[::1]\";proto=https"}, {"Origin", "null"}, {"Cookie", "bridge_session=" + "z".repeat(100)},
            {"Content-Encoding", "gzip"}, {"Content-Encoding", "br"}, {"Range", "bytes=0-1"}, {"Event-Type", "x"},
            {"Sequence-Number", "-1"}, {"Event-Timestamp", "1e99"}};

    /** Zero to three extra headers from a list of odd ones (duplicates of the request's own among them). */
    public static void oddHeaders(Builder b, Random r) {
        int n = r.nextInt(4) == 0 ? 1 + r.nextInt(3) : 0;
        for (int i = 0; i < n; i++) {
            String[] h = ODD_HEADERS[r.nextInt(ODD_HEADERS.length)];
            b.header(h[0], h[1]);
        }
    }

    /**
     * A request whose framing lies (a Content-Length larger than the body, a broken chunked body, two lengths, a header
     * without a colon, a NUL in a header): sent alone and half-closed.
     */
    public static Case lying(String path, Random r) {
        String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
        String tail = switch (r.nextInt(7)) {
            case 0 -> "Content-Length: 100\r\n\r\n{\"a\":";
            case 1 -> "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n";
            case 2 -> "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}";
            case 3 -> "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
            case 4 -> "No colon here\r\nContent-Length: 2\r\n\r\n{}";
            case 5 -> "X-Nul: a\u0000b\r\nContent-Length: 2\r\n\r\n{}";
            default -> "Content-Length: -1\r\n\r\n{}";
        };
        return new Case((head + tail).getBytes(StandardCharsets.ISO_8859_1), "lying framing: " + tail.replace("\r\n", "\\r\\n"),
                false, true);
    }

    /** The default judgement: never a 5xx; a 2xx only where the case allows it. */
    public static String judge(Case c, RawHttp.Answer a) {
        if (a.closed() || (a.status() >= 400 && a.status() < 500)) {
            return null;
        }
        if (a.status() >= 200 && a.status() < 300 && c.mayAccept()) {
            return null;
        }
        return a.status() + " " + a.body().replace('\n', ' ') + " <- " + c.description();
    }

    /** A worker sending batches of generated cases, pipelined on one keep-alive connection. */
    public static Fuzz.Worker worker(int port, Function<Random, Case> generate, BiFunction<Case, RawHttp.Answer, String> judge) {
        RawHttp http = new RawHttp("127.0.0.1", port, 15_000);
        return new Fuzz.Worker() {
            @Override
            public void run(Random random, int n, Fuzz.Tally tally) throws IOException {
                List<Case> cases = new ArrayList<>(n);
                List<String> ids = new ArrayList<>(n);
                List<byte[]> bytes = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    String id = tally.next();
                    Case c = random.nextInt(200) == 0 ? lying("/x", random) : generate.apply(random);
                    if (tally.skip(id)) {
                        continue;
                    }
                    if (c.lying()) {
                        tally.sending(id + " " + c.description());
                        try {
                            count(tally, id, c, http.sendAndHalfClose(c.bytes()), judge);
                        } catch (RawHttp.Hang h) {
                            tally.failed(id + " " + h.getMessage() + " <- " + c.description());
                        }
                        continue;
                    }
                    cases.add(c);
                    ids.add(id);
                    bytes.add(c.bytes());
                }
                if (cases.isEmpty()) {
                    return;
                }
                tally.sending("pipelined " + ids.get(0) + " to " + ids.get(ids.size() - 1));
                List<RawHttp.Answer> answers;
                try {
                    answers = http.send(bytes);
                } catch (RawHttp.Hang h) {
                    tally.failed(ids.get(h.unanswered) + " " + h.getMessage() + " <- " + cases.get(h.unanswered).description());
                    http.close();
                    return;
                }
                for (int i = 0; i < cases.size(); i++) {
                    count(tally, ids.get(i), cases.get(i), answers.get(i), judge);
                }
            }

            @Override
            public void close() {
                http.close();
            }
        };
    }

    private static void count(Fuzz.Tally tally, String id, Case c, RawHttp.Answer a, BiFunction<Case, RawHttp.Answer, String> judge) {
        String wrong = judge.apply(c, a);
        if (wrong != null) {
            tally.failed(id + " " + wrong);
        } else if (a.closed()) {
            tally.closed();
        } else if (a.status() < 300) {
            tally.accepted();
        } else {
            tally.refused();
        }
    }
}
