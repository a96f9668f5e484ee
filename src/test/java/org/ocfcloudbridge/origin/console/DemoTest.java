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
