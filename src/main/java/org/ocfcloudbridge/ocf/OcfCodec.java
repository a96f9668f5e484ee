package org.ocfcloudbridge.ocf;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;

import java.io.IOException;

/**
 * Encodes and decodes OCF payloads as JSON and as CBOR (content formats 10000 and 60) with one set of rules, so a
 * representation read from a device's CBOR and sent on as JSON, or back, keeps every key.
 */
public final class OcfCodec {

    private static final OcfCodec INSTANCE = new OcfCodec();

    private final ObjectMapper json;
    private final ObjectMapper cbor;

    private OcfCodec() {
        json = configure(JsonMapper.builder().build());
        cbor = configure(CBORMapper.builder().build());
    }

    public static OcfCodec get() {
        return INSTANCE;
    }

    private static ObjectMapper configure(ObjectMapper mapper) {
        // A map with the same key twice is ambiguous (which one did the device mean?): refuse it.
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        // Unknown keys land in OcfObject.extra; this only matters for types without that catch-all.
        mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.setSerializationInclusion(JsonInclude.Include.NON_NULL);
        // A number or boolean where the spec says string is a wrong type, not something to quietly convert.
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    public ObjectMapper mapper(OcfFormat format) {
        return format.isCbor() ? cbor : json;
    }

    public byte[] encode(Object value, OcfFormat format) {
        try {
            if (format.isCbor() && !(value instanceof JsonNode)) {
                // Through a tree, so that maps and arrays are written with their length: Jackson writes POJOs as
                // indefinite-length maps, which some small CBOR decoders on devices do not take.
                return cbor.writeValueAsBytes(cbor.valueToTree(value));
            }
            return mapper(format).writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            // Our own model failed to serialise: a bug, not bad input.
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName() + " as " + format, e);
        }
    }

    public <T> T decode(byte[] payload, Class<T> type, OcfFormat format) {
        if (payload == null || payload.length == 0) {
            throw new OcfCodecException("empty payload, expected " + describe(type));
        }
        ObjectMapper mapper = mapper(format);
        try (JsonParser parser = mapper.createParser(payload)) {
            T value = mapper.readValue(parser, type);
            if (value == null) {
                throw new OcfCodecException("payload is null, expected " + describe(type));
            }
            // One top-level item and nothing after it: bytes behind it would be forwarded or stored unread, and two
            // readers of the same body could disagree about what it says.
            if (trailing(parser, payload.length, format)) {
                throw new OcfCodecException("payload has bytes after its " + describe(type));
            }
            return value;
        } catch (IOException e) {
            throw new OcfCodecException("payload is not a valid " + format.mediaType() + " " + describe(type)
                    + ": " + shortReason(e));
        }
    }

    private static boolean trailing(JsonParser parser, int length, OcfFormat format) throws IOException {
        if (format.isCbor()) {
            // By position, not by the next token: a lone tag or a break behind the item reads as the end of input.
            return parser.currentLocation().getByteOffset() != length;
        }
        // JSON allows whitespace after a value, nothing else.
        return parser.nextToken() != null;
    }

    public JsonNode decodeTree(byte[] payload, OcfFormat format) {
        return decode(payload, JsonNode.class, format);
    }

    private static String describe(Class<?> type) {
        return type == JsonNode.class ? "value" : type.getSimpleName();
    }

    private static String shortReason(IOException e) {
        if (e instanceof JsonProcessingException jpe) {
            String m = jpe.getOriginalMessage();
            return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
        }
        return e.getClass().getSimpleName();
    }
}
