package org.ocfcloudbridge.testing;

import io.restassured.response.Response;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Origin role linked to this same daemon's Target role, over real HTTP, as the tests set it up. */
public final class OriginLinks {

    /** This daemon's base URL in a @QuarkusTest (its public URL there). */
    public static final String BASE = "http://localhost:8081";
    public static final String RETURN_TO = "http://127.0.0.1:9/app/done";

    private OriginLinks() {
    }

    /** Where RestAssured points: the daemon under test, whose public URL it must be. */
    public static String base() {
        return io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port;
    }

    /** A Target Cloud entry for this daemon, with its own confidential OAuth client. */
    public static String registerCloud() {
        String BASE = base();
        String secret = "origin-secret-" + UUID.randomUUID();
        String client = OAuthTestClient.newClient(BASE + "/link/callback", secret, List.of("r:*", "w:*"));
        String name = "self-" + UUID.randomUUID().toString().substring(0, 8);
        Response r = given().auth().oauth2(OAuthTestClient.adminToken()).contentType("application/json")
                .body(Map.of("name", name, "apiUrl", BASE + "/api/v1", "authorizationEndpoint", BASE + "/oauth2/authorize",
                        "tokenEndpoint", BASE + "/oauth2/token", "clientId", client, "clientSecret", secret))
                .post("/api/admin/clouds");
        r.then().statusCode(201).body("confidential", equalTo(true));
        assertTrue(!r.asString().contains(secret), "the client secret is never shown");
        return name;
    }

    /** The link cookie each started link set in "the browser", by state. */
    private static final Map<String, io.restassured.http.Cookie> BROWSER = new java.util.concurrent.ConcurrentHashMap<>();

    /** The cookie that binds the link of {@code state} to the browser that started it. */
    public static io.restassured.http.Cookie browserCookie(String state) {
        return BROWSER.get(state);
    }

    /** The browser that started the link comes back to {@code callback}: with its link cookie, redirects not followed. */
    public static Response back(String callback) {
        io.restassured.http.Cookie c = BROWSER.get(OAuthTestClient.query(callback).get("state"));
        io.restassured.specification.RequestSpecification r = given().urlEncodingEnabled(false).redirects().follow(false);
        if (c != null) {
            r = r.cookie(c.getName(), c.getValue());
        }
        return r.get(URI.create(callback));
    }

    /** The browser's trip: start, the Target's login and consent, back to the callback. Returns the callback URL. */
    public static String throughTheTarget(String cloud, String vendorToken, String[] targetUser, String answer) {
        String BASE = base();
        Response start = given().redirects().follow(false).queryParam("return_to", RETURN_TO).queryParam("token", vendorToken)
                .get("/link/" + cloud);
        assertEquals(303, start.statusCode(), start.asString());
        String authorize = start.header("Location");
        String state = OAuthTestClient.query(authorize).get("state");
        io.restassured.http.Cookie bound = start.detailedCookie(org.ocfcloudbridge.origin.link.AccountLinking.browserCookieName(state));
        assertNotNull(bound, "the start binds the link to this browser with a cookie");
        BROWSER.put(state, bound);
        Response page = given().urlEncodingEnabled(false).redirects().follow(false).get(URI.create(authorize));
        assertEquals(200, page.statusCode());
        String request = OAuthTestClient.requestId(page.asString());
        Response login = OAuthTestClient.login(request, targetUser[0], targetUser[1]);
        Response consent = OAuthTestClient.consent(request, login.cookie("bridge_authz"), answer);
        String callback = consent.header("Location");
        assertTrue(callback.startsWith(BASE + "/link/callback?"), callback);
        return callback;
    }

    /** A vendor user linked, through a new cloud, to a Target user with one device online: most Origin tests start so. */
    public record Linked(String vendorToken, String[] targetUser, org.ocfcloudbridge.simulator.SimulatedDevice device, String link,
                         String[] vendorUser) {
    }

