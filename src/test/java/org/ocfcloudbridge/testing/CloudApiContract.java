package org.ocfcloudbridge.testing;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolverFactory;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import io.restassured.response.Response;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfFormat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The OCF's own swagger (Annex B of Part 10) as the contract of our Cloud API, checked by kept validator libraries:
 * Atlassian's swagger-request-validator for whole responses (status, media type, body) and networknt's JSON Schema
 * validator for single definitions (notification bodies).
 * <p>
 * The file is not usable as it is (see shared/notes/swagger-validation.md), so it is prepared here: external
 * {@code $ref}s are inlined from the local copies of the OCF schema files; the {@code ?content=base} and
 * {@code ?content=all} path keys become two documents; the document is converted to OpenAPI 3.0.3; the resource
 * bodies, typed in the swagger as strings (base64 CBOR in its examples), are taken as any JSON value, since a JSON
 * representation is an object; CBOR bodies are decoded and checked as JSON. Error responses may carry a short
 * text/plain reason, which the swagger calls the "diagnostic payload" without defining it: only for those is an
 * unexpected body allowed.
 */
public final class CloudApiContract {

    private static final String DIR = "ocf/openapi/";
    private static final String MAIN = "oic.r.cloudapiforcloudservices.swagger.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> ANY_BODY = List.of("ResourceRetrieveResponse", "ResourceUpdateRequest", "ResourceContentChangedEvent");

    private static CloudApiContract instance;

    private final Map<String, OpenApiInteractionValidator> byContent = new HashMap<>();
    private final SchemaRegistry schemas;

