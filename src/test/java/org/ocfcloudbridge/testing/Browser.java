package org.ocfcloudbridge.testing;

import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Headless Debian Chromium driven by Selenium through Debian's chromedriver. The flags keep Chromium off the network
 * (this machine has none) and work as root.
 */
public final class Browser {

    public static final String CHROMIUM = "/usr/bin/chromium";
    public static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    private Browser() {
    }

    public static ChromeDriver start() throws IOException {
        if (!new File(CHROMIUM).canExecute() || !new File(CHROMEDRIVER).canExecute()) {
            throw new IllegalStateException("browser tests need Debian's chromium and chromium-driver "
                    + "(apt-get install chromium chromium-driver; .ci/run installs them)");
        }
        // Selenium Manager would try to download a driver: name ours.
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        Path profile = Files.createTempDirectory("chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        // Elements of the next page may take a moment to appear after a click.
        driver.manage().timeouts().implicitlyWait(Duration.ofSeconds(10));
        return driver;
    }

    /**
     * Clicks an element of a part of the page that events redraw (a device row): the element found may be replaced
     * before the click lands, which Chromium reports as stale or as "does not belong to the document" (TwoCloudsIT
     * failed once so in a rehearsal under a CPU hog); then it is found again and clicked, for up to 20 s. A click that
     * lands is not repeated.
     */
    public static void click(WebDriver driver, By element) {
        onTheElementFound(driver, element, e -> {
            e.click();
            return true;
        });
    }

    /**
     * The text of an element, found again when the page replaced it meanwhile: the console reloads itself 300 ms
     * after an event it cannot redraw in place (a link's state, a device added), so an element found just before
     * that is stale when its text is read (TwoCloudsIT failed so in a rehearsal under a CPU hog).
     */
    public static String text(WebDriver driver, By element) {
        return onTheElementFound(driver, element, WebElement::getText);
    }

    /** {@code action} on the element, found again for up to 20 s each time Chromium says it was replaced meanwhile. */
    private static <T> T onTheElementFound(WebDriver driver, By element, java.util.function.Function<WebElement, T> action) {
        return new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> {
            try {
                return action.apply(d.findElement(element));
            } catch (StaleElementReferenceException replaced) {
                return null;
            } catch (WebDriverException e) {
                if (replaced(e)) {
                    return null;
                }
                throw e;
            }
        });
    }

    /** Chromium sometimes reports a node of a replaced document this way instead of as stale. */
    private static boolean replaced(WebDriverException e) {
        return e.getMessage() != null && e.getMessage().contains("does not belong to the document");
    }

    /** Clicks a submit button and waits until its page is gone, so that later look-ups see the next page. */
    public static void submit(WebDriver driver, By button) {
        WebElement old = driver.findElement(button);
        old.click();
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> {
            try {
                old.isEnabled();
                return false;
            } catch (StaleElementReferenceException gone) {
                return true;
            } catch (WebDriverException e) {
                return replaced(e);
            }
        });
    }

    /**
     * Waits up to 20 s until the browser is at a URL starting with {@code prefix}, and returns it. A click on a link
     * returns before its navigation (and the redirects after it) are done, so the URL read right after it can still be
     * the old page's (TwoCloudsIT failed so on CI: it read the Origin's page once, and the Target's sign-in page in
     * the assertion's message).
     */
    public static String awaitUrl(WebDriver driver, String prefix) {
        try {
            return new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> {
                String url = d.getCurrentUrl();
                return url != null && url.startsWith(prefix) ? url : null;
            });
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("the browser did not reach " + prefix + " within 20 s; it is at "
                    + driver.getCurrentUrl(), e);
        }
    }
}
