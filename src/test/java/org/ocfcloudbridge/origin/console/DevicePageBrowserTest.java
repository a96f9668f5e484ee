package org.ocfcloudbridge.origin.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.ocfcloudbridge.simulator.DeviceResource;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.store.OriginDevice;
import org.ocfcloudbridge.store.OriginResource;
import org.ocfcloudbridge.store.OriginSubscription;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;
import org.ocfcloudbridge.testing.Browser;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.OAuthTestClient;
import org.ocfcloudbridge.testing.OriginLinks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The page shows devices as a person would, in real headless Chromium: each well-known resource type with its own
 * control that changes the device, values following the device live, the temperature's chart, devices sorted by name
 * with a filter, and each linked account with its sync and subscriptions and a resync that restores them.
 */
@QuarkusTest
class DevicePageBrowserTest {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** Screenshots of each state, for people to look at (target/page-shots). */
    private static final Path SHOTS = Path.of("target", "page-shots");

    private static ChromeDriver browser;
    private final List<SimulatedDevice> devices = new ArrayList<>();

    @Inject
    CoapGateway gateway;

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

    @AfterEach
    void shutdownDevices() {
        devices.forEach(SimulatedDevice::shutdown);
        devices.clear();
        browser.manage().window().setSize(new Dimension(1100, 1000));
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

    /** The link whose rows a test looks at by id (the first it signed in with). */
    private static String shownLink;

    static String dom(SimulatedDevice d, String href) {
        return DevicePage.domId(UUID.fromString(shownLink), d.di(), href);
    }

    static String row(SimulatedDevice d) {
        return DevicePage.rowId(UUID.fromString(shownLink), d.di());
    }

    static void shot(String name) throws Exception {
        Files.createDirectories(SHOTS);
        Path png = browser.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(png, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** A full-page screenshot: the window as tall as the page for the moment of the shot. */
    static void fullShot(String name, int width) throws Exception {
        Object height = ((JavascriptExecutor) browser).executeScript("return document.documentElement.scrollHeight");
        browser.manage().window().setSize(new Dimension(width, Math.min(4000, ((Number) height).intValue() + 140)));
        shot(name);
    }

    private static ObjectNode rep(String rt) {
        ObjectNode n = JSON.objectNode();
        n.putArray("rt").add(rt);
        return n;
    }

    static DeviceResource brightness(int level) {
        ObjectNode n = rep("oic.r.light.brightness");
        n.put("brightness", level);
        return new DeviceResource("/brightness", n, List.of("oic.if.a", "oic.if.baseline"), List.of("brightness"), true);
    }

    static DeviceResource dimming() {
        ObjectNode n = rep("oic.r.light.dimming");
        n.put("dimmingSetting", 20);
        n.putArray("range").add(0).add(50);
        return new DeviceResource("/dimming", n, List.of("oic.if.a", "oic.if.baseline"), List.of("dimmingSetting"), true);
    }

    static DeviceResource colour() {
        ObjectNode n = rep("oic.r.colour.rgb");
        n.putArray("rgbValue").add(0).add(128).add(255);
        return new DeviceResource("/colour", n, List.of("oic.if.a", "oic.if.baseline"), List.of("rgbValue"), true);
    }

    /** A type the page has no control of its own for: JSON and its editor. */
    static DeviceResource mode() {
        ObjectNode n = rep("x.org.example.mode");
        n.put("mode", "eco");
        n.put("note", "a long text that must wrap inside the editor instead of running off the side of a phone's screen");
        return new DeviceResource("/mode", n, List.of("oic.if.rw", "oic.if.baseline"), List.of("mode"), true);
    }

    /**
     * A vendor user signed in at the page with one linked account whose Target user has devices named {@code names}
     * (the first with every kind of resource); returns the link id.
     */
    private String signedInWithDevices(String... names) throws Exception {
        return signedInWithDevices(1, names).get(0);
    }

    /**
     * As above with {@code links} linked accounts of the same vendor user, each at its own cloud entry for this
     * daemon's Target and each linking the same Target user: every device is under every link.
     */
    private List<String> signedInWithDevices(int links, String... names) throws Exception {
        String[] vendorUser = OAuthTestClient.newUser();
        String[] alice = OAuthTestClient.newUser();
        for (int i = 0; i < names.length; i++) {
            devices.add(i == 0 ? CloudApiUsers.onlineDevice(alice, gateway.tcpPort(), names[i], brightness(40), dimming(), colour(), mode())
                    : CloudApiUsers.onlineDevice(alice, gateway.tcpPort(), names[i]));
        }
        List<String> made = new ArrayList<>();
        for (int i = 0; i < links; i++) {
            String link = OriginLinks.link(OriginLinks.registerCloud(), CloudApiUsers.vendorToken(vendorUser), alice);
            OriginLinks.settled(link);
            made.add(link);
        }
        shownLink = made.get(0);
        browser.manage().deleteAllCookies();
        browser.get(OriginLinks.BASE + "/");
        browser.findElement(By.id("sign-in")).click();
        browser.findElement(By.name("username")).sendKeys(vendorUser[0]);
        browser.findElement(By.name("password")).sendKeys(vendorUser[1]);
        Browser.submit(browser, By.id("login"));
        for (SimulatedDevice d : devices) {
            until(b -> rows(d).size() == links && rows(d).stream()
                    .allMatch(r -> r.findElement(By.className("status")).getText().equals("online")) ? true : null);
        }
        return made;
    }

    /** The device's rows on the page, one per linked account it is under. */
    private static List<WebElement> rows(SimulatedDevice d) {
        return browser.findElements(By.cssSelector("article.device[data-device='" + d.di() + "']"));
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    @Test
    void eachResourceTypeHasItsOwnControlAndEachControlChangesTheDevice() throws Exception {
        signedInWithDevices("Kitchen lamp");
        SimulatedDevice lamp = devices.get(0);

        // /oic/d as a person reads it: name, device type, versions.
        String info = Browser.text(browser, By.id("res-" + dom(lamp, "/oic/d")));
        assertTrue(info.contains("Name\nKitchen lamp") && info.contains("Device type\noic.d.light")
                && info.contains("OCF version\nocf.2.0.5") && info.contains("Data model\nocf.res.1.3.0"), info);
        assertEquals("Kitchen lamp", Browser.text(browser, By.id("name-" + row(lamp))));
        // One device: no filter box yet.
        assertTrue(browser.findElements(By.id("filter")).isEmpty(), "no filter for a single device");
        // The temperature is a value with its unit; a sensor offers no control.
        assertEquals("20.0", Browser.text(browser, By.id("reading-" + dom(lamp, "/temperature"))));
        assertEquals("°C", Browser.text(browser, By.id("unit-" + dom(lamp, "/temperature"))));
        assertEquals("switch", browser.findElement(By.id("flip-" + dom(lamp, "/switch"))).getAttribute("role"));
        assertEquals("#0080ff", browser.findElement(By.id("colour-" + dom(lamp, "/colour"))).getAttribute("value"));
        shot("desktop-1-controls");

        // The toggle: the device's switch goes on, and the page shows it from the device's change event.
        WebElement toggle = browser.findElement(By.id("flip-" + dom(lamp, "/switch")));
        assertEquals("false", toggle.getAttribute("aria-checked"));
        js("window.notReloaded = true");
        toggle.click();
        until(d -> lamp.switchResource().representation().get("value").asBoolean() ? true : null);
        until(d -> "true".equals(d.findElement(By.id("flip-" + dom(lamp, "/switch"))).getAttribute("aria-checked")) ? true : null);
        assertEquals("On", Browser.text(browser, By.id("flip-" + dom(lamp, "/switch"))));

        // The brightness slider, by keyboard: End is its maximum.
        browser.findElement(By.id("level-" + dom(lamp, "/brightness"))).sendKeys(Keys.END);
        until(d -> lamp.resource("/brightness").representation().get("brightness").asInt() == 100 ? true : null);
        // The dimming slider keeps to the device's range [0, 50].
        WebElement dim = browser.findElement(By.id("level-" + dom(lamp, "/dimming")));
        assertEquals("50", dim.getAttribute("max"));
        dim.sendKeys(Keys.END);
        until(d -> lamp.resource("/dimming").representation().get("dimmingSetting").asInt() == 50 ? true : null);

        // The colour: a picker's choice reaches the device as rgbValue (the native dialog is not scriptable).
        js("var c = arguments[0]; c.value = '#ff0080'; c.dispatchEvent(new Event('change'));",
                browser.findElement(By.id("colour-" + dom(lamp, "/colour"))));
        until(d -> lamp.resource("/colour").representation().get("rgbValue").toString().equals("[255,0,128]") ? true : null);
        until(d -> d.findElement(By.id("swatch-" + dom(lamp, "/colour"))).getAttribute("title").equals("#ff0080") ? true : null);

        // Any other type: formatted JSON and an editor that posts it.
        String modeId = dom(lamp, "/mode");
        assertTrue(Browser.text(browser, By.id("content-" + modeId)).contains("\"mode\": \"eco\""),
                Browser.text(browser, By.id("content-" + modeId)));
        WebElement body = browser.findElement(By.id("body-" + modeId));
        body.clear();
        body.sendKeys("{\"mode\": \"away\"}");
        Browser.click(browser, By.id("update-" + modeId));
        until(d -> lamp.resource("/mode").representation().get("mode").asText().equals("away") ? true : null);
        until(d -> d.findElement(By.id("content-" + modeId)).getText().contains("\"mode\": \"away\"") ? true : null);
        // What the device refuses is said, on the page.
        body = browser.findElement(By.id("body-" + modeId));
        body.clear();
        body.sendKeys("not json");
        Browser.click(browser, By.id("update-" + modeId));
        until(d -> d.findElement(By.id("message")).getText().contains("not-a-json-object") ? true : null);
        assertEquals(Boolean.TRUE, js("return window.notReloaded === true"), "every control worked without reloading the page");
        shot("desktop-2-after-controls");

        // At phone width nothing runs off the side, the JSON editor included.
        browser.manage().window().setSize(new Dimension(380, 900));
        until(d -> ((Number) js("return window.innerWidth")).intValue() <= 380 ? true : null);
        assertTrue(((Number) js("return document.documentElement.scrollWidth - window.innerWidth")).intValue() <= 0,
                "no sideways scrolling at 380 px");
        Number overflow = (Number) js("var t = arguments[0], card = t.closest('article');"
                + "return t.getBoundingClientRect().right - card.getBoundingClientRect().right;", browser.findElement(By.id("body-" + modeId)));
        assertTrue(overflow.doubleValue() <= 0, "the editor fits its card: " + overflow);
        fullShot("phone-1-device", 380);
    }

    @Test
    void changesMadeOnTheDeviceAppearWithoutAReloadAndTheChartGetsTheirPoints() throws Exception {
        signedInWithDevices("Hall lamp");
        SimulatedDevice lamp = devices.get(0);
        String chart = "chart-" + dom(lamp, "/temperature");
        int before = until(d -> {
            String c = d.findElement(By.id(chart)).getAttribute("data-count");
            return c == null ? null : Integer.parseInt(c);
        });
        js("window.notReloaded = true");

        for (double t : new double[]{21.5, 23.5, 19.5}) {
            lamp.setTemperature(t);
            until(d -> d.findElement(By.id("reading-" + dom(lamp, "/temperature"))).getText().equals(Double.toString(t)) ? true : null);
        }
        int after = Integer.parseInt(browser.findElement(By.id(chart)).getAttribute("data-count"));
        assertTrue(after >= before + 3, "a point per reading: " + before + " then " + after);
        assertEquals(after, ((Number) js("var p = document.querySelector('#" + chart + " polyline');"
                + "return p ? p.getAttribute('points').trim().split(' ').length : 0")).intValue(), "the line has the points");
        assertTrue(browser.findElement(By.id(chart)).getAttribute("aria-label").endsWith("latest 19.5"));
        String range = Browser.text(browser, By.id("range-" + dom(lamp, "/temperature")));
        assertEquals("19.5 to 23.5 °C over the last " + after + " readings", range, "the chart's scale, in words");

        // The device itself turns its switch on and changes its brightness: the page follows.
        lamp.switchResource().update(Map.of("value", JSON.booleanNode(true)));
        until(d -> "true".equals(d.findElement(By.id("flip-" + dom(lamp, "/switch"))).getAttribute("aria-checked")) ? true : null);
        lamp.resource("/brightness").update(Map.of("brightness", JSON.numberNode(7)));
        until(d -> "7".equals(d.findElement(By.id("level-" + dom(lamp, "/brightness"))).getAttribute("value")) ? true : null);
        assertEquals("7", Browser.text(browser, By.id("shown-" + dom(lamp, "/brightness"))));
        lamp.resource("/colour").update(Map.of("rgbValue", JSON.arrayNode().add(1).add(2).add(3)));
        until(d -> "#010203".equals(d.findElement(By.id("swatch-" + dom(lamp, "/colour"))).getAttribute("title")) ? true : null);

        // The event log: newest first, the latest change on top, named by the device.
        String newest = Browser.text(browser, By.cssSelector("#events li"));
        assertTrue(newest.contains("content.changed") && newest.contains("Hall lamp") && newest.contains("/colour"), newest);
        List<Long> ids = browser.findElements(By.cssSelector("#events li")).stream()
                .map(li -> Long.parseLong(li.getAttribute("data-event"))).toList();
        assertEquals(ids.stream().sorted(Comparator.reverseOrder()).toList(), ids, "newest first");
        // And the device's last change moved with it.
        assertFalse(browser.findElement(By.id("changed-" + row(lamp))).getAttribute("datetime").isBlank());
        assertEquals(Boolean.TRUE, js("return window.notReloaded === true"), "all of it without a reload");
        shot("desktop-3-live");

        // A device going offline is shown as such, in place.
        lamp.close();
        until(d -> d.findElement(By.id("status-" + row(lamp))).getText().equals("offline") ? true : null);
        fullShot("desktop-4-offline", 1100);
    }

    @Test
    void devicesAreSortedByNameAndAFilterBoxAppearsAboveFive() throws Exception {
        signedInWithDevices("Porch light", "attic fan", "Bedroom lamp", "Zen fountain", "kettle", "Desk lamp");
        List<String> shown = browser.findElements(By.cssSelector("article.device .device-name")).stream().map(WebElement::getText).toList();
        assertEquals(List.of("attic fan", "Bedroom lamp", "Desk lamp", "kettle", "Porch light", "Zen fountain"), shown);
        fullShot("desktop-5-sorted", 1100);

        WebElement filter = browser.findElement(By.id("filter"));
        assertEquals("Filter devices", Browser.text(browser, By.cssSelector("label[for=filter]")));
        filter.sendKeys("lamp");
        until(d -> visibleNames().equals(List.of("Bedroom lamp", "Desk lamp")) ? true : null);
        assertEquals("2 of 6 shown", Browser.text(browser, By.id("filter-count")));
        filter.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        until(d -> visibleNames().size() == 6 ? true : null);
        // Without the script, the same filter is a plain GET the server answers.
        browser.get(OriginLinks.BASE + "/?q=KETTLE");
        assertEquals(List.of("kettle"), browser.findElements(By.cssSelector("article.device .device-name")).stream()
                .map(WebElement::getText).toList());
    }

    private static List<String> visibleNames() {
        return browser.findElements(By.cssSelector("article.device")).stream().filter(WebElement::isDisplayed)
                .map(a -> a.findElement(By.className("device-name")).getText()).toList();
    }

    /**
     * One device under two linked accounts: the page has a row for each, every element id once (the rows' ids carry
     * their link), and what the device does reaches both rows live.
     */
    @Test
    void aDeviceUnderTwoLinkedAccountsHasARowForEachWithUniqueIdsAndBothFollowIt() throws Exception {
        List<String> links = signedInWithDevices(2, "Shared lamp");
        SimulatedDevice lamp = devices.get(0);
        assertEquals(2, rows(lamp).size());
        js("window.notReloaded = true");

        // The device changes by itself: each row follows (each link's subscription tells its own row).
        lamp.switchResource().update(Map.of("value", JSON.booleanNode(true)));
        until(d -> rows(lamp).stream().allMatch(r -> "true".equals(r.findElement(By.cssSelector(".toggle")).getAttribute("aria-checked")))
                ? true : null);
        lamp.setTemperature(24.5);
        until(d -> rows(lamp).stream().allMatch(r -> r.findElement(By.cssSelector(".reading")).getText().equals("24.5")) ? true : null);
        assertEquals(Boolean.TRUE, js("return window.notReloaded === true"), "followed without a reload");
        shot("desktop-8-two-links");
        @SuppressWarnings("unchecked")
        List<String> ids = (List<String>) js("return Array.from(document.querySelectorAll('[id]')).map(function (e) { return e.id; })");
        List<String> twice = ids.stream().filter(i -> ids.indexOf(i) != ids.lastIndexOf(i)).distinct().toList();
        assertEquals(List.of(), twice, "ids used more than once");
        assertEquals(links.stream().sorted().toList(), rows(lamp).stream().map(r -> r.getAttribute("data-link")).sorted().toList());
        lamp.close();
        until(d -> rows(lamp).stream().allMatch(r -> r.findElement(By.className("status")).getText().equals("offline")) ? true : null);
    }

    @Test
    void theAccountShowsItsSyncAndSubscriptionsAndResyncRestoresWhatItLost() throws Exception {
        String link = signedInWithDevices("Garage door");
        SimulatedDevice door = devices.get(0);
        UUID id = UUID.fromString(link);
        assertEquals("linked", Browser.text(browser, By.id("state-" + link)));
        assertEquals("1", Browser.text(browser, By.id("count-" + link)));
        String health = Browser.text(browser, By.id("health-" + link));
        assertTrue(health.matches("(\\d+) of \\1 subscriptions active"), health);
        assertFalse(browser.findElement(By.id("synced-" + link)).getAttribute("datetime").isBlank(), "the link's sync is shown");

        // The bridge loses the device and a subscription (as a lost notification or a restored backup would).
        QuarkusTransaction.requiringNew().run(() -> {
            OriginSubscription.update("targetId = null where linkId = ?1 and level = 'devices'", id);
            OriginResource.delete("key.linkId = ?1 and key.deviceId = ?2", id, door.di());
            OriginDevice.delete("key.linkId = ?1 and key.deviceId = ?2", id, door.di());
        });
        browser.get(OriginLinks.BASE + "/");
        until(d -> d.findElement(By.id("health-" + link)).getText().contains("resync to restore them") ? true : null);
        assertEquals("0", Browser.text(browser, By.id("count-" + link)));
        String syncedBefore = browser.findElement(By.id("synced-" + link)).getAttribute("datetime");
        shot("desktop-6-needs-resync");

        Browser.click(browser, By.id("resync-" + link));
        // The device comes back (its device.added event redraws the page) and every subscription is held again.
        until(d -> d.findElement(By.id("status-" + row(door))).getText().equals("online") ? true : null);
        until(d -> d.findElement(By.id("health-" + link)).getText().matches("(\\d+) of \\1 subscriptions active") ? true : null);
        until(d -> d.findElement(By.id("count-" + link)).getText().equals("1") ? true : null);
        String syncedAfter = browser.findElement(By.id("synced-" + link)).getAttribute("datetime");
        assertTrue(java.time.OffsetDateTime.parse(syncedAfter).isAfter(java.time.OffsetDateTime.parse(syncedBefore)),
                syncedBefore + " then " + syncedAfter);
        shot("desktop-7-resynced");
    }
}
