package org.ocfcloudbridge.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

/** RFC 8323 frames, generated with every field under the generator's control, and a raw socket to send them over. */
public final class CoapFrames {

    private static final JsonNodeFactory N = JsonNodeFactory.instance;

    private CoapFrames() {
    }

    /** A frame: Len/TKL, extended length, code, token, options (delta-encoded) and an optional 0xFF payload. */
    public static byte[] frame(int code, byte[] token, byte[] optionsAndPayload, int tklOverride) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int len = optionsAndPayload.length;
        int tkl = tklOverride >= 0 ? tklOverride : token.length;
        if (len < 13) {
            b.write((len << 4) | tkl);
        } else if (len < 269) {
            b.write((13 << 4) | tkl);
            b.write(len - 13);
        } else if (len < 65805) {
            b.write((14 << 4) | tkl);
            b.write((len - 269) >>> 8);
            b.write(len - 269);
        } else {
            b.write((15 << 4) | tkl);
            long l = len - 65805L;
            b.write((int) (l >>> 24));
            b.write((int) (l >>> 16));
            b.write((int) (l >>> 8));
            b.write((int) l);
        }
        b.write(code);
        b.writeBytes(token);
        b.writeBytes(optionsAndPayload);
        return b.toByteArray();
    }

    /** Options (number → values, written in order with deltas) and a payload. */
    public static byte[] body(TreeMap<Integer, List<byte[]>> options, byte[] payload, boolean emptyMarker) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int last = 0;
        for (var e : options.entrySet()) {
            for (byte[] v : e.getValue()) {
                int delta = e.getKey() - last;
                last = e.getKey();
                int[] d = nibble(delta);
                int[] l = nibble(v.length);
                b.write((d[0] << 4) | l[0]);
                ext(b, d);
                ext(b, l);
                b.writeBytes(v);
            }
        }
        if ((payload != null && payload.length > 0) || emptyMarker) {
            b.write(0xFF);
            if (payload != null) {
                b.writeBytes(payload);
            }
        }
        return b.toByteArray();
    }

    private static int[] nibble(int v) {
        if (v < 13) {
            return new int[] {v, -1, 0};
        }
        if (v < 269) {
            return new int[] {13, v - 13, 1};
        }
        return new int[] {14, v - 269, 2};
    }

    private static void ext(ByteArrayOutputStream b, int[] n) {
        if (n[2] == 1) {
            b.write(n[1]);
        } else if (n[2] == 2) {
            b.write(n[1] >>> 8);
            b.write(n[1]);
        }
    }

    static byte[] uint(long v) {
        if (v == 0) {
            return new byte[0];
        }
        int n = 0;
        for (long x = v; x != 0; x >>>= 8) {
            n++;
        }
        byte[] out = new byte[n];
        for (int i = n - 1; i >= 0; i--) {
            out[i] = (byte) v;
            v >>>= 8;
        }
        return out;
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The device's identity the generated bodies speak about: its own or another one. */
    public record Identity(String uid, String di, String accessToken, String refreshToken) {
    }

    private static final String[][] PATHS = {{"oic", "sec", "account"}, {"oic", "sec", "session"}, {"oic", "sec", "tokenrefresh"},
            {"oic", "rd"}, {"oic", "res"}, {"oic", "d"}, {"oic", "sec", ".."}, {"", ""}, {"x".repeat(300)}, {"oic", "rd", "rd"}, {}};

    /** A whole generated request (or something that is not one), with a self-consistent length. */
    public static byte[] generate(Random r, Identity me) {
        int code = switch (r.nextInt(12)) {
            case 0 -> 0; // empty message
            case 1 -> 5 + r.nextInt(27); // FETCH, PATCH, iPATCH, unassigned
            case 2 -> 0x40 + r.nextInt(0x80); // a response, from the device side
            case 3 -> 0xE0 + r.nextInt(32); // a signal, known or not
            default -> 1 + r.nextInt(4);
        };
        byte[] token = new byte[r.nextInt(9)];
        r.nextBytes(token);
        TreeMap<Integer, List<byte[]>> o = new TreeMap<>();
        String[] path = PATHS[r.nextInt(PATHS.length)];
        for (String p : path) {
            o.computeIfAbsent(11, k -> new ArrayList<>()).add(text(p));
        }
        if (r.nextInt(3) == 0) {
            // Never the device's own di: a DELETE with it is a valid deregistration, after which no case could sign in.
            String[] q = {"di=" + UUID.randomUUID(), "di=", "if=oic.if.baseline", "rt=oic.wk.d", "=", "x".repeat(r.nextInt(400))};
            o.computeIfAbsent(15, k -> new ArrayList<>()).add(text(q[r.nextInt(q.length)]));
        }
        int[] formats = {10000, 60, 50, 0, 42, 65535, 70000, -1};
        int cf = formats[r.nextInt(formats.length)];
        if (cf >= 0) {
            o.put(12, new ArrayList<>(List.of(uint(cf))));
        }
        int extras = r.nextInt(4);
        for (int i = 0; i < extras; i++) {
            int[] numbers = {1, 3, 4, 5, 6, 7, 8, 9, 14, 17, 23, 27, 28, 35, 39, 60, 258, 2049, 2053, 65000, 65001, 1 + r.nextInt(3000)};
            int num = numbers[r.nextInt(numbers.length)];
            byte[] v = new byte[r.nextInt(r.nextInt(8) == 0 ? 1100 : 5)];
            r.nextBytes(v);
            o.computeIfAbsent(num, k -> new ArrayList<>()).add(v);
        }
        byte[] payload = r.nextInt(4) == 0 ? null : payload(r, me, path);
        byte[] rest = body(o, payload, r.nextInt(30) == 0);
        int tkl = r.nextInt(60) == 0 ? 9 + r.nextInt(7) : -1;
        return frame(code, token, rest, tkl);
    }

    private static byte[] payload(Random r, Identity me, String[] path) {
        ObjectNode n = N.objectNode();
        String last = path.length == 0 ? "" : path[path.length - 1];
        String di = r.nextInt(3) == 0 ? UUID.randomUUID().toString() : me.di();
        switch (last) {
            case "account" -> n.put("di", di).put("accesstoken", r.nextBoolean() ? me.accessToken() : "nope")
                    .put("authprovider", r.nextBoolean() ? null : "github").put("devicetype", "device");
            case "session" -> n.put("uid", r.nextBoolean() ? me.uid() : "u").put("di", di)
                    .put("accesstoken", r.nextBoolean() ? me.accessToken() : "x").put("login", r.nextInt(10) != 0);
            case "tokenrefresh" -> n.put("uid", me.uid()).put("di", di).put("refreshtoken", r.nextBoolean() ? "nope" : "");
            case "rd" -> {
                n.put("di", di).put("ttl", r.nextInt(5) == 0 ? -1 : 0);
                ObjectNode l = n.putArray("links").addObject().put("href", r.nextBoolean() ? "/x" : "");
                l.putArray("rt").add("oic.r.x");
                l.putArray("if").add("oic.if.a");
            }
            default -> n.put("value", r.nextBoolean());
        }
        JsonNode tree = r.nextInt(3) == 0 ? OcfBodies.object(r, 3) : n;
        byte[] b = OcfBodies.cbor(tree);
        return r.nextBoolean() ? b : OcfBodies.mutate(b, r);
    }

    /** A received frame. */
    public record Frame(int code, byte[] token, byte[] rest) {
    }

    /** A plain CoAP-over-TCP connection with a frame reader. */
    public static final class Connection implements Closeable {
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;

        public Connection(int port, int timeoutMillis) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            InputStream raw = socket.getInputStream();
            in = new DataInputStream(new java.io.BufferedInputStream(raw, 8192));
            out = socket.getOutputStream();
        }

        public void write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        /** The next frame; null when the server closed the connection. Throws SocketTimeoutException on silence. */
        public Frame read() throws IOException {
            try {
                int first = in.readUnsignedByte();
                int len = first >>> 4;
                int tkl = first & 0x0F;
                long l = switch (len) {
                    case 13 -> in.readUnsignedByte() + 13L;
                    case 14 -> in.readUnsignedShort() + 269L;
                    case 15 -> (in.readInt() & 0xFFFFFFFFL) + 65805L;
                    default -> len;
                };
                int code = in.readUnsignedByte();
                byte[] token = new byte[tkl];
                in.readFully(token);
                byte[] rest = new byte[(int) l];
                in.readFully(rest);
                return new Frame(code, token, rest);
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (EOFException | java.net.SocketException e) {
                return null;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
