package org.ocfcloudbridge.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfCodecException;
import org.ocfcloudbridge.ocf.OcfFormat;

import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The codec alone, by jqwik properties (its own JUnit Platform engine, beside Jupiter): a body is one top-level item
 * and nothing after it, and no generated or mutated input makes it throw anything but {@link OcfCodecException}.
 */
class OcfCodecPropertiesTest {

    private final OcfCodec codec = OcfCodec.get();

    @Example
    void anEmptyIndefiniteMapWithGarbageBehindItIsRefused() {
        byte[] body = HexFormat.of().parseHex("bfff0102");
        OcfCodecException e = assertThrows(OcfCodecException.class, () -> codec.decodeTree(body, OcfFormat.OCF_CBOR));
        assertEquals(true, e.getMessage().contains("bytes after"), e.getMessage());
    }

    @Property(tries = 300)
    void anyBodyWithBytesAfterItsTopItemIsRefused(@ForAll("objects") JsonNode tree, @ForAll("tails") byte[] tail) {
        for (OcfFormat f : new OcfFormat[] {OcfFormat.OCF_CBOR, OcfFormat.JSON}) {
            byte[] whole = codec.encode(tree, f);
            codec.decodeTree(whole, f); // the body alone reads
            byte[] withTail = Arrays.copyOf(whole, whole.length + tail.length);
            System.arraycopy(tail, 0, withTail, whole.length, tail.length);
            assertThrows(OcfCodecException.class, () -> codec.decodeTree(withTail, f));
        }
    }

    @Property(tries = 1000)
    void mutatedBodiesDecodeOrAreRefusedWithACodecError(@ForAll("objects") JsonNode tree, @ForAll long seed) {
        byte[] bytes = OcfBodies.mutate(OcfBodies.cbor(tree), new java.util.Random(seed));
        try {
            codec.decodeTree(bytes, OcfFormat.OCF_CBOR);
        } catch (OcfCodecException expected) {
            // a refusal is a fine answer
        }
    }

    @Provide
    Arbitrary<JsonNode> objects() {
        return OcfBodies.object();
    }

    @Provide
    Arbitrary<byte[]> tails() {
        // Not whitespace: JSON allows that after a value, and it carries nothing.
        return Arbitraries.bytes().filter(b -> b != ' ' && b != '\n' && b != '\r' && b != '\t')
                .array(byte[].class).ofMinSize(1).ofMaxSize(8);
    }
}
