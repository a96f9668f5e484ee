package org.ocfcloudbridge.origin;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.OAuthTestClient;
import org.ocfcloudbridge.testing.OriginLinks;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who may use the Origin role's vendor API with the embedded provider standing in for the vendor: user tokens of the
 * allowed clients, reading with {@code r:*} and changing with {@code w:*}; never a client's, the admin's or a device's.
 */
@QuarkusTest
class VendorApiAccessTest {

    @Inject
    CoapGateway gateway;

    @Test
    void aReadOnlyVendorTokenReadsButCannotWriteUnlinkResyncOrStartALink() throws Exception {
        OriginLinks.Linked linked = OriginLinks.linkedDevice(gateway.tcpPort());
        try {
            // The link's own vendor user, with a token of read scope only.
            String readOnly = CloudApiUsers.vendorToken(linked.vendorUser(), "r:*");
            String path = "/api/v1/links/" + linked.link() + "/devices/" + linked.device().di() + "/switch";

            given().auth().oauth2(readOnly).get("/api/v1/links").then().statusCode(200);
            given().auth().oauth2(readOnly).accept("application/json").get(path).then().statusCode(200);

            Response write = given().auth().oauth2(readOnly).contentType("application/json").body("{\"value\":true}").post(path);
            assertEquals(403, write.statusCode(), write.asString());
            assertEquals("Bearer realm=\"vendor\", error=\"insufficient_scope\", scope=\"w:*\"", write.header("WWW-Authenticate"));
            assertFalse(linked.device().switchResource().representation().get("value").asBoolean(), "the switch did not change");

            given().auth().oauth2(readOnly).post("/api/v1/links/" + linked.link() + "/resync").then().statusCode(403);
            given().auth().oauth2(readOnly).delete("/api/v1/links/" + linked.link()).then().statusCode(403);
            given().auth().oauth2(linked.vendorToken()).get("/api/v1/links/" + linked.link()).then().statusCode(200)
                    .body("state", equalTo("linked"));
            given().redirects().follow(false).queryParam("token", readOnly).get("/link/" + OriginLinks.registerCloud())
                    .then().statusCode(403);

            // The same path with both scopes works.
            given().auth().oauth2(linked.vendorToken()).contentType("application/json").body("{\"value\":true}").post(path)
                    .then().statusCode(200);
            // An Accept header nobody can parse is the client's mistake, never a 500 (found by HttpEntryPointsFuzzTest).
            for (String href : new String[] {path, "/api/v1/links/" + linked.link() + "/devices/" + linked.device().di() + "/%2F"}) {
                Response unparsable = given().urlEncodingEnabled(false).auth().oauth2(linked.vendorToken())
                        .contentType("application/vnd.ocf+cbor").header("Accept", ",,,;").body(new byte[] {(byte) 0xa0}).post(href);
                assertTrue(unparsable.statusCode() < 500, href + ": " + unparsable.statusCode() + " " + unparsable.asString());
            }
        } finally {
            linked.device().shutdown();
        }
    }

    @Test
    void clientAdminDeviceAndOtherClientsTokensAreNotVendorTokens() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String admin = OAuthTestClient.adminToken();
        String secret = "cc-secret-0123456789-" + System.nanoTime();
        String cc = "cc-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(admin).contentType("application/json").body(java.util.Map.of("clientId", cc, "redirectUris",
                List.of("http://127.0.0.1:9/cc"), "scopes", List.of("r:*", "w:*"), "grantTypes", List.of("client_credentials"),
                "secret", secret)).post("/api/admin/clients").then().statusCode(201);
        String clientToken = given().auth().preemptive().basic(cc, secret).formParam("grant_type", "client_credentials")
                .post("/oauth2/token").then().statusCode(200).extract().path("access_token");
        String otherClients = CloudApiUsers.token(user, "r:* w:*");
        var device = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
        try {
            for (String token : List.of(admin, clientToken, otherClients, device.accessToken())) {
                given().auth().oauth2(token).get("/api/v1/links").then().statusCode(401)
                        .header("WWW-Authenticate", containsString("Bearer"));
                given().auth().oauth2(token).get("/api/v1/events").then().statusCode(401);
            }
            given().auth().oauth2(CloudApiUsers.vendorToken(user)).get("/api/v1/links").then().statusCode(200);
        } finally {
            device.shutdown();
        }
    }
}
