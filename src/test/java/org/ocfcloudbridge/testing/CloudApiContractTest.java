package org.ocfcloudbridge.testing;

import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfFormat;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertThrows;

/** The contract check itself: it passes what the swagger allows and fails what it does not. */
class CloudApiContractTest {

    private static final String DI = "53080a4f-5e3e-4291-802f-3436238232d2";
    private static final String DEVICE = "{\"device\":{\"rt\":[\"oic.wk.d\"],\"di\":\"" + DI + "\",\"n\":\"x\","
            + "\"dmn\":[{\"language\":\"en\",\"value\":\"\"}]},\"status\":\"online\",\"links\":[{\"href\":\"/" + DI
            + "/switch\",\"rt\":[\"oic.r.switch.binary\"],\"if\":[\"oic.if.a\"],\"p\":{\"bm\":3}}]}";

    final CloudApiContract contract = CloudApiContract.get();

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aValidDeviceListPassesInJsonAndAsCborItFailsWhereTheSwaggerSaysNo() {
        contract.assertValid("GET", "/api/v1/devices", 200, "application/json", utf8("[" + DEVICE + "]"));
        contract.assertValid("GET", "/api/v1/devices/" + DI, 200, "application/json", utf8(DEVICE));
        assertThrows(AssertionError.class, () -> contract.assertValid("GET", "/api/v1/devices", 200, "application/json",
                utf8("[" + DEVICE.replace("\"status\":\"online\",", "") + "]")), "status is required");
        assertThrows(AssertionError.class, () -> contract.assertValid("GET", "/api/v1/devices", 200, "application/json",
                utf8("[" + DEVICE.replace("\"status\":\"online\"", "\"status\":\"asleep\"") + "]")), "status is online or offline");
        assertThrows(AssertionError.class, () -> contract.assertValid("GET", "/api/v1/devices", 200, "application/json",
                utf8("[" + DEVICE.replace(",\"if\":[\"oic.if.a\"]", "") + "]")), "a link needs if");
        assertThrows(AssertionError.class, () -> contract.assertValid("GET", "/api/v1/devices?content=all", 200, "application/json",
                utf8("[" + DEVICE.replace("\"di\":\"" + DI + "\"", "\"di\":\"not-a-uuid\"") + "]")), "di is a UUID");
        assertThrows(AssertionError.class, () -> contract.assertValid("GET", "/api/v1/devices", 200,
                "application/vnd.ocf+cbor", OcfCodec.get().encode(OcfCodec.get().decodeTree(utf8("[" + DEVICE + "]"), OcfFormat.JSON),
                        OcfFormat.OCF_CBOR)), "device lists are JSON only");
        assertThrows(AssertionError.class, () -> contract.assertValid("GET", "/api/v1/devices", 418, "text/plain", utf8("no")),
                "a status the swagger does not list");
    }

    @Test
    void resourceAndSubscriptionAnswersAreChecked() {
        String href = "/api/v1/devices/" + DI + "/oic/d";
        contract.assertValid("GET", href, 200, "application/json", utf8("{\"n\":\"x\"}"));
        contract.assertValid("GET", href, 200, "application/vnd.ocf+cbor",
                OcfCodec.get().encode(OcfCodec.get().decodeTree(utf8("{\"n\":\"x\"}"), OcfFormat.JSON), OcfFormat.OCF_CBOR));
        contract.assertValid("POST", href, 415, "text/plain", utf8("send JSON or CBOR"));
        assertThrows(AssertionError.class, () -> contract.assertValid("POST", href, 406, "text/plain", utf8("x")),
                "an update lists no 406");
        contract.assertValid("POST", "/api/v1/devices/subscriptions", 201, "application/json",
                utf8("{\"subscriptionId\":\"1eeb465c-5e8d-4305-a366-bbf035fff671\"}"));
        assertThrows(AssertionError.class, () -> contract.assertValid("POST", "/api/v1/devices/subscriptions", 201,
                "application/json", utf8("{\"id\":\"1eeb465c-5e8d-4305-a366-bbf035fff671\"}")), "subscriptionId is required");
        contract.assertValid("DELETE", href + "/subscriptions/1eeb465c-5e8d-4305-a366-bbf035fff671", 202, null, new byte[0]);
        contract.assertDefinition("DevicesOnlineEvent", "{\"content\":[{\"di\":\"" + DI + "\"}]}");
        assertThrows(AssertionError.class, () -> contract.assertDefinition("DevicesOnlineEvent", "[{\"di\":\"" + DI + "\"}]"),
                "the swagger's shape is an object, not plgd's bare array");
    }
}
