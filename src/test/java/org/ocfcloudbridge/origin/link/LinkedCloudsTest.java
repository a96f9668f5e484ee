package org.ocfcloudbridge.origin.link;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfcloudbridge.targetcloud.coap.TlsMaterial;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.LogCapture;
import org.ocfcloudbridge.testing.OAuthTestClient;
import org.ocfcloudbridge.testing.OriginLinks;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Target Clouds described by their issuer (endpoints discovered) and with their own trusted CA. */
@QuarkusTest
class LinkedCloudsTest {

    static Map<String, Object> cloud(String name, String issuer, String trustedCa) {
        Map<String, Object> m = new HashMap<>();
        m.put("name", name);
        m.put("apiUrl", OriginLinks.base() + "/api/v1");
        m.put("clientId", "some-client");
        if (issuer != null) {
            m.put("issuer", issuer);
        }
        if (trustedCa != null) {
            m.put("trustedCa", trustedCa);
        }
        return m;
    }

    static Response add(Map<String, Object> body) {
        return given().auth().oauth2(OAuthTestClient.adminToken()).contentType("application/json").body(body).post("/api/admin/clouds");
    }

    static String name() {
        return "c-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aCloudGivenByItsIssuerGetsItsEndpointsFromDiscoveryAndLinksThroughThem() {
        // The issuer is this daemon's public URL, which its discovery document names.
        String base = OriginLinks.BASE;
        String secret = "discovered-secret-" + UUID.randomUUID();
        String client = OAuthTestClient.newClient(base + "/link/callback", secret, List.of("r:*", "w:*"));
        Map<String, Object> body = cloud(name(), base, null);
        body.put("clientId", client);
        body.put("clientSecret", secret);
        Response added = add(body);
        org.junit.jupiter.api.Assertions.assertEquals(201, added.statusCode(), added.asString());
        added.then()
                .body("authorizationEndpoint", equalTo(base + "/oauth2/authorize"))
                .body("tokenEndpoint", equalTo(base + "/oauth2/token"));
        String vendorToken = CloudApiUsers.vendorToken(OAuthTestClient.newUser());
        assertNotNull(UUID.fromString(OriginLinks.link((String) body.get("name"), vendorToken, OAuthTestClient.newUser())));
    }

    @Test
    void aCloudGivenByItsIssuerAloneTakesTheCloudApiUrlItsTargetPublishes() {
        // This daemon's Target role publishes cloudApiUrl in /.well-known/ocf-cloud-configuration under its issuer.
        String base = OriginLinks.BASE;
        given().get("/.well-known/ocf-cloud-configuration").then().statusCode(200)
                .body("cloudApiUrl", equalTo(base + "/api/v1"));
        String secret = "derived-secret-" + UUID.randomUUID();
        String client = OAuthTestClient.newClient(base + "/link/callback", secret, List.of("r:*", "w:*"));
        Map<String, Object> body = cloud(name(), base, null);
        body.remove("apiUrl");
        body.put("clientId", client);
        body.put("clientSecret", secret);
        Response added = add(body);
        assertEquals(201, added.statusCode(), added.asString());
        added.then().body("apiUrl", equalTo(base + "/api/v1"));
        // The link's first sync reads the devices through the derived URL.
        String[] vendorUser = OAuthTestClient.newUser();
        String vendorToken = CloudApiUsers.vendorToken(vendorUser);
        String link = OriginLinks.link((String) body.get("name"), vendorToken, OAuthTestClient.newUser());
        given().auth().oauth2(vendorToken).get("/api/v1/links/" + link + "/devices").then().statusCode(200);
    }

