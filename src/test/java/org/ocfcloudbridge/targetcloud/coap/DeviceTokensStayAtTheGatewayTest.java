package org.ocfcloudbridge.targetcloud.coap;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.SessionRequest;
import org.ocfcloudbridge.ocf.SignUpRequest;
import org.ocfcloudbridge.simulator.CloudConnection;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.targetcloud.DeviceDirectory;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A device's token is a key to its own connection at the CoAP gateway and nothing else; and the gateway takes no
 * token that was not issued for devices (the web page's, a client's, the admin's).
 */
@QuarkusTest
class DeviceTokensStayAtTheGatewayTest {

    @Inject
    CoapGateway gateway;

    @Inject
    DeviceDirectory directory;

    @Test
    void aDevicesTokenOpensNoCloudApiEndpointNotEvenForItsOwnDevices() throws Exception {
        String[] user = OAuthTestClient.newUser();
        SimulatedDevice lamp = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
        SimulatedDevice other = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
        try {
            String deviceToken = lamp.accessToken();
            given().auth().oauth2(deviceToken).get("/api/v1/devices").then().statusCode(401)
                    .header("WWW-Authenticate", containsString("invalid_token"));
            given().auth().oauth2(deviceToken).get("/api/v1/devices/" + lamp.di()).then().statusCode(401);
            given().auth().oauth2(deviceToken).contentType("application/json").body("{\"value\":true}")
                    .post("/api/v1/devices/" + other.di() + "/switch").then().statusCode(401);
            assertEquals(false, other.switchResource().representation().get("value").asBoolean(), "the other switch is untouched");
            // The owner's own token still works, and the device's token still signs it in at the gateway.
            given().auth().oauth2(CloudApiUsers.token(user, "r:*")).get("/api/v1/devices").then().statusCode(200);
            lamp.signIn();
        } finally {
            lamp.shutdown();
            other.shutdown();
        }
    }

    @Test
    void signUpAndSignInTakeOnlyTokensIssuedForDevices() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String admin = OAuthTestClient.adminToken();
        String pageToken = CloudApiUsers.token(user, "r:* w:*");
        String readOnly = CloudApiUsers.token(user, "r:*");
        try (CloudConnection c = CloudConnection.open(URI.create("coap+tcp://127.0.0.1:" + gateway.tcpPort()), false)) {
            for (String token : List.of(pageToken, readOnly, admin)) {
                String di = UUID.randomUUID().toString();
                CoapResponse up = c.post("/oic/sec/account", signUp(di, token, user[2]));
                assertEquals(ResponseCode.UNAUTHORIZED, up.getCode(), up.getResponseText());
                assertTrue(directory.find(di).isEmpty(), "no device bound to the token's owner");
            }
            // A device signed up properly cannot sign in with its owner's page token either.
            SimulatedDevice lamp = CloudApiUsers.onlineDevice(user, gateway.tcpPort());
            try {
                SessionRequest s = new SessionRequest();
                s.di = lamp.di();
                s.uid = user[2];
                s.accesstoken = pageToken;
                s.login = true;
                CoapResponse in = c.post("/oic/sec/session", s);
                assertEquals(ResponseCode.UNAUTHORIZED, in.getCode(), in.getResponseText());
            } finally {
                lamp.shutdown();
            }
        }
        given().auth().oauth2(CloudApiUsers.token(user, "r:*")).get("/api/v1/devices").then().statusCode(200);
    }

    private static SignUpRequest signUp(String di, String token, String uid) {
        SignUpRequest r = new SignUpRequest();
        r.di = di;
        r.accesstoken = token;
        r.uid = uid;
        r.devicetype = "device";
        return r;
    }

}
