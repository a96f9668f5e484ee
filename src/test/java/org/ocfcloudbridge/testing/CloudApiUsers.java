package org.ocfcloudbridge.testing;

import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.testing.OAuthTestClient.Pkce;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;

/** Users of the Cloud API with their tokens, and simulated devices of theirs online at the gateway. */
public final class CloudApiUsers {

    private static final String REDIRECT = "http://127.0.0.1:9/origin-cloud";
    /** One client per daemon under test (ITs start several daemons in one JVM). */
    private static final Map<String, String> CLIENTS = new java.util.concurrent.ConcurrentHashMap<>();

    private CloudApiUsers() {
    }

    private static String client() {
        return CLIENTS.computeIfAbsent(io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port,
                k -> OAuthTestClient.newClient(REDIRECT, null, List.of("r:*", "w:*")));
    }

    /**
     * The vendor cloud's own client: the Origin role accepts embedded-provider tokens as vendor tokens only from the
     * clients {@code bridge.origin.vendor.embedded-clients} names (tests and ITs name this one).
     */
    public static final String VENDOR_CLIENT = "vendor-app";
    private static final Map<String, Boolean> VENDOR_CLIENTS = new java.util.concurrent.ConcurrentHashMap<>();

    /** A vendor user's token (read and write) for the Origin role's vendor API, from the vendor's client. */
    public static String vendorToken(String[] user) {
        return vendorToken(user, "r:* w:*");
    }

    /** A vendor user's token with {@code scope} from the vendor's client. */
    public static String vendorToken(String[] user, String scope) {
        VENDOR_CLIENTS.computeIfAbsent(io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port, k -> {
            int status = given().auth().oauth2(OAuthTestClient.adminToken()).contentType("application/json")
                    .body(Map.of("clientId", VENDOR_CLIENT, "redirectUris", List.of(REDIRECT), "scopes", List.of("r:*", "w:*")))
                    .post("/api/admin/clients").statusCode();
            if (status != 201 && status != 409) {
                throw new AssertionError("cannot register the vendor client: " + status);
            }
            return true;
        });
        Pkce pkce = Pkce.create();
        String code = OAuthTestClient.code(VENDOR_CLIENT, REDIRECT, user, pkce, scope);
        return OAuthTestClient.exchange(VENDOR_CLIENT, null, code, REDIRECT, pkce.verifier()).then().statusCode(200)
                .extract().path("access_token");
    }

    /** An access token of {@code user} with {@code scope} for an Origin Cloud client. */
    public static String token(String[] user, String scope) {
        Pkce pkce = Pkce.create();
        String code = OAuthTestClient.code(client(), REDIRECT, user, pkce, scope);
        return OAuthTestClient.exchange(client(), null, code, REDIRECT, pkce.verifier()).then().statusCode(200)
                .extract().path("access_token");
    }

    public static String deviceCode(String username) {
        return given().auth().oauth2(OAuthTestClient.adminToken()).contentType("application/json")
                .body(Map.of("username", username)).post("/api/admin/device-codes").then().statusCode(201).extract().path("code");
    }

    /** A simulated device of {@code user}: signed up, signed in and published over CoAP over TCP. */
    public static SimulatedDevice onlineDevice(String[] user, int gatewayTcpPort) throws Exception {
        return onlineDevice(user, gatewayTcpPort, "lamp");
    }

    /** A simulated device named {@code name} hosting {@code extras} besides its switch and temperature, online. */
    public static SimulatedDevice onlineDevice(String[] user, int gatewayTcpPort, String name,
                                               org.ocfcloudbridge.simulator.DeviceResource... extras) throws Exception {
        SimulatedDevice d = new SimulatedDevice(UUID.randomUUID().toString(), name, URI.create("coap+tcp://127.0.0.1:" + gatewayTcpPort), false);
        for (org.ocfcloudbridge.simulator.DeviceResource r : extras) {
            d.with(r);
        }
        d.connect();
        d.signUp(deviceCode(user[0]), null);
        d.signIn();
        d.publish(0);
        return d;
    }
}