    @Test
    void withoutApiUrlAnIssuerThatPublishesNoCloudApiUrlIsRefusedNamingApiUrl() throws Exception {
        // An identity server that is no OCF Cloud: discovery works, the OCF document is not there.
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String issuer = "http://127.0.0.1:" + server.getAddress().getPort();
        server.createContext("/", ex -> {
            byte[] doc = ("{\"issuer\":\"" + issuer + "\",\"authorization_endpoint\":\"" + issuer + "/authorize\","
                    + "\"token_endpoint\":\"" + issuer + "/token\"}").getBytes(StandardCharsets.UTF_8);
            if (ex.getRequestURI().getPath().equals("/.well-known/openid-configuration")) {
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(200, doc.length);
                ex.getResponseBody().write(doc);
            } else {
                ex.sendResponseHeaders(404, -1);
            }
            ex.close();
        });
        server.start();
        try {
            Map<String, Object> body = cloud(name(), issuer, null);
            body.remove("apiUrl");
            add(body).then().statusCode(400).body("error", equalTo("apiUrl is not set and " + issuer
                    + "/.well-known/ocf-cloud-configuration publishes no cloudApiUrl: set it to the Target's Cloud API base URL,"
                    + " /api/v1 included"));
            Map<String, Object> noIssuer = cloud(name(), null, null);
            noIssuer.remove("apiUrl");
            noIssuer.put("authorizationEndpoint", issuer + "/authorize");
            noIssuer.put("tokenEndpoint", issuer + "/token");
            add(noIssuer).then().statusCode(400).body("error", containsString("apiUrl is required when issuer is not set"));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void discoveryThatCannotBeTrustedOrReachedIsRefusedAlikeWithoutSayingWhatAnswered() {
        try (LogCapture log = new LogCapture()) {
            // The same document fetched under another name names its own issuer: not the one asked for.
            Response otherIssuer = add(cloud(name(), OriginLinks.BASE.replace("localhost", "127.0.0.1"), null));
            Response nothingListens = add(cloud(name(), "http://127.0.0.1:9", null));
            Response notFound = add(cloud(name(), OriginLinks.BASE + "/no-issuer-here", null));
            // The admin API must not be a way to learn what answers where: one status and one text for all.
            for (Response r : List.of(otherIssuer, nothingListens, notFound)) {
                assertEquals(502, r.statusCode(), r.asString());
                assertEquals("the issuer's discovery document could not be used (the daemon's log says why)",
                        r.jsonPath().getString("error"));
            }
            // The operator reads what happened in the log.
            assertTrue(log.lines().stream().anyMatch(l -> l.contains("names another issuer")), "log: another issuer");
            assertTrue(log.lines().stream().anyMatch(l -> l.contains("answered 404")), "log: 404");
            assertTrue(log.lines().stream().anyMatch(l -> l.contains("cannot be read: 127.0.0.1 refused the connection")),
                    "log: nothing listens");
        }
        add(cloud(name(), null, null)).then().statusCode(400).body("error", containsString("issuer"));
        add(cloud(name(), OriginLinks.BASE, "not a certificate")).then().statusCode(400).body("error", containsString("trustedCa"));
    }

    @Test
    void aCloudsOwnTrustedCaIsWhatItsTlsIsCheckedAgainst(@TempDir Path dir) throws Exception {
        Path[] pair = TlsMaterial.selfSigned(dir, UUID.randomUUID(), List.of("127.0.0.1"));
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(TlsMaterial.serverContext(pair[0], pair[1], null)));
        String issuer = "https://127.0.0.1:" + server.getAddress().getPort();
        java.util.concurrent.atomic.AtomicBoolean downgrade = new java.util.concurrent.atomic.AtomicBoolean();
        server.createContext("/.well-known/openid-configuration", ex -> {
            String token = downgrade.get() ? issuer.replace("https:", "http:") + "/token" : issuer + "/token";
            byte[] doc = ("{\"issuer\":\"" + issuer + "\",\"authorization_endpoint\":\"" + issuer + "/authorize\","
                    + "\"token_endpoint\":\"" + token + "\"}").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, doc.length);
            ex.getResponseBody().write(doc);
            ex.close();
        });
        server.start();
        try {
            add(cloud(name(), issuer, null)).then().statusCode(502);
            String pem = Files.readString(pair[0]);
            add(cloud(name(), issuer, pem)).then().statusCode(201).body("tokenEndpoint", equalTo(issuer + "/token"))
                    .body("trustedCa", equalTo(true));
            add(cloud(name(), issuer, pair[0].toString())).then().statusCode(201);
            // An https issuer may not send the client secret and refresh tokens to a plain http token endpoint.
            downgrade.set(true);
            add(cloud(name(), issuer, pem)).then().statusCode(502).body("error", containsString("discovery document"));
        } finally {
            server.stop(0);
        }
    }
}
