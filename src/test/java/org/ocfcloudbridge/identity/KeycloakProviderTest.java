package org.ocfcloudbridge.identity;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.ocfcloudbridge.testing.Browser;
import org.ocfcloudbridge.testing.CallbackServer;
import org.ocfcloudbridge.testing.KeycloakResource;
import org.ocfcloudbridge.testing.OAuthTestClient.Pkce;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keycloak 26.7.3 as an external provider, for real: a user signs in in Chromium, the bridge accepts Keycloak's
 * tokens, and a device code obtained there signs a device up through the Quarkus OIDC client.
 */
@QuarkusTest
@QuarkusTestResource(value = KeycloakResource.class, restrictToAnnotatedClass = true)
class KeycloakProviderTest {

    /** Fixed in the realm file so that it does not change between Keycloak starts. */
    private static final String ALICE = "00000000-0000-4000-8000-00000000a11c";
    private static final String CLIENT = "ocf-bridge";
    private static final String SECRET = "ocf-bridge-secret";

    @Inject
    TokenVerifier verifier;

    @Inject
    DeviceAuthorization devices;

    @Test
    void aKeycloakUserSignsInAndTheBridgeAcceptsRefreshesAndLosesTheTokens() throws Exception {
        try (CallbackServer app = new CallbackServer()) {
            Pkce pkce = Pkce.create();
            String code = signIn(app, pkce, "alice", "alice-password");

            Response tokens = token(Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", app.redirectUri(),
                    "code_verifier", pkce.verifier()));
            tokens.then().statusCode(200);
            String access = tokens.path("access_token");
            VerifiedToken v = verifier.verify(access);
            assertEquals("keycloak", v.provider());
            assertEquals(ALICE, v.owner(), "the owner claim (sub) is the OCF uid");
            assertTrue(v.hasScope("r:*") && v.hasScope("w:*"), "scopes " + v.scopes());
            assertTrue(v.hasScope("x:email") && !v.hasScope("email"), "scope-map renames provider scopes: " + v.scopes());

            Response refreshed = token(Map.of("grant_type", "refresh_token", "refresh_token", tokens.path("refresh_token")));
            refreshed.then().statusCode(200);
            assertEquals(ALICE, verifier.verify(refreshed.path("access_token")).owner());

            given().auth().preemptive().basic(CLIENT, SECRET).formParam("token", (String) refreshed.path("refresh_token"))
                    .formParam("token_type_hint", "refresh_token").post(issuer() + "/protocol/openid-connect/revoke")
                    .then().statusCode(200);
            token(Map.of("grant_type", "refresh_token", "refresh_token", refreshed.path("refresh_token")))
                    .then().statusCode(400).body("error", equalTo("invalid_grant"));

            // A replayed code (which also ends the first tokens) and a wrong verifier are refused by Keycloak as by the embedded server.
            token(Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", app.redirectUri(),
                    "code_verifier", pkce.verifier())).then().statusCode(400).body("error", equalTo("invalid_grant"));
            Pkce other = Pkce.create();
            String code2 = signIn(app, other, null, null);
            token(Map.of("grant_type", "authorization_code", "code", code2, "redirect_uri", app.redirectUri(),
                    "code_verifier", pkce.verifier())).then().statusCode(400).body("error", equalTo("invalid_grant"));

            String[] parts = access.split("\\.");
            String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
            String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                    payload.replace(ALICE, "00000000-0000-4000-8000-000000000b0b").getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
            assertThrows(InvalidTokenException.class, () -> verifier.verify(forged));
        }
    }

    @Test
    void aDeviceCodeFromKeycloakSignsADeviceUpThroughTheOidcClient() throws Exception {
        int port = Integer.getInteger(KeycloakResource.CALLBACK_PORT);
        try (CallbackServer mediator = new CallbackServer(port)) {
            String code = signIn(mediator, Pkce.create(), "alice", "alice-password", false);
            String di = UUID.randomUUID().toString();
            DeviceAuthorization.DeviceTokens t = devices.signUp("keycloak", code, di);
            assertEquals(ALICE, t.uid());
            assertEquals("keycloak", t.provider());
            assertNotNull(t.refreshToken());
            assertTrue(t.expiresIn() > 0 && t.expiresIn() <= 300, "expiresIn " + t.expiresIn());

            DeviceAuthorization.DeviceTokens refreshed = devices.refresh("keycloak", t.refreshToken(), di);
            assertEquals(ALICE, refreshed.uid());

            assertThrows(DeviceAuthorization.Refused.class, () -> devices.signUp("keycloak", code, di));
            DeviceAuthorization.UnknownProvider unknown = assertThrows(DeviceAuthorization.UnknownProvider.class,
                    () -> devices.signUp("github", code, di));
            assertEquals("unknown authprovider \"github\"", unknown.getMessage());
        }
    }

    private String signIn(CallbackServer app, Pkce pkce, String user, String password) throws Exception {
        return signIn(app, pkce, user, password, true);
    }

    /** Keycloak's own login page in Chromium; {@code user} null when the browser's Keycloak session still holds. */
    private String signIn(CallbackServer app, Pkce pkce, String user, String password, boolean withPkce) throws Exception {
        ChromeDriver browser = Browser.start();
        try {
            String url = issuer() + "/protocol/openid-connect/auth?response_type=code&client_id=" + CLIENT
                    + "&redirect_uri=" + enc(app.redirectUri()) + "&scope=" + enc("openid r:* w:*") + "&state=kc-state"
                    + (withPkce ? "&code_challenge=" + pkce.challenge() + "&code_challenge_method=S256" : "");
            browser.get(url);
            browser.findElement(By.id("username")).sendKeys(user == null ? "alice" : user);
            browser.findElement(By.id("password")).sendKeys(password == null ? "alice-password" : password);
            Browser.submit(browser, By.id("kc-login"));
            Map<String, String> redirect = app.awaitRedirect(Duration.ofSeconds(30));
            assertEquals("kc-state", redirect.get("state"));
            assertNotNull(redirect.get("code"), "no code: " + redirect);
            return redirect.get("code");
        } finally {
            browser.quit();
        }
    }

    private static Response token(Map<String, String> form) {
        var spec = given().auth().preemptive().basic(CLIENT, SECRET);
        form.forEach(spec::formParam);
        return spec.post(issuer() + "/protocol/openid-connect/token");
    }

    private static String issuer() {
        return System.getProperty(KeycloakResource.ISSUER);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
