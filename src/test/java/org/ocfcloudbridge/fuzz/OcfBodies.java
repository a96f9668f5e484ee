package org.ocfcloudbridge.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfFormat;

import java.util.List;
import java.util.Random;

/**
 * Generators of OCF-shaped representations (the keys devices and clouds really send, with values of right and wrong
 * types) and of mutations of their CBOR or JSON bytes. The fuzz tests draw from these; each draw is one case.
 */
public final class OcfBodies {

    private static final JsonNodeFactory N = JsonNodeFactory.instance;
    private static final List<String> KEYS = List.of("di", "uid", "accesstoken", "refreshtoken", "authprovider", "devicetype",
            "login", "ttl", "links", "href", "rt", "if", "p", "bm", "eps", "ep", "ins", "value", "n", "x.vendor", "expiresin",
            "redirecturi", "sid", "apn", "cis", "eventsUrl", "eventTypes", "", "\u0000", "a\"b", "\ud83d\ude00");

    private OcfBodies() {
    }

    /** A scalar, an array or a map up to {@code depth} levels, keys mostly from the OCF vocabulary. */
    public static JsonNode tree(Random r, int depth) {
        int kind = depth <= 0 ? r.nextInt(9) : r.nextInt(13);
        switch (kind) {
            case 0:
                return N.textNode(string(r, 40));
            case 1:
                return N.textNode(TEXTS[r.nextInt(TEXTS.length)]);
            case 2:
                return N.numberNode(r.nextLong());
            case 3:
                return N.numberNode(EDGES[r.nextInt(EDGES.length)]);
            case 4:
                return N.numberNode(r.nextBoolean() ? r.nextDouble() : new double[] {Double.NaN, Double.POSITIVE_INFINITY, -0.0,
                        1e308}[r.nextInt(4)]);
            case 5:
                return N.booleanNode(r.nextBoolean());
            case 6:
                return N.nullNode();
            case 7: {
                byte[] b = new byte[r.nextInt(20)];
                r.nextBytes(b);
                return N.binaryNode(b);
            }
            case 8:
                return N.numberNode(r.nextInt(100));
            case 9, 10: {
                ArrayNode a = N.arrayNode();
                for (int i = r.nextInt(5); i > 0; i--) {
                    a.add(tree(r, depth - 1));
                }
                return a;
            }
            default:
                return object(r, depth);
        }
    }

    /** A map (what every OCF body is at its top) of any keys and values. */
    public static ObjectNode object(Random r, int depth) {
        ObjectNode o = N.objectNode();
        for (int i = r.nextInt(7); i > 0; i--) {
            o.set(r.nextInt(4) == 0 ? string(r, 8) : KEYS.get(r.nextInt(KEYS.size())), tree(r, depth - 1));
        }
        return o;
    }

    /** The same generator as a jqwik arbitrary, for properties. */
    public static Arbitrary<JsonNode> object() {
        return Arbitraries.randomValue(r -> object(r, 3));
    }

    private static final String[] TEXTS = {"e61c3e6b-9c54-4b81-8ce5-f9039c1d04d9", "/oic/d", "oic.r.switch.binary", "oic.if.a",
            "coaps+tcp://127.0.0.1:1", "../../etc", "%00", "0", "", "\u0000"};
    private static final long[] EDGES = {Long.MIN_VALUE, -1L, 0L, 1L, Long.MAX_VALUE, 4_294_967_296L, 65535, 65536};

    private static String string(Random r, int max) {
        int n = r.nextInt(max + 1);
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            int pick = r.nextInt(10);
            b.append(pick < 6 ? (char) (0x20 + r.nextInt(0x5f)) : pick < 8 ? (char) r.nextInt(0x20) : (char) (0xa0 + r.nextInt(0xd700)));
        }
        return b.toString();
    }

    public static byte[] cbor(JsonNode tree) {
        return OcfCodec.get().encode(tree, OcfFormat.OCF_CBOR);
    }

    public static byte[] json(JsonNode tree) {
        return OcfCodec.get().encode(tree, OcfFormat.JSON);
    }

    /**
     * One of: the bytes unchanged, a byte flipped, a byte set to a CBOR head that matters (break, indefinite, huge
     * lengths, tags), a cut, a duplicated or removed slice, or garbage appended behind the top item.
     */
    public static byte[] mutate(byte[] in, Random r) {
        byte[] b = in.clone();
        int n = b.length;
        switch (r.nextInt(9)) {
            case 0:
                return b;
            case 1:
                if (n > 0) {
                    b[r.nextInt(n)] ^= (byte) (1 << r.nextInt(8));
                }
                return b;
            case 2:
                if (n > 0) {
                    int[] heads = {0xff, 0xbf, 0x9f, 0x7f, 0x5f, 0x1b, 0x3b, 0x5b, 0x7b, 0x9b, 0xbb, 0xc0, 0xd9, 0xf7, 0xfb, 0xfc, 0x1c};
                    b[r.nextInt(n)] = (byte) heads[r.nextInt(heads.length)];
                }
                return b;
            case 3:
                return java.util.Arrays.copyOf(b, n == 0 ? 0 : r.nextInt(n));
            case 4: {
                if (n == 0) {
                    return b;
                }
                int from = r.nextInt(n);
                int len = 1 + r.nextInt(Math.min(16, n - from));
                byte[] out = new byte[n + len];
                System.arraycopy(b, 0, out, 0, from + len);
                System.arraycopy(b, from, out, from + len, n - from);
                return out;
            }
            case 5: {
                if (n == 0) {
                    return b;
                }
                int from = r.nextInt(n);
                int len = 1 + r.nextInt(n - from);
                byte[] out = new byte[n - len];
                System.arraycopy(b, 0, out, 0, from);
                System.arraycopy(b, from + len, out, from, n - from - len);
                return out;
            }
            case 6: {
                byte[] tail = new byte[1 + r.nextInt(8)];
                r.nextBytes(tail);
                byte[] out = java.util.Arrays.copyOf(b, n + tail.length);
                System.arraycopy(tail, 0, out, n, tail.length);
                return out;
            }
            case 7: {
                byte[] out = new byte[r.nextInt(64)];
                r.nextBytes(out);
                return out;
            }
            default: {
                // Deep nesting: an indefinite map or array opened many times.
                int depth = 1 + r.nextInt(2000);
                byte[] out = new byte[depth];
                java.util.Arrays.fill(out, (byte) (r.nextBoolean() ? 0x81 : 0xa1));
                return out;
            }
        }
    }
}
