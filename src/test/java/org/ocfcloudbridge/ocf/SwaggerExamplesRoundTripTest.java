package org.ocfcloudbridge.ocf;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every example in the OCF's own swagger files (copied under src/test/resources/ocf/openapi) decodes into our model and
 * encodes back, as JSON and as CBOR, to the same content. Typed examples must not need the unknown-key catch-all: the
 * model names every key the spec shows.
 */
class SwaggerExamplesRoundTripTest {

    private static final List<String> FILES = List.of(
            "oic.r.cloudapiforcloudservices.swagger.json", "oic.r.coapcloudconf.swagger.json",
            "oic.r.d2dserverlist.swagger.json", "oic.sec.account.swagger.json", "oic.sec.session.swagger.json",
            "oic.sec.tokenrefresh.swagger.json", "oic.wk.rd.swagger.json", "oic.wk.res.swagger.json",
            "oic.links.properties.core-schema.json", "oic.types-schema.json", "oic.common.properties.core-schema.json");

    private static final OcfCodec CODEC = OcfCodec.get();
    private static final ObjectMapper JSON = CODEC.mapper(OcfFormat.JSON);
    private static final ObjectMapper CBOR = CODEC.mapper(OcfFormat.OCF_CBOR);

    enum Kind { TYPED, LIST_OF, BASE64_CBOR, TEXT, ANY }

    record Rule(String file, Pattern pointer, Kind kind, Class<?> type) {
    }

    /** Which model type each example is: by file and by where the example sits in it. */
    private static final List<Rule> RULES = List.of(
            rule("cloudapiforcloudservices", "/definitions/Device/example", Kind.TYPED, Device.class),
            rule("cloudapiforcloudservices", "/definitions/DeviceContentAll/example", Kind.TYPED, DeviceContentAll.class),
            rule("cloudapiforcloudservices", "/definitions/(ResourceUpdateRequest|ResourceRetrieveResponse|ResourceContentChangedEvent)/example",
                    Kind.BASE64_CBOR, Representation.class),
            rule("cloudapiforcloudservices", "/definitions/SubscribeRequest(Devices|Device|Resources)/example", Kind.TYPED, SubscribeRequest.class),
            rule("cloudapiforcloudservices", "/definitions/SubscribeResponse/example", Kind.TYPED, SubscribeResponse.class),
            rule("cloudapiforcloudservices", "/definitions/EventsUrl/example", Kind.TEXT, String.class),
            rule("coapcloudconf", "/paths/.*/(get|post)/(responses/200|parameters/1)/x-example", Kind.TYPED, CoapCloudConf.class),
            rule("d2dserverlist", "/paths/.*/x-example", Kind.ANY, Representation.class),
            rule("account", "/paths/~1oic~1sec~1account/post/parameters/1/x-example", Kind.TYPED, SignUpRequest.class),
            rule("account", "/paths/~1oic~1sec~1account/post/responses/204/x-example", Kind.TYPED, SignUpResponse.class),
            rule("session", "/paths/~1oic~1sec~1session/post/parameters/1/x-example", Kind.TYPED, SessionRequest.class),
            rule("session", "/paths/~1oic~1sec~1session/post/responses/204/x-example", Kind.TYPED, SessionResponse.class),
            rule("tokenrefresh", "/paths/~1oic~1sec~1tokenrefresh/post/parameters/1/x-example", Kind.TYPED, TokenRefreshRequest.class),
            rule("tokenrefresh", "/paths/~1oic~1sec~1tokenrefresh/post/responses/204/x-example", Kind.TYPED, TokenRefreshResponse.class),
            rule("oic.wk.rd", "/paths/~1oic~1rd/get/responses/200/x-example", Kind.ANY, Representation.class),
            rule("oic.wk.rd", "/paths/~1oic~1rd/post/(parameters/1|responses/200)/x-example", Kind.TYPED, RdPublish.class),
            rule("oic.wk.res", "/paths/~1oic~1res\\?if=oic.if.ll/get/responses/200/x-example", Kind.LIST_OF, Link.class),
            rule("oic.wk.res", "/paths/~1oic~1res\\?if=oic.if.b/get/responses/200/x-example", Kind.LIST_OF, ResourceContent.class),
            rule("oic.wk.res", "/paths/~1oic~1res\\?if=oic.if.baseline/get/responses/200/x-example", Kind.ANY, Representation.class));

    private static Rule rule(String fileFragment, String pointerRegex, Kind kind, Class<?> type) {
        return new Rule(fileFragment, Pattern.compile(pointerRegex), kind, type);
    }

    record Example(String file, String pointer, JsonNode value) {
        @Override
        public String toString() {
            return file + "#" + pointer;
        }
    }