    private CloudApiContract() {
        JsonNode swagger = load(MAIN);
        for (String content : List.of("base", "all")) {
            String oas = toOpenApi3(swagger, content);
            try {
                byContent.put(content, OpenApiInteractionValidator.createForInlineApiSpecification(oas)
                        .withLevelResolver(LevelResolverFactory.withAdditionalPropertiesIgnored()).build());
            } catch (OpenApiInteractionValidator.ApiLoadException e) {
                throw new IllegalStateException("the prepared swagger does not load: " + e.getParseMessages() + "\n" + oas, e);
            }
        }
        schemas = SchemaRegistry.withDialect(Dialects.getDraft4(), b -> b
                .schemaIdResolvers(r -> r
                        .mapPrefix("https://openconnectivityfoundation.github.io/core/schemas/", "classpath:" + DIR)
                        .mapPrefix("http://openconnectivityfoundation.github.io/core/schemas/", "classpath:" + DIR)
                        .mapPrefix("https://openconnectivityfoundation.github.io/core/swagger2.0/", "classpath:" + DIR)
                        .mapPrefix("http://openconnectivityfoundation.github.io/core/swagger2.0/", "classpath:" + DIR))
                // OCF hrefs are relative paths although the schema says format uri.
                .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(false).build()));
    }

    public static synchronized CloudApiContract get() {
        if (instance == null) {
            instance = new CloudApiContract();
        }
        return instance;
    }

    /**
     * Asserts that a response of {@code method path} (a path under /api/v1 as sent, query included) is what the
     * swagger allows. A CBOR body is decoded and validated as the JSON it stands for.
     */
    public void assertValid(String method, String path, Response r) {
        assertValid(method, path, r.statusCode(), r.getContentType(), r.asByteArray());
    }

    public void assertValid(String method, String path, int status, String contentType, byte[] body) {
        String query = path.contains("?") ? path.substring(path.indexOf('?') + 1) : "";
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        String content = query.contains("content=all") ? "all" : "base";
        String mediaType = contentType == null || contentType.isEmpty() ? null : contentType.split(";")[0].trim();
        String text = body.length == 0 ? null : new String(body, StandardCharsets.UTF_8);
        if ("application/vnd.ocf+cbor".equals(mediaType) && body.length > 0) {
            text = new String(OcfCodec.get().encode(OcfCodec.get().decodeTree(body, OcfFormat.OCF_CBOR), OcfFormat.JSON),
                    StandardCharsets.UTF_8);
            // The media type itself is checked first, then the decoded body as JSON.
            report(method, bare, SimpleResponse.Builder.status(status).withContentType(mediaType).withBody(text).build(),
                    content, status, body);
            mediaType = "application/json";
        }
        SimpleResponse.Builder b = SimpleResponse.Builder.status(status);
        if (mediaType != null) {
            b.withContentType(mediaType);
        }
        if (text != null) {
            b.withBody(text);
        }
        report(method, bare, b.build(), content, status, body);
    }

    private void report(String method, String path, SimpleResponse response, String content, int status, byte[] body) {
        ValidationReport report = byContent.get(content).validateResponse(encodeHref(path), Request.Method.valueOf(method), response);
        List<ValidationReport.Message> errors = report.getMessages().stream()
                .filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
                .filter(m -> !(status >= 400 && m.getKey().equals("validation.response.body.unexpected")))
                .toList();
        if (!errors.isEmpty()) {
            fail(method + " " + path + " -> " + status + " breaks the OCF swagger: "
                    + errors.stream().map(m -> m.getKey() + ": " + m.getMessage()).collect(Collectors.joining("; "))
                    + "\nbody: " + new String(body, StandardCharsets.UTF_8));
        }
    }

    /** Asserts that {@code json} is valid against {@code #/definitions/<definition>} of the swagger. */
    public void assertDefinition(String definition, String json) {
        Schema schema = schemas.getSchema(SchemaLocation.of("classpath:" + DIR + MAIN + "#/definitions/" + definition));
        List<Error> errors = schema.validate(json, InputFormat.JSON);
        assertTrue(errors.isEmpty(), definition + ": " + errors + "\n" + json);
    }

    /** The resource href is one path segment in the swagger: its slashes go as %2F. */
    private static String encodeHref(String path) {
        String prefix = "/api/v1/devices/";
        if (!path.startsWith(prefix)) {
            return path;
        }
        String[] rest = path.substring(prefix.length()).split("/", -1);
        if (rest.length <= 2) {
            return path;
        }
        if (rest[1].equals("subscriptions") && rest.length <= 3) {
            return path;
        }
        int end = rest.length;
        String tail = "";
        if (rest.length >= 3 && rest[rest.length - 1].equals("subscriptions")) {
            end = rest.length - 1;
            tail = "/subscriptions";
        } else if (rest.length >= 4 && rest[rest.length - 2].equals("subscriptions")) {
            end = rest.length - 2;
            tail = "/subscriptions/" + rest[rest.length - 1];
        }
        if (end <= 1 || (end == 2 && rest[1].equals("subscriptions"))) {
            return path;
        }
        String href = String.join("/", java.util.Arrays.copyOfRange(rest, 1, end));
        return prefix + rest[0] + "/" + URLEncoder.encode(href, StandardCharsets.UTF_8).replace("+", "%20") + tail;
    }

    // ---- preparing the swagger ----

    private static JsonNode load(String file) {
        try (InputStream in = CloudApiContract.class.getClassLoader().getResourceAsStream(DIR + file)) {
            if (in == null) {
                throw new IllegalStateException("missing " + DIR + file);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces every reference to another file (and, inside other files, every reference at all) by its target. */
    private static JsonNode inline(JsonNode node, String file) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && ref.isTextual()) {
                String target = ref.asText();
                int hash = target.indexOf('#');
                String targetFile = hash == 0 ? file : target.substring(target.lastIndexOf('/', hash < 0 ? target.length() : hash) + 1,
                        hash < 0 ? target.length() : hash);
                String pointer = hash < 0 ? "" : target.substring(hash + 1);
                if (targetFile.equals(MAIN)) {
                    return node.deepCopy();
                }
                return inline(load(targetFile).at(pointer), targetFile);
            }
            ObjectNode out = JSON.createObjectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!file.equals(MAIN) && List.of("$schema", "id", "$id", "definitions").contains(e.getKey())) {
                    continue;
                }
                out.set(e.getKey(), inline(e.getValue(), file));
            }
            if ("array".equals(out.path("type").asText()) && !out.has("items")) {
                out.set("items", JSON.createObjectNode());
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JSON.createArrayNode();
            node.forEach(n -> out.add(inline(n, file)));
            return out;
        }
        return node;
    }

    private static String toOpenApi3(JsonNode swagger, String content) {
        JsonNode inlined = inline(swagger, MAIN);
        ObjectNode oas = JSON.createObjectNode();
        oas.put("openapi", "3.0.3");
        oas.putObject("info").put("title", "OCF Cloud API for Cloud Services").put("version", inlined.path("info").path("version").asText());
        ObjectNode paths = oas.putObject("paths");
        ObjectNode schemas = oas.putObject("components").putObject("schemas");
        inlined.path("definitions").fields().forEachRemaining(e -> schemas.set(e.getKey(),
                ANY_BODY.contains(e.getKey()) ? JSON.createObjectNode() : renameRefs(e.getValue())));
        inlined.path("paths").fields().forEachRemaining(p -> {
            String key = p.getKey();
            if (key.contains("?content=") && !key.endsWith("?content=" + content)) {
                return;
            }
            ObjectNode item = paths.putObject(key.contains("?") ? key.substring(0, key.indexOf('?')) : key);
            p.getValue().fields().forEachRemaining(m -> {
                if (m.getKey().equals("parameters")) {
                    return;
                }
                JsonNode op = m.getValue();
                ObjectNode out = item.putObject(m.getKey());
                ArrayNode params = out.putArray("parameters");
                List<JsonNode> declared = new java.util.ArrayList<>();
                p.getValue().path("parameters").forEach(declared::add);
                op.path("parameters").forEach(declared::add);
                java.util.Set<String> seen = new java.util.HashSet<>();
                for (JsonNode prm : declared) {
                    JsonNode resolved = prm.has("$ref") ? inlined.at(prm.get("$ref").asText().substring(1)) : prm;
                    if ("path".equals(resolved.path("in").asText()) && seen.add(resolved.get("name").asText())) {
                        params.addObject().put("name", resolved.get("name").asText()).put("in", "path").put("required", true)
                                .putObject("schema").put("type", "string");
                    }
                }
                List<String> produces = op.has("produces")
                        ? JSON.convertValue(op.get("produces"), JSON.getTypeFactory().constructCollectionType(List.class, String.class))
                        : List.of("application/json");
                ObjectNode responses = out.putObject("responses");
                op.path("responses").fields().forEachRemaining(r -> {
                    JsonNode resp = r.getValue();
                    ObjectNode converted = responses.putObject(r.getKey());
                    JsonNode schema = null;
                    String ref = resp.path("$ref").asText();
                    if (ref.startsWith("#/responses/")) {
                        converted.put("description", inlined.at(ref.substring(1)).path("description").asText("-"));
                    } else if (ref.startsWith("#/definitions/")) {
                        // The swagger puts a definition where a response belongs: it means "this is the body".
                        converted.put("description", r.getKey());
                        schema = JSON.createObjectNode().put("$ref", ref);
                    } else {
                        converted.put("description", resp.path("description").asText("-"));
                        schema = resp.get("schema");
                    }
                    if (schema != null) {
                        ObjectNode media = converted.putObject("content");
                        for (String type : produces) {
                            media.putObject(type).set("schema", renameRefs(schema));
                        }
                    }
                });
            });
        });
        try {
            return JSON.writeValueAsString(oas);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode renameRefs(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = JSON.createObjectNode();
            node.fields().forEachRemaining(e -> {
                if (e.getKey().equals("default") || e.getKey().equals("example")) {
                    // Examples and defaults of the OCF file are not always of their own type; they validate nothing.
                    return;
                }
                if (e.getKey().equals("$ref") && e.getValue().asText().startsWith("#/definitions/")) {
                    out.put("$ref", "#/components/schemas/" + e.getValue().asText().substring("#/definitions/".length()));
                } else {
                    out.set(e.getKey(), renameRefs(e.getValue()));
                }
            });
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JSON.createArrayNode();
            node.forEach(n -> out.add(renameRefs(n)));
            return out;
        }
        return node;
    }

    /** For tests that check a status is one the swagger lists. */
    public static void assertStatus(int expected, Response r) {
        assertEquals(expected, r.statusCode(), r.asString());
    }
}
