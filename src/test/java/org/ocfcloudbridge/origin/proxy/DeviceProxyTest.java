package org.ocfcloudbridge.origin.proxy;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.origin.link.TargetClient;
import org.ocfcloudbridge.store.DataCipher;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.store.LinkedAccount;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.OAuthTestClient;
import org.ocfcloudbridge.testing.OriginLinks;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The vendor reads and updates a linked device through both roles: bridge (Origin) → Cloud API (Target) → CoAP → device. */
@QuarkusTest
class DeviceProxyTest {

    @Inject
    CoapGateway gateway;

    @Inject
    DataCipher cipher;

    @Inject
    TargetClient target;

    @Test
    void theVendorReadsAndUpdatesALinkedDeviceInJsonAndCborAndTokensAreRefreshedOnTheWay() throws Exception {
        String cloud = OriginLinks.registerCloud();
        String vendorToken = CloudApiUsers.vendorToken(OAuthTestClient.newUser());
        String[] alice = OAuthTestClient.newUser();
        SimulatedDevice device = CloudApiUsers.onlineDevice(alice, gateway.tcpPort());
        try {
            String link = OriginLinks.link(cloud, vendorToken, alice);
            String path = "/api/v1/links/" + link + "/devices/" + device.di() + "/switch";

            Response read = given().auth().oauth2(vendorToken).accept("application/json").get(path);
            assertEquals(200, read.statusCode(), read.asString());
            assertFalse(read.jsonPath().getBoolean("value"));

            Response update = given().auth().oauth2(vendorToken).contentType("application/json").body("{\"value\":true}").post(path);
            assertEquals(200, update.statusCode(), update.asString());
            assertTrue(device.switchResource().representation().get("value").asBoolean(), "the device itself changed");

            Response cbor = given().auth().oauth2(vendorToken).accept("application/vnd.ocf+cbor").get(path);
            assertEquals("application/vnd.ocf+cbor", cbor.getContentType());
            assertTrue(OcfCodec.get().decodeTree(cbor.asByteArray(), OcfFormat.OCF_CBOR).get("value").asBoolean());

            // The token is about to expire: refreshed before the call, the call still answers. The link's syncs must be
            // done first: one still calling the Target could put the session it read back after forget().
            OriginLinks.settled(link);
            UUID id = UUID.fromString(link);
            String before = QuarkusTransaction.requiringNew().call(() -> LinkedAccount.<LinkedAccount>findById(id)).accessToken;
            QuarkusTransaction.requiringNew().run(() -> LinkedAccount.update("tokenExpiresAt = ?1, updatedAt = ?2 where id = ?3",
                    OffsetDateTime.now().plusSeconds(5), OffsetDateTime.now().minusHours(1), id));
            // Rows changed behind the bridge's back: drop the session it keeps, as it does itself when it changes them.
            target.forget(id);
            assertEquals(200, given().auth().oauth2(vendorToken).get(path).statusCode());
            String after = QuarkusTransaction.requiringNew().call(() -> LinkedAccount.<LinkedAccount>findById(id)).accessToken;
            assertNotEquals(cipher.open(before), cipher.open(after), "a new access token");

            // The Target no longer takes the stored token (401): one refresh, one retry, and the vendor never notices.
            QuarkusTransaction.requiringNew().run(() -> LinkedAccount.update("accessToken = ?1, tokenExpiresAt = ?2 where id = ?3",
                    cipher.seal("revoked-or-garbage"), OffsetDateTime.now().plusHours(1), id));
            target.forget(id);
            assertEquals(200, given().auth().oauth2(vendorToken).get(path).statusCode(), "refreshed after a 401");
            assertNotEquals("revoked-or-garbage", cipher.open(QuarkusTransaction.requiringNew().call(
                    () -> LinkedAccount.<LinkedAccount>findById(id)).accessToken));

            given().auth().oauth2(CloudApiUsers.vendorToken(OAuthTestClient.newUser())).get(path).then().statusCode(404);
            given().get(path).then().statusCode(401);
            given().auth().oauth2(vendorToken).get("/api/v1/links/" + link + "/devices/" + UUID.randomUUID() + "/switch")
                    .then().statusCode(404);

            // The Target refuses the refresh token: the link needs its user again, and says so.
            QuarkusTransaction.requiringNew().run(() -> LinkedAccount.update(
                    "tokenExpiresAt = ?1, refreshToken = ?2 where id = ?3", OffsetDateTime.now(), cipher.seal("refused"), id));
            target.forget(id);
            Response conflict = given().auth().oauth2(vendorToken).get(path);
            assertEquals(409, conflict.statusCode(), conflict.asString());
            given().auth().oauth2(vendorToken).get("/api/v1/links/" + link).then().statusCode(200)
                    .body("state", org.hamcrest.Matchers.equalTo("reauthorize"));
            // Another vendor user learns nothing of that link, not even that it waits for its user.
            given().auth().oauth2(CloudApiUsers.vendorToken(OAuthTestClient.newUser())).get(path).then().statusCode(404);
        } finally {
            device.shutdown();
        }
    }

