package org.ocfcloudbridge.origin.console;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.ocfcloudbridge.origin.link.TargetClient;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.store.LinkedAccount;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;
import org.ocfcloudbridge.testing.Browser;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.OAuthTestClient;
import org.ocfcloudbridge.testing.OriginLinks;

import java.time.Duration;
import java.util.UUID;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web page in real headless Chromium through the whole flow: sign in, link an OCF Cloud at the Target role's
 * login and consent pages, see the device online with its content, flip its switch, watch the temperature change live,
 * link again after the Target refused the link's tokens, unlink (each control in detail: DevicePageBrowserTest).
 */
@QuarkusTest
class ConsoleBrowserTest {

    private static ChromeDriver browser;

    @Inject
    CoapGateway gateway;

    @Inject
    TargetClient target;

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

    /** The page's own sign-in: no consent asked, the page is the bridge itself. */
    static void signInToThePage(String[] user) {
        assertEquals("Sign in to the bridge's web page.", Browser.text(browser, By.id("purpose")));
        browser.findElement(By.name("username")).sendKeys(user[0]);
        browser.findElement(By.name("password")).sendKeys(user[1]);
        Browser.submit(browser, By.id("login"));
        assertTrue(browser.findElements(By.id("allow")).isEmpty(), "no consent for the bridge's own page");
    }

    /** The Target's sign-in for linking: it says who asks, then the consent page names the account and the client. */
    static void signInAndAllow(String[] user) {
        assertTrue(Browser.text(browser, By.id("purpose")).contains("wants to use your account here"));
        browser.findElement(By.name("username")).sendKeys(user[0]);
        browser.findElement(By.name("password")).sendKeys(user[1]);
        Browser.submit(browser, By.id("login"));
        assertEquals(user[0], Browser.text(browser, By.id("account")), "the consent page says whose account");
        Browser.submit(browser, By.id("allow"));
    }

    static <T> T until(Function<WebDriver, T> condition) {
        return new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> {
            try {
                return condition.apply(d);
            } catch (RuntimeException notYet) {
                return null;
            }
        });
    }

    @Test
    void aUserLinksAnOcfCloudSeesTheDeviceFlipsItsSwitchAndWatchesTheTemperature() throws Exception {
        String cloud = OriginLinks.registerCloud();
        String[] vendorUser = OAuthTestClient.newUser();
        String[] alice = OAuthTestClient.newUser();
        SimulatedDevice device = CloudApiUsers.onlineDevice(alice, gateway.tcpPort());
        String di = device.di();
        try {
            browser.manage().deleteAllCookies();
            browser.get(OriginLinks.BASE + "/");
            browser.findElement(By.id("sign-in")).click();
            signInToThePage(vendorUser);
            assertEquals(vendorUser[0], Browser.text(browser, By.id("user")), "signed in at the page, by name");
            assertEquals("Link an OCF Cloud: " + cloud, Browser.text(browser, By.id("link-" + cloud)));

            browser.findElement(By.id("link-" + cloud)).click();
            // The Target role's own login and consent pages, as alice (the account being linked).
            signInAndAllow(alice);
            // The link's first sync may redraw the page between finding an element and reading it (a stale element):
            // each text is read again then.
            assertEquals("Account linked.", until(d -> d.findElement(By.id("message")).getText()));
            assertEquals("Link another account at " + cloud, until(d -> d.findElement(By.id("link-" + cloud)).getText()));

            until(d -> d.findElement(By.cssSelector("article.device[data-device='" + di + "'] .status")).getText().equals("online") ? true : null);
            // The link's first sync redraws the page as its devices arrive: the controls are used once it is done.
            String link = until(d -> d.findElement(By.className("link-state")).getAttribute("id")).substring("state-".length());
            OriginLinks.settled(link);
            browser.get(OriginLinks.BASE + "/");
            String switchId = DevicePage.domId(java.util.UUID.fromString(link), di, "/switch");
            until(d -> "false".equals(d.findElement(By.id("flip-" + switchId)).getAttribute("aria-checked")) ? true : null);

            Browser.click(browser, By.id("flip-" + switchId));
            until(d -> device.switchResource().representation().get("value").asBoolean() ? true : null);
            until(d -> "true".equals(d.findElement(By.id("flip-" + switchId)).getAttribute("aria-checked")) ? true : null);

            // Live: the page listens to the event stream, nobody reloads it.
            ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("window.notReloaded = true");
            device.setTemperature(33.5);
            String temperatureId = DevicePage.domId(java.util.UUID.fromString(link), di, "/temperature");
            until(d -> d.findElement(By.id("reading-" + temperatureId)).getText().equals("33.5") ? true : null);
            assertTrue(browser.findElements(By.cssSelector("#res-" + temperatureId + " form")).isEmpty(), "a sensor offers no control");

            // And off again.
            Browser.click(browser, By.id("flip-" + switchId));
            until(d -> device.switchResource().representation().get("value").asBoolean() ? null : true);
            until(d -> "false".equals(d.findElement(By.id("flip-" + switchId)).getAttribute("aria-checked")) ? true : null);
            assertEquals(Boolean.TRUE, ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("return window.notReloaded === true"));

            // The Target stops taking the link's tokens: the page offers to link again, in place.
            String linkId = browser.findElement(By.className("link-state")).getAttribute("id").substring("state-".length());
            UUID id = UUID.fromString(linkId);
            QuarkusTransaction.requiringNew().run(() -> LinkedAccount.update("state = ?1 where id = ?2",
                    LinkedAccount.State.REAUTHORIZE, id));
            target.forget(id);
            browser.get(OriginLinks.BASE + "/");
            assertEquals("needs its user again", Browser.text(browser, By.id("state-" + linkId)));
            java.nio.file.Files.createDirectories(java.nio.file.Path.of("target", "page-shots"));
            java.nio.file.Files.copy(browser.getScreenshotAs(org.openqa.selenium.OutputType.FILE).toPath(),
                    java.nio.file.Path.of("target", "page-shots", "desktop-8-needs-its-user-again.png"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            browser.findElement(By.id("relink-" + linkId)).click();
            signInAndAllow(alice);
            assertEquals("Account linked.", until(d -> d.findElement(By.id("message")).getText()));
            assertEquals("linked", until(d -> d.findElement(By.id("state-" + linkId)).getText()), "the same link, renewed");
            assertTrue(browser.findElements(By.id("relink-" + linkId)).isEmpty());

            browser.findElement(By.id("unlink-" + linkId)).click();
            until(d -> d.findElements(By.id("state-" + linkId)).isEmpty() ? true : null);
            assertTrue(QuarkusTransaction.requiringNew().call(() -> LinkedAccount.findById(id)) == null, "forgotten");
        } finally {
            device.shutdown();
        }
    }
}
