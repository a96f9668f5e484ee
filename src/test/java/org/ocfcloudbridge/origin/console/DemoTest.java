package org.ocfcloudbridge.origin.console;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.identity.IdentityDirectory;
import org.ocfcloudbridge.store.DeviceRecord;
import org.ocfcloudbridge.store.Settings;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.OriginLinks;

import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one-command demo: a demo user, this daemon's Target registered as a cloud to link at, and simulated devices of
 * the demo user online; linking the demo user's account shows them.
 */
@QuarkusTest
@TestProfile(DemoTest.DemoOn.class)
class DemoTest {

    public static final class DemoOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bridge.demo.enabled", "true", "bridge.demo.devices", "2", "bridge.demo.user", "demo-user");
        }
    }

    @Inject
    Settings settings;

    @Inject
    IdentityDirectory directory;

    @Inject
    Demo demo;

    @Inject
    org.ocfcloudbridge.config.BridgeConfig bridge;

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within 20 s: " + what);
            }
            Thread.sleep(100);
        }
    }

    private static boolean online(String di) {
        return QuarkusTransaction.requiringNew().call(() -> DeviceRecord.count("id = ?1 and online = true", di)) == 1;
    }

    /**
     * Sets the first demo device's switch through the Cloud API, restarts the demo's devices alone (new simulated
     * devices reading the data folder, as at a daemon's restart) and returns what the new device's switch holds.
     */
    private boolean switchAfterRestart(String token, boolean on) throws InterruptedException {
        String di = demo.devices().get(0).di();
        await("demo device online", () -> online(di));
        given().auth().oauth2(token).contentType("application/json").body("{\"value\":" + on + "}")
                .post("/api/v1/devices/" + di + "/switch").then().statusCode(org.hamcrest.Matchers.lessThan(300));
        java.nio.file.Path saved = java.nio.file.Path.of(bridge.dataDir()).resolve(Demo.STATE_FILE);
        await("the switch saved", () -> {
            try {
                return java.nio.file.Files.readString(saved).contains("\"" + di + "\":" + on);
            } catch (java.io.IOException e) {
                return false;
            }
        });
        org.ocfcloudbridge.simulator.SimulatedDevice before = demo.devices().get(0);
        demo.stopDevices();
        await("demo device offline", () -> !online(di));
        demo.startDevices();
        org.ocfcloudbridge.simulator.SimulatedDevice after = demo.devices().get(0);
        assertTrue(before != after && after.di().equals(di), "a new device with the same id");
        await("demo device online again", () -> online(di));
        boolean holds = after.switchResource().representation().get("value").asBoolean();
        // What the cloud reads of it too, not only what it holds.
        await("the cloud reads what the device holds", () -> {
            io.restassured.response.Response r = given().auth().oauth2(token).get("/api/v1/devices/" + di + "/switch");
            return r.statusCode() == 200 && r.jsonPath().getBoolean("value") == holds;
        });
        return holds;
    }

    @Test
    void aSwitchLeftOnComesBackOnWhenTheDemoDevicesRestart() throws Exception {
        String password = settings.getOrCreateSecret("demo.password", () -> "never");
        UUID user = directory.userId("demo-user").orElseThrow();
        String token = CloudApiUsers.token(new String[]{"demo-user", password, user.toString()}, "r:* w:*");
        assertTrue(switchAfterRestart(token, true), "left on, back on");
        // Not simply on after every restart: left off, it comes back off.
        assertFalse(switchAfterRestart(token, false), "left off, back off");
    }

    @Test
    void theDemoUserLinksTheDemoCloudAndSeesTheDemoDevicesOnline() throws Exception {
        String password = settings.getOrCreateSecret("demo.password", () -> "never");
        UUID user = directory.userId("demo-user").orElseThrow();
        long end = System.nanoTime() + 20_000_000_000L;
        while (QuarkusTransaction.requiringNew().call(() -> DeviceRecord.count("ownerId = ?1 and online = true", user.toString())) < 2
                && System.nanoTime() < end) {
            Thread.sleep(200);
        }
        assertEquals(2L, QuarkusTransaction.requiringNew().call(() -> DeviceRecord.count("ownerId = ?1 and online = true",
                user.toString())), "the demo devices are online");

        String[] demo = {"demo-user", password, user.toString()};
        String vendorToken = CloudApiUsers.vendorToken(demo);
        String link = OriginLinks.link("this-cloud", vendorToken, demo);
        long until = System.nanoTime() + 20_000_000_000L;
        JsonPath devices = null;
        while (System.nanoTime() < until) {
            devices = given().auth().oauth2(vendorToken).get("/api/v1/links/" + link + "/devices").jsonPath();
            if (devices.getList("findAll { it.status == 'online' }").size() == 2) {
                break;
            }
            Thread.sleep(200);
        }
        assertEquals(2, devices.getList("findAll { it.status == 'online' }").size(), devices.prettify());
        assertTrue(devices.getString("[0].device.n").startsWith("Demo lamp"), devices.prettify());
    }
}