    public static Linked linkedDevice(int gatewayTcpPort) throws Exception {
        String cloud = registerCloud();
        String[] vendorUser = OAuthTestClient.newUser();
        String vendorToken = CloudApiUsers.vendorToken(vendorUser);
        String[] targetUser = OAuthTestClient.newUser();
        org.ocfcloudbridge.simulator.SimulatedDevice device = CloudApiUsers.onlineDevice(targetUser, gatewayTcpPort);
        try {
            return new Linked(vendorToken, targetUser, device, link(cloud, vendorToken, targetUser), vendorUser);
        } catch (Exception | AssertionError e) {
            device.shutdown();
            throw e;
        }
    }

    /** What a test does with a linked device ({@link #withSettledLink}). */
    public interface LinkedTest {
        void run(Linked linked) throws Exception;
    }

    /** Links a new device's account, waits until the link is quiet ({@link #settled}), runs the test, shuts the device down. */
    public static void withSettledLink(int gatewayTcpPort, LinkedTest test) throws Exception {
        Linked l = linkedDevice(gatewayTcpPort);
        try {
            settled(l.link());
            test.run(l);
        } finally {
            l.device().shutdown();
        }
    }

    /** Links {@code targetUser}'s account for the vendor user of {@code vendorToken}; returns the link id. */
    public static String link(String cloud, String vendorToken, String[] targetUser) {
        String callback = throughTheTarget(cloud, vendorToken, targetUser, "allow");
        Response back = back(callback);
        assertEquals(303, back.statusCode(), back.asString());
        return OAuthTestClient.query(back.header("Location")).get("linked");
    }

    /**
     * Waits until the link is quiet: no sync runs or is asked for, every subscription it holds is made at the Target
     * (the devices level among them), and the Target has delivered everything queued for them. The initial
     * notifications arrive some time after the sync's own read and may ask for another sync; a test that sets the
     * Origin's copy by hand must not have them land on it afterwards. Checked twice in a row, since a notification
     * being applied can ask for a sync right after one look.
     */
    public static void settled(String link) throws InterruptedException {
        UUID linkId = UUID.fromString(link);
        org.ocfcloudbridge.origin.sync.DeviceSync sync = io.quarkus.arc.Arc.container()
                .instance(org.ocfcloudbridge.origin.sync.DeviceSync.class).get();
        long end = System.nanoTime() + 30_000_000_000L;
        int quiet = 0;
        while (System.nanoTime() < end) {
            boolean settled = !sync.syncing(linkId) && io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> {
                List<org.ocfcloudbridge.store.OriginSubscription> subs = org.ocfcloudbridge.store.OriginSubscription
                        .list("linkId", linkId);
                List<UUID> atTarget = subs.stream().map(s -> s.targetId).filter(java.util.Objects::nonNull).toList();
                return atTarget.size() == subs.size()
                        && subs.stream().anyMatch(s -> "devices".equals(s.level))
                        && org.ocfcloudbridge.store.OutboxEntry.count("subscriptionId in ?1", atTarget) == 0;
            }) && !sync.syncing(linkId);
            quiet = settled ? quiet + 1 : 0;
            if (quiet == 2) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("link " + link + " not quiet after 30 s (a sync running, or notifications queued)");
    }

    /** The link's devices-level subscription once the Target has accepted it (the sync makes it after storing devices). */
    public static org.ocfcloudbridge.store.OriginSubscription devicesLevel(String link) throws InterruptedException {
        long end = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < end) {
            org.ocfcloudbridge.store.OriginSubscription s = io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(
                    () -> org.ocfcloudbridge.store.OriginSubscription.<org.ocfcloudbridge.store.OriginSubscription>find(
                            "linkId = ?1 and level = 'devices' and targetId is not null", UUID.fromString(link)).firstResult());
            if (s != null) {
                return s;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the devices-level subscription never came");
    }
}