    @Test
    void theSwaggerFilesHoldTheExamplesWeExpect() throws IOException {
        List<Example> all = examples();
        // 10 in the Cloud API, 6 CoAPCloudConf, 4 D2D, 2 each for account/session/refresh, 3 RD, 3 /oic/res.
        assertEquals(32, all.size(), () -> "examples found: " + all);
    }

    @TestFactory
    Stream<DynamicTest> everySwaggerExampleRoundTripsThroughJsonAndCbor() throws IOException {
        return examples().stream().map(e -> DynamicTest.dynamicTest(e.toString(), () -> roundTrip(e)));
    }

    private static void roundTrip(Example example) throws IOException {
        Rule rule = RULES.stream()
                .filter(r -> example.file.contains(r.file) && r.pointer.matcher(example.pointer).matches())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no model type for the example at " + example));
        JsonNode original = example.value;
        switch (rule.kind) {
            case TEXT -> {
                assertTrue(original.isTextual());
                String text = JSON.treeToValue(original, String.class);
                assertEquals(original, CBOR.readTree(CBOR.writeValueAsBytes(text)));
            }
            case BASE64_CBOR -> {
                byte[] cbor = Base64.getDecoder().decode(original.asText());
                Representation rep = CODEC.decode(cbor, Representation.class, OcfFormat.OCF_CBOR);
                assertTrue(rep.body().isObject() && rep.body().size() > 0, "decoded " + rep);
                // Byte for byte: the device's CBOR must reach the other cloud unchanged.
                assertArrayEquals(cbor, CODEC.encode(rep, OcfFormat.OCF_CBOR));
                byte[] asJson = CODEC.encode(rep, OcfFormat.JSON);
                assertArrayEquals(cbor, CODEC.encode(CODEC.decode(asJson, Representation.class, OcfFormat.JSON), OcfFormat.OCF_CBOR));
            }
            case TYPED, LIST_OF, ANY -> {
                JavaType type = rule.kind == Kind.LIST_OF
                        ? JSON.getTypeFactory().constructCollectionType(List.class, rule.type)
                        : JSON.constructType(rule.type);
                byte[] jsonBytes = JSON.writeValueAsBytes(original);
                Object fromJson = JSON.readValue(jsonBytes, type);
                assertEquals(original, JSON.readTree(JSON.writeValueAsBytes(fromJson)), "JSON → model → JSON");

                byte[] cborBytes = CBOR.writeValueAsBytes(fromJson);
                Object fromCbor = CBOR.readValue(cborBytes, type);
                assertEquals(original, JSON.readTree(JSON.writeValueAsBytes(fromCbor)), "model → CBOR → model → JSON");

                byte[] originalAsCbor = CBOR.writeValueAsBytes(original);
                Object fromOriginalCbor = CBOR.readValue(originalAsCbor, type);
                assertEquals(CBOR.readTree(originalAsCbor), CBOR.readTree(CBOR.writeValueAsBytes(fromOriginalCbor)),
                        "CBOR → model → CBOR");

                if (rule.kind != Kind.ANY) {
                    List<String> unmodelled = new ArrayList<>();
                    collectExtras(fromJson, "$", unmodelled);
                    assertTrue(unmodelled.isEmpty(), "keys the model should name: " + unmodelled);
                }
            }
        }
    }

    /** Keys that landed in an {@link OcfObject}'s catch-all, anywhere in the object graph. */
    static void collectExtras(Object value, String path, List<String> out) {
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                collectExtras(list.get(i), path + "[" + i + "]", out);
            }
            return;
        }
        if (!(value instanceof OcfObject ocf)) {
            return;
        }
        ocf.extra().keySet().forEach(k -> out.add(path + "." + k));
        for (Class<?> c = value.getClass(); c != OcfObject.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isPublic(f.getModifiers()) && !Modifier.isStatic(f.getModifiers())) {
                    try {
                        collectExtras(f.get(value), path + "." + f.getName(), out);
                    } catch (IllegalAccessException e) {
                        fail(e);
                    }
                }
            }
        }
    }

    static List<Example> examples() throws IOException {
        List<Example> out = new ArrayList<>();
        for (String file : FILES) {
            try (InputStream in = SwaggerExamplesRoundTripTest.class.getResourceAsStream("/ocf/openapi/" + file)) {
                assertNotNull(in, "missing test resource " + file);
                collect(file, "", new ObjectMapper().readTree(in), out);
            }
        }
        assertFalse(out.isEmpty());
        return out;
    }

    private static void collect(String file, String pointer, JsonNode node, List<Example> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String child = pointer + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
                if (e.getKey().equals("example") || e.getKey().equals("x-example")) {
                    out.add(new Example(file, child, e.getValue()));
                } else {
                    collect(file, child, e.getValue(), out);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collect(file, pointer + "/" + i, node.get(i), out);
            }
        }
    }
}
