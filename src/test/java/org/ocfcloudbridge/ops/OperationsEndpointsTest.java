package org.ocfcloudbridge.ops;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Logger;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.Protocol;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class OperationsEndpointsTest {

    private static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    @Test
    void livenessIsUp() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void readinessIsUpAndChecksTheDatabase() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Database connections health check"));
    }

    @Test
    void prometheusMetricsIncludeJvmAndHttpServerFigures() {
        given().get(Protocol.HttpPaths.CLOUD_CONFIGURATION).then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("jvm_memory_used_bytes"))
                .body(containsString("http_server_requests_seconds_count"));
    }

    @Test
    void theOpenApiDocumentDescribesOurEndpointsAndSwaggerUiIsServed() {
        given().accept(ContentType.JSON).get("/q/openapi?format=json").then().statusCode(200)
                .body("info.title", equalTo("OCF Cloud Bridge"))
                .body("paths", org.hamcrest.Matchers.hasKey(Protocol.HttpPaths.CLOUD_CONFIGURATION));
        given().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
    }

    /** The document shows the APIs by who calls them, and none of the web page's own forms. */
    @Test
    void theOpenApiDocumentGroupsTheApisByCallerAndLeavesThePagesFormsOut() {
        io.restassured.path.json.JsonPath doc = given().accept(ContentType.JSON).get("/q/openapi?format=json").jsonPath();
        java.util.Map<String, java.util.Map<String, java.util.Map<String, Object>>> paths = doc.getMap("paths");
        java.util.Set<String> groups = java.util.Set.of("Cloud API (Target Cloud)", "Device provisioning (Target Cloud)",
                "Vendor API (Origin Cloud)", "Event inbox (Origin Cloud)", "Administration", "OAuth2 and OpenID Connect");
        java.util.Set<String> seen = new java.util.TreeSet<>();
        paths.forEach((path, operations) -> {
            org.junit.jupiter.api.Assertions.assertFalse(path.startsWith("/console") || path.equals("/"), "a form of the page: " + path);
            org.junit.jupiter.api.Assertions.assertFalse(path.endsWith("/login") || path.endsWith("/consent"), "a form of the login pages: " + path);
            operations.forEach((method, op) -> {
                @SuppressWarnings("unchecked")
                java.util.List<String> tags = (java.util.List<String>) op.get("tags");
                org.junit.jupiter.api.Assertions.assertTrue(tags != null && groups.containsAll(tags) && !tags.isEmpty(),
                        method + " " + path + " is in no group: " + tags);
                seen.addAll(tags);
            });
        });
        org.junit.jupiter.api.Assertions.assertEquals(new java.util.TreeSet<>(groups), seen);
    }

    @Test
    void aFaviconIsServed() {
        given().get("/favicon.ico").then().statusCode(200);
    }

    @Test
    void aCallersCorrelationIdIsEchoedAndGivenToTheLogContext() {
        List<ExtLogRecord> records = new CopyOnWriteArrayList<>();
        Logger logger = Logger.getLogger(CorrelationId.class.getName());
        ExtHandler capture = new ExtHandler() {
            @Override
            protected void doPublish(ExtLogRecord record) {
                record.copyAll();
                records.add(record);
            }
        };
        logger.addHandler(capture);
        try {
            given().header(Protocol.Headers.CORRELATION_ID, "c0ffee-42")
                    .get(Protocol.HttpPaths.CLOUD_CONFIGURATION)
                    .then().statusCode(200).header(Protocol.Headers.CORRELATION_ID, "c0ffee-42");
        } finally {
            logger.removeHandler(capture);
        }
        ExtLogRecord line = records.stream().filter(r -> r.getLevel().intValue() <= Level.FINE.intValue()).findFirst()
                .orElseThrow(() -> new AssertionError("no request log line"));
        assertEquals("c0ffee-42", line.getMdc(CorrelationId.MDC_KEY));
        assertTrue(line.getFormattedMessage().contains(Protocol.HttpPaths.CLOUD_CONFIGURATION), line.getFormattedMessage());
    }

    @Test
    void aRequestWithoutCorrelationIdGetsANewOne() {
        given().get(Protocol.HttpPaths.CLOUD_CONFIGURATION).then().statusCode(200)
                .header(Protocol.Headers.CORRELATION_ID, matchesPattern(UUID_PATTERN));
    }

    @Test
    void anUnsafeCorrelationIdIsReplacedNotLogged() {
        given().header(Protocol.Headers.CORRELATION_ID, "evil\u0007id with spaces and a very long tail that goes on and on and on")
                .get(Protocol.HttpPaths.CLOUD_CONFIGURATION).then().statusCode(200)
                .header(Protocol.Headers.CORRELATION_ID, matchesPattern(UUID_PATTERN));
    }

    @Test
    void theRootPageLinksToTheOperatorPages() {
        given().get("/").then().statusCode(200).contentType(ContentType.HTML)
                .body(containsString("OCF Cloud Bridge"))
                .body(containsString("href=\"" + Protocol.HttpPaths.CLOUD_CONFIGURATION + "\""))
                .body(containsString("href=\"/q/swagger-ui\""));
    }

    @Test
    void anUnknownPathIsAPlain404() {
        given().get("/no/such/thing").then().statusCode(404).header(Protocol.Headers.CORRELATION_ID, notNullValue());
    }
}
