package org.ocfcloudbridge.identity;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.ocfcloudbridge.testing.Browser;
import org.ocfcloudbridge.testing.CallbackServer;
import org.ocfcloudbridge.testing.LogCapture;
import org.ocfcloudbridge.testing.OAuthTestClient;
import org.ocfcloudbridge.testing.OAuthTestClient.Pkce;

import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real user in real headless Chromium: sign in, consent, back to the application, tokens, refresh, revoke. */
@QuarkusTest
class BrowserSignInTest {

    private static ChromeDriver browser;

    @TestHTTPResource("/")
    URL base;

    @Inject
    TokenVerifier verifier;

    @BeforeAll
    static void startBrowser() throws Exception {
        browser = Browser.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aUserSignsInAndConsentsInTheBrowserAndTheClientGetsWorkingTokens() throws Exception {
        try (CallbackServer app = new CallbackServer(); LogCapture logs = new LogCapture()) {
            String client = OAuthTestClient.newClient(app.redirectUri(), null, List.of("r:*", "w:*"));
            String[] user = OAuthTestClient.newUser();
            Pkce pkce = Pkce.create();

            browser.manage().deleteAllCookies();
            browser.get(authorizeUrl(client, app.redirectUri(), pkce, "browser-state"));
            assertTrue(browser.getTitle().startsWith("Sign in"), browser.getTitle());
            // A wrong password first: the page says so and asks again.
            browser.findElement(By.name("username")).sendKeys(user[0]);
            browser.findElement(By.name("password")).sendKeys("wrong-password");
            Browser.submit(browser, By.id("login"));
            assertEquals("Wrong user name or password.", browser.findElement(By.id("error")).getText());

            browser.findElement(By.name("username")).sendKeys(user[0]);
            browser.findElement(By.name("password")).sendKeys(user[1]);
            Browser.submit(browser, By.id("login"));

            assertEquals(client, browser.findElement(By.id("client")).getText(), "the consent page names the client");
            String scopes = browser.findElement(By.id("scopes")).getText();
            assertTrue(scopes.contains("r:*") && scopes.contains("w:*"), scopes);
            Browser.submit(browser, By.id("allow"));

            Map<String, String> redirect = app.awaitRedirect(Duration.ofSeconds(20));
            assertEquals("browser-state", redirect.get("state"));
            String code = redirect.get("code");
            assertNotNull(code, "redirect without code: " + redirect);
            assertEquals("Back at the application.", browser.findElement(By.id("done")).getText());

            Response tokens = OAuthTestClient.exchange(client, null, code, app.redirectUri(), pkce.verifier());
            tokens.then().statusCode(200).body("scope", equalTo("r:* w:*"));
            String access = tokens.path("access_token");
            String refresh = tokens.path("refresh_token");
            assertEquals(user[2], verifier.verify(access).owner());

            Response refreshed = OAuthTestClient.refresh(client, null, refresh);
            refreshed.then().statusCode(200);
            String access2 = refreshed.path("access_token");
            String refresh2 = refreshed.path("refresh_token");
            verifier.verify(access2);

            OAuthTestClient.revoke(client, null, access2).then().statusCode(200);
            assertThrows(InvalidTokenException.class, () -> verifier.verify(access2));
            OAuthTestClient.refresh(client, null, refresh2).then().statusCode(400).body("error", equalTo("invalid_grant"));

            logs.assertNoneContains(user[1], "wrong-password", code, pkce.verifier(), access, refresh, access2, refresh2,
                    browser.manage().getCookieNamed("bridge_authz") == null ? null : browser.manage().getCookieNamed("bridge_authz").getValue());
            assertTrue(logs.lines().stream().anyMatch(l -> l.contains("/oauth2/token")), "the request log was captured");
        }
    }

    private String authorizeUrl(String client, String redirectUri, Pkce pkce, String state) {
        return base + "oauth2/authorize?response_type=code&client_id=" + enc(client) + "&redirect_uri=" + enc(redirectUri)
                + "&scope=" + enc("r:* w:*") + "&state=" + enc(state) + "&code_challenge=" + pkce.challenge()
                + "&code_challenge_method=S256";
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