    /**
     * Many proxied calls meet a token the Target refuses at once: all of them answer, after one refresh between them.
     * The Target takes each refresh token once (a second use ends the grant), so a refresh per call would unlink.
     */
    @Test
    void aBurstOfCallsMeetingARefusedTokenSharesOneRefresh() throws Exception {
        OriginLinks.Linked linked = OriginLinks.linkedDevice(gateway.tcpPort());
        String vendorToken = linked.vendorToken();
        SimulatedDevice device = linked.device();
        String link = linked.link();
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(16);
        try {
            String path = "/api/v1/links/" + link + "/devices/" + device.di() + "/switch";
            UUID id = UUID.fromString(link);
            given().auth().oauth2(vendorToken).get(path).then().statusCode(200);
            UUID grant = QuarkusTransaction.requiringNew().call(() -> org.ocfcloudbridge.store.RefreshToken.<org.ocfcloudbridge.store.RefreshToken>findById(
                    org.ocfcloudbridge.identity.Secrets.sha256Hex(cipher.open(LinkedAccount.<LinkedAccount>findById(id).refreshToken)))).grantId;
            java.util.function.Supplier<Long> used = () -> QuarkusTransaction.requiringNew().call(() ->
                    org.ocfcloudbridge.store.RefreshToken.count("grantId = ?1 and usedAt is not null", grant));
            long usedBefore = used.get();

            QuarkusTransaction.requiringNew().run(() -> LinkedAccount.update("accessToken = ?1, tokenExpiresAt = ?2 where id = ?3",
                    cipher.seal("revoked-or-garbage"), OffsetDateTime.now().plusHours(1), id));
            target.forget(id);
            List<java.util.concurrent.Future<Integer>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 32; i++) {
                calls.add(callers.submit(() -> given().auth().oauth2(vendorToken).get(path).statusCode()));
            }
            for (java.util.concurrent.Future<Integer> c : calls) {
                assertEquals(200, c.get(30, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertEquals(usedBefore + 1, used.get(), "one refresh token used for the whole burst");
            given().auth().oauth2(vendorToken).get("/api/v1/links/" + link).then().statusCode(200)
                    .body("state", org.hamcrest.Matchers.equalTo("linked"));
        } finally {
            callers.shutdownNow();
            device.shutdown();
        }
    }

    @Test
    void anOfflineDeviceIs504WithRetryAfterThroughTheProxy() throws Exception {
        String cloud = OriginLinks.registerCloud();
        String vendorToken = CloudApiUsers.vendorToken(OAuthTestClient.newUser());
        String[] alice = OAuthTestClient.newUser();
        SimulatedDevice device = CloudApiUsers.onlineDevice(alice, gateway.tcpPort());
        String link = OriginLinks.link(cloud, vendorToken, alice);
        device.shutdown();
        String path = "/api/v1/links/" + link + "/devices/" + device.di() + "/switch";
        Response r = null;
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end) {
            r = given().auth().oauth2(vendorToken).get(path);
            if (r.statusCode() == 504) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals(504, r.statusCode());
        assertEquals("7", r.header("Retry-After"));
    }

    @Test
    void anUnlinkedAccountStopsProxyingAtOnceThoughItsSessionWasWarm() throws Exception {
        String cloud = OriginLinks.registerCloud();
        String vendorToken = CloudApiUsers.vendorToken(OAuthTestClient.newUser());
        String[] alice = OAuthTestClient.newUser();
        SimulatedDevice device = CloudApiUsers.onlineDevice(alice, gateway.tcpPort());
        try {
            String link = OriginLinks.link(cloud, vendorToken, alice);
            String path = "/api/v1/links/" + link + "/devices/" + device.di() + "/switch";
            given().auth().oauth2(vendorToken).get(path).then().statusCode(200);
            given().auth().oauth2(vendorToken).delete("/api/v1/links/" + link).then().statusCode(204);
            given().auth().oauth2(vendorToken).get(path).then().statusCode(404);
        } finally {
            device.shutdown();
        }
    }
}
