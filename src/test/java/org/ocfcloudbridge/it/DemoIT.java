package org.ocfcloudbridge.it;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.ocfcloudbridge.testing.Browser;
import org.ocfcloudbridge.testing.DaemonProcess;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's run command: the packaged daemon with the demo on prints what to open, and keeps it across a restart. */
class DemoIT {

    private static final Pattern READY = Pattern.compile("Demo ready\\. Open (\\S+)/ and sign in as \"demo\" with password \"([^\"]+)\"");

    private static int freePort(int not) throws Exception {
        while (true) {
            try (ServerSocket s = new ServerSocket(0)) {
                if (s.getLocalPort() != not) {
                    return s.getLocalPort();
                }
            }
        }
    }

    private static DaemonProcess demo(Path work) throws Exception {
        DaemonProcess d = new DaemonProcess(work);
        int coap = freePort(d.httpPort());
        d.with("bridge.demo.enabled", "true").with("bridge.coap.tcp-port", Integer.toString(coap)).with("bridge.coap.tls-port", "0")
                .with("bridge.public-url", "http://localhost:" + d.httpPort()).start();
        d.awaitReady(Duration.ofSeconds(60));
        return d;
    }

    private static Matcher awaitReadyLine(DaemonProcess d) throws InterruptedException {
        long end = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < end) {
            Matcher m = READY.matcher(d.output());
            if (m.find()) {
                return m;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the demo did not say it was ready:\n" + d.output());
    }

    @Test
    void theDemoSaysWhatToOpenAndKeepsItsUserAcrossARestart() throws Exception {
        Path work = DaemonProcess.workRoot().resolve("demo-" + UUID.randomUUID());
        String password;
        try (DaemonProcess first = demo(work)) {
            Matcher m = awaitReadyLine(first);
            assertEquals("http://localhost:" + first.httpPort(), m.group(1));
            password = m.group(2);
            assertTrue(first.output().contains("Link an OCF Cloud: this-cloud"), first.output());
            // The page answers and offers the sign-in.
            assertTrue(first.get("/").contains("id=\"sign-in\""));
            first.stop();
        }
        try (DaemonProcess again = demo(work)) {
            Matcher m = awaitReadyLine(again);
            assertEquals(password, m.group(2), "the same demo user and password after a restart");
            assertFalse(again.output().contains("Exception"), again.output());
        }
    }

    private static <T> T until(WebDriver browser, java.util.function.Function<WebDriver, T> condition) {
        return new WebDriverWait(browser, Duration.ofSeconds(60)).until(d -> {
            try {
                return condition.apply(d);
            } catch (RuntimeException notYet) {
                return null;
            }
        });
    }

    /** Signs in at the page of {@code base} as the demo user, unless the browser still is. */
    private static void signIn(ChromeDriver browser, String base, String password) {
        browser.get(base + "/");
        if (!browser.findElements(By.id("sign-in")).isEmpty()) {
            browser.findElement(By.id("sign-in")).click();
            browser.findElement(By.name("username")).sendKeys("demo");
            browser.findElement(By.name("password")).sendKeys(password);
            Browser.submit(browser, By.id("login"));
        }
        assertEquals("demo", Browser.text(browser, By.id("user")));
    }

    /**
     * The demo restarted under another public URL (here: another port, the old one dead) follows it: its cloud entry
     * and the subscriptions at its Target move to the new URL, said at INFO, and the devices' changes reach the page.
     */
    @Test
    void aDemoRestartedUnderAnotherPublicUrlMovesItsCloudAndSubscriptionsThere() throws Exception {
        Path work = DaemonProcess.workRoot().resolve("demo-moved-" + UUID.randomUUID());
        ChromeDriver browser = Browser.start();
        try {
            String password;
            String firstUrl;
            try (DaemonProcess first = demo(work)) {
                Matcher m = awaitReadyLine(first);
                firstUrl = m.group(1);
                password = m.group(2);
                signIn(browser, firstUrl, password);
                browser.findElement(By.id("link-this-cloud")).click();
                browser.findElement(By.name("username")).sendKeys("demo");
                browser.findElement(By.name("password")).sendKeys(password);
                Browser.submit(browser, By.id("login"));
                if (browser.getPageSource().contains("id=\"allow\"")) {
                    Browser.submit(browser, By.id("allow"));
                }
                assertEquals("Account linked.", Browser.text(browser, By.id("message")));
                until(browser, d -> d.findElements(By.cssSelector("article.device .status")).size() == 3
                        && d.findElements(By.cssSelector("article.device .status")).stream().allMatch(s -> s.getText().equals("online"))
                        ? true : null);
                first.stop();
            }
            try (DaemonProcess again = demo(work)) {
                Matcher m = awaitReadyLine(again);
                String url = m.group(1);
                assertFalse(url.equals(firstUrl), url);
                signIn(browser, url, password);
                long shown = Long.parseLong(browser.findElement(By.tagName("body")).getAttribute("data-last-event"));
                // The temperatures change every 3 s at the Target: with subscriptions that reach this URL, their
                // content.changed events come into the page's log.
                until(browser, d -> d.findElements(By.cssSelector("#events li")).stream().anyMatch(li ->
                        Long.parseLong(li.getAttribute("data-event")) > shown && li.getText().contains("content.changed")
                                && li.getText().contains("/temperature")) ? true : null);
                assertTrue(again.output().contains("demo: bridge.public-url is now " + url + " (the demo last ran at " + firstUrl + ")"),
                        again.output());
                assertTrue(again.output().contains("renewing them"), again.output());
                assertEquals("linked", Browser.text(browser, By.cssSelector(".link-state")));
                assertFalse(again.output().contains("Exception"), again.output());
            }
        } finally {
            browser.quit();
        }
    }
}
