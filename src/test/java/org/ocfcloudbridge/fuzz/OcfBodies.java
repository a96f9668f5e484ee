package org.ocfcloudbridge.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
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
    public static Arbitrary<JsonNode> tree(int depth) {
        Arbitrary<JsonNode> scalar = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(40).map(N::textNode),
                Arbitraries.of("e61c3e6b-9c54-4b81-8ce5-f9039c1d04d9", "/oic/d", "oic.r.switch.binary", "oic.if.a",
                        "coaps+tcp://127.0.0.1:1", "../../etc", "%00", "0").map(N::textNode),
                Arbitraries.longs().map(N::numberNode),
                Arbitraries.of(Long.MIN_VALUE, -1L, 0L, 1L, Long.MAX_VALUE, 4_294_967_296L).map(N::numberNode),
                Arbitraries.doubles().map(N::numberNode),
                Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, -0.0).map(N::numberNode),
                Arbitraries.of(true, false).map(N::booleanNode),
                Arbitraries.just(N.nullNode()),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(20).map(N::binaryNode));
        if (depth <= 0) {
            return scalar;
        }
        Arbitrary<JsonNode> child = Arbitraries.lazy(() -> tree(depth - 1));
        Arbitrary<JsonNode> array = child.list().ofMaxSize(4).map(l -> {
            ArrayNode a = N.arrayNode();
            l.forEach(a::add);
            return a;
        });
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, scalar), net.jqwik.api.Tuple.of(2, array), net.jqwik.api.Tuple.of(5, object(child)));
    }

    private static Arbitrary<JsonNode> object(Arbitrary<JsonNode> child) {
        return Combinators.combine(
                Arbitraries.oneOf(Arbitraries.of(KEYS), Arbitraries.strings().ofMaxLength(8)).list().ofMaxSize(6),
                child.list().ofSize(6)).as((keys, values) -> {
                    ObjectNode o = N.objectNode();
                    for (int i = 0; i < keys.size(); i++) {
                        o.set(keys.get(i), values.get(i));
                    }
                    return o;
                });
    }

    /** A map (what every OCF body is at its top) of any keys and values. */
    public static Arbitrary<JsonNode> object() {
        return object(Arbitraries.lazy(() -> tree(2)));
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
