package org.ocfcloudbridge.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.ocfcloudbridge.testing.Browser;
import org.ocfcloudbridge.testing.DaemonProcess;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README "Two clouds", as written: a Target-only and an Origin-only packaged daemon started with the shipped
 * {@code config/target-cloud.properties} and {@code config/origin-cloud.properties} and the README's secrets in the
 * environment (only the ports, and the URLs that name them, differ, so that the test runs beside anything), the
 * README's {@code bin/simulator} command signing a device up at the Target, the README's admin calls creating the
 * Origin's user, the link made through both daemons' pages in headless Chromium, and a webhook receiver that checks
 * every Standard Webhooks signature with the README's {@code whsec_} secret.
 */
class TwoCloudsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REPO = Path.of("").toAbsolutePath();
    private static final Duration WAIT = Duration.ofSeconds(60);

    private record Hook(String id, String timestamp, String signatures, byte[] body) {
    }

    private final List<Hook> received = new CopyOnWriteArrayList<>();
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();

    /** The shell commands of the README's "Two clouds" section, continuation lines joined, one a line. */
    static List<String> readmeCommands() throws IOException {
        String readme = Files.readString(REPO.resolve("README.md"));
        int from = readme.indexOf("\n## Two clouds\n");
        assertTrue(from >= 0, "README.md has a section \"Two clouds\"");
        int to = readme.indexOf("\n## ", from + 1);
        String section = readme.substring(from, to < 0 ? readme.length() : to);
        List<String> commands = new ArrayList<>();
        Matcher block = Pattern.compile("```sh\n(.*?)```", Pattern.DOTALL).matcher(section);
        while (block.find()) {
            block.group(1).replace("\\\n", " ").lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(commands::add);
        }
        return commands;
    }

    /** The one README command that contains {@code text}. */
    static String command(List<String> commands, String text) {
        List<String> found = commands.stream().filter(c -> c.contains(text)).toList();
        assertEquals(1, found.size(), "one README command with «" + text + "»: " + commands);
        return found.get(0);
    }

    /**
     * A command's words as the shell makes them: quotes removed, {@code $NAME} replaced from {@code vars} (a variable
     * the test does not know fails), cut where output redirection or {@code &} begins.
     */
    static List<String> words(String command, java.util.Map<String, String> vars) {
        List<String> words = new ArrayList<>();
        StringBuilder w = null;
        char quote = 0;
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (quote == 0 && (c == '>' || c == '&')) {
                break;
            }
            if (quote == 0 && Character.isWhitespace(c)) {
                if (w != null) {
                    words.add(w.toString());
                    w = null;
                }
                continue;
            }
            if (w == null) {
                w = new StringBuilder();
            }
            if (quote == 0 && (c == '\'' || c == '"')) {
                quote = c;
            } else if (quote != 0 && c == quote) {
                quote = 0;
            } else if (c == '$' && quote != '\'') {
                Matcher m = Pattern.compile("[A-Z_]+").matcher(command).region(i + 1, command.length());
                assertTrue(m.lookingAt(), "a $ the test cannot expand in: " + command);
                assertTrue(vars.containsKey(m.group()), "the test does not know $" + m.group() + " of: " + command);
                w.append(vars.get(m.group()));
                i = m.end() - 1;
            } else {
                w.append(c);
            }
        }
        if (w != null) {
            words.add(w.toString());
        }
        return words;
    }

    /** A README daemon command applied to {@code d}: its environment and its -D options, before the test's own. */
    static void readmeDaemon(DaemonProcess d, String command, java.util.Map<String, String> vars) {
        List<String> w = words(command, vars);
        int java = w.indexOf("java");
        assertTrue(java >= 0 && w.subList(java, w.size()).containsAll(List.of("-jar", "target/quarkus-app/quarkus-run.jar")),
                "the README starts the packaged daemon: " + command);
        for (String assignment : w.subList(0, java)) {
            String[] kv = assignment.split("=", 2);
            d.env(kv[0], kv[1]);
        }
        for (String option : w.subList(java + 1, w.size())) {
            if (option.startsWith("-D")) {
                String[] kv = option.substring(2).split("=", 2);
                // The test's daemons run in a folder of their own: the README's paths are the clone's.
                d.with(kv[0], kv[0].equals("quarkus.config.locations") ? REPO.resolve(kv[1]).toString() : kv[1]);
            }
        }
    }

    private static int freePort(int... not) throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket(0)) {
                int p = s.getLocalPort();
                if (java.util.Arrays.stream(not).noneMatch(n -> n == p)) {
                    return p;
                }
            }
        }
    }

    private static String randomHex() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Standard Webhooks, as a receiver checks it: HMAC-SHA256 of "id.timestamp.body" under the key after whsec_. */
    static boolean signedWith(String whsec, Hook h) throws Exception {
        byte[] key = Base64.getDecoder().decode(whsec.substring("whsec_".length()));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        mac.update((h.id() + "." + h.timestamp() + ".").getBytes(StandardCharsets.UTF_8));
        byte[] expected = mac.doFinal(h.body());
        long age = Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(h.timestamp()));
        if (age > 300) {
            return false;
        }
        for (String s : h.signatures().split(" ")) {
            if (s.startsWith("v1,") && MessageDigest.isEqual(expected, Base64.getDecoder().decode(s.substring(3)))) {
                return true;
            }
        }
        return false;
    }

    private static void awaitOutput(DaemonProcess d, String text) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!d.output().contains(text)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("«" + text + "» not logged:\n" + d.output());
            }
            Thread.sleep(100);
        }
    }

    private JsonNode awaitEvent(Predicate<JsonNode> condition, String what) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            for (JsonNode e : events) {
                if (condition.test(e)) {
                    return e;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError(what + " never reached the webhook; it got:\n" + events);
    }

    private static <T> T until(WebDriver browser, Function<WebDriver, T> condition) {
        return new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> {
            try {
                return condition.apply(d);
            } catch (RuntimeException notYet) {
                return null;
            }
        });
    }

    @Test
    void theReadmesTwoCloudsRunAsWrittenLinkThroughTheBrowserAndSignEveryWebhook() throws Exception {
        String targetAdmin = randomHex();
        String originAdmin = randomHex();
        String linkClientSecret = randomHex();
        // Standard base64, '+' and '/' included: what comes after whsec_ is not the URL-safe alphabet.
        byte[] key = new byte[24];
        new SecureRandom().nextBytes(key);
        key[0] = (byte) 0xfb;
        key[1] = (byte) 0xff;
        key[2] = (byte) 0xbf;
        String webhookSecret = "whsec_" + Base64.getEncoder().encodeToString(key);
        assertTrue(webhookSecret.startsWith("whsec_+/+/"), webhookSecret);

        int hookPort = freePort();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), hookPort), 0);
        receiver.createContext("/hook", ex -> {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            received.add(new Hook(ex.getRequestHeaders().getFirst("webhook-id"), ex.getRequestHeaders().getFirst("webhook-timestamp"),
                    ex.getRequestHeaders().getFirst("webhook-signature"), body));
            events.add(JSON.readTree(body));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();

        List<String> readme = readmeCommands();
        String exports = command(readme, "export ");
        for (String name : List.of("TARGET_ADMIN_SECRET", "ORIGIN_ADMIN_SECRET", "LINK_CLIENT_SECRET")) {
            assertTrue(exports.contains(name + "=$(openssl rand -hex 24)"), exports);
        }
        assertTrue(exports.contains("WEBHOOK_SECRET=whsec_$(openssl rand -base64 24)"), exports);
        java.util.Map<String, String> vars = java.util.Map.of("TARGET_ADMIN_SECRET", targetAdmin,
                "ORIGIN_ADMIN_SECRET", originAdmin, "LINK_CLIENT_SECRET", linkClientSecret, "WEBHOOK_SECRET", webhookSecret);

        // One folder for both, as when both are started from the clone: the config files keep their data apart.
        Path work = DaemonProcess.workRoot().resolve("two-clouds-" + UUID.randomUUID());
        Process simulator = null;
        ChromeDriver browser = null;
        try (DaemonProcess target = new DaemonProcess(work); DaemonProcess origin = new DaemonProcess(work)) {
            int tp = target.httpPort();
            int op = origin.httpPort();
            int coap = freePort(tp, op, hookPort);
            String targetUrl = "http://localhost:" + tp;
            String originUrl = "http://localhost:" + op;
            // The README's ports are fixed; the test's are free ones: every URL naming a port follows.
            java.util.function.UnaryOperator<String> ports = c -> c.replace("localhost:8080", "localhost:" + tp)
                    .replace("localhost:8090", "localhost:" + op).replace("localhost:5683", "localhost:" + coap);

            readmeDaemon(target, command(readme, "config/target-cloud.properties"), vars);
            target.with("bridge.coap.tcp-port", Integer.toString(coap)).with("bridge.coap.tls-port", "0")
                    .with("bridge.identity.clients.origin.redirect-uris", originUrl + "/link/callback")
                    .start().awaitReady(WAIT);
            assertTrue(target.output().contains("Target Cloud id (sid)"), target.output());
            JsonNode published = JSON.readTree(target.get("/.well-known/ocf-cloud-configuration"));
            assertEquals(targetUrl + "/api/v1", published.path("cloudApiUrl").asText(), published.toString());

            readmeDaemon(origin, command(readme, "config/origin-cloud.properties"), vars);
            origin.with("bridge.origin.clouds.target.issuer", targetUrl)
                    .with("bridge.origin.webhooks.vendor.url", "http://127.0.0.1:" + hookPort + "/hook")
                    .start().awaitReady(WAIT);
            // The issuer alone: the Cloud API URL is the one the Target publishes.
            awaitOutput(origin, "cloud target: Cloud API " + targetUrl + "/api/v1, as " + targetUrl
                    + "/.well-known/ocf-cloud-configuration publishes it");
            // The Origin-only daemon makes and logs only what its role needs: no Target cloud id, no token signing key
            // while nobody has signed in.
            assertFalse(origin.output().contains("Target Cloud id (sid)"), origin.output());
            assertFalse(origin.output().contains("created token signing key"), origin.output());
            assertFalse(origin.output().contains("device gateway listening"), origin.output());
            JsonNode originDoc = JSON.readTree(origin.get("/.well-known/ocf-cloud-configuration"));
            assertTrue(originDoc.path("sid").isNull() && originDoc.path("cloudApiUrl").isNull(), originDoc.toString());

            // README: a simulated device of alice at the Target.
            List<String> sim = words(ports.apply(command(readme, "bin/simulator")), vars);
            assertEquals("bin/simulator", sim.get(0));
            List<String> simCommand = new ArrayList<>(sim);
            simCommand.set(0, REPO.resolve("bin/simulator").toString());
            simulator = new ProcessBuilder(simCommand).redirectErrorStream(true)
                    .redirectOutput(work.resolve("simulator.log").toFile()).start();
            String alicePassword = sim.get(sim.indexOf("--password") + 1);
            assertEquals("alice", sim.get(sim.indexOf("--user") + 1));
            long end = System.nanoTime() + WAIT.toNanos();
            while (!Files.readString(work.resolve("simulator.log")).contains("all 1 devices signed in")) {
                assertTrue(simulator.isAlive() && System.nanoTime() < end, Files.readString(work.resolve("simulator.log")));
                Thread.sleep(100);
            }

            // README: the Origin's own user, made with its admin API by the README's curl commands.
            String tokenLine = ports.apply(command(readme, "grant_type=client_credentials"));
            String userLine = ports.apply(command(readme, "/api/admin/users"));
            ProcessBuilder curl = new ProcessBuilder("bash", "-c", "set -eo pipefail; " + tokenLine + "\n" + userLine)
                    .redirectErrorStream(true);
            curl.environment().put("ORIGIN_ADMIN_SECRET", originAdmin);
            Process made = curl.start();
            String answer = new String(made.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(made.waitFor(30, TimeUnit.SECONDS) && made.exitValue() == 0, answer);
            assertTrue(answer.matches("\\{\"id\":\"[0-9a-f-]{36}\"}"), "the user is made: " + answer);
            Matcher json = Pattern.compile("-d '(\\{[^']*})'").matcher(userLine);
            assertTrue(json.find(), userLine);
            JsonNode bob = JSON.readTree(json.group(1));
            String bobName = bob.path("username").asText();
            String bobPassword = bob.path("password").asText();

            // README: sign in at the Origin's page as bob, "Link an OCF Cloud: target", sign in at the Target as alice,
            // Allow.
            browser = Browser.start();
            browser.get(originUrl + "/");
            browser.findElement(By.id("sign-in")).click();
            browser.findElement(By.name("username")).sendKeys(bobName);
            browser.findElement(By.name("password")).sendKeys(bobPassword);
            Browser.submit(browser, By.id("login"));
            assertEquals(bobName, Browser.text(browser, By.id("user")));
            // The page's sign-in was the first token this daemon signed: its key is made now, not at start.
            awaitOutput(origin, "created token signing key");
            assertEquals("Link an OCF Cloud: target", Browser.text(browser, By.id("link-target")));
            browser.findElement(By.id("link-target")).click();
            Browser.awaitUrl(browser, targetUrl + "/oauth2/");
            browser.findElement(By.name("username")).sendKeys("alice");
            browser.findElement(By.name("password")).sendKeys(alicePassword);
            Browser.submit(browser, By.id("login"));
            Browser.submit(browser, By.id("allow"));
            Browser.awaitUrl(browser, originUrl + "/");
            assertEquals("Account linked.", Browser.text(browser, By.id("message")));

            JsonNode linked = awaitEvent(e -> e.path("type").asText().equals("link.state"), "link.state");
            assertEquals("linked", linked.at("/payload/state").asText(), linked.toString());
            assertEquals("target", linked.at("/payload/cloud").asText(), linked.toString());
            // Already online when linked: device.added carries its status.
            JsonNode added = awaitEvent(e -> e.path("type").asText().equals("device.added"), "device.added");
            String di = added.path("device").asText();
            assertEquals("online", added.at("/payload/status").asText(), added.toString());
            assertEquals(di, added.at("/payload/device/di").asText(), added.toString());

            WebDriver page = browser;
            until(page, d -> d.findElement(By.cssSelector("article.device[data-device='" + di + "'] .status")).getText()
                    .equals("online") ? true : null);
            String switchId = org.ocfcloudbridge.origin.console.DevicePage.domId(
                    java.util.UUID.fromString(linked.path("link").asText()), di, "/switch");
            until(page, d -> "false".equals(d.findElement(By.id("flip-" + switchId)).getAttribute("aria-checked")) ? true : null);
            Browser.click(page, By.id("flip-" + switchId));
            // (Right after linking each resource's current content came as content.changed already: the switch's
            // "value": false. The flip is the one with true.)
            JsonNode changed = awaitEvent(e -> e.path("type").asText().equals("content.changed")
                    && e.at("/payload/href").asText().equals("/switch") && e.at("/payload/content/value").asBoolean(),
                    "content.changed of /switch to true");
            assertEquals(di, changed.path("device").asText());

            // The device's events come in order: anything between device.added and this change has arrived, and
            // there was no device.online.
            assertTrue(events.stream().noneMatch(e -> e.path("type").asText().equals("device.online")), events.toString());

            // The device goes away: device.offline.
            simulator.destroy();
            assertTrue(simulator.waitFor(30, TimeUnit.SECONDS), "the simulator stops on SIGTERM");
            JsonNode offline = awaitEvent(e -> e.path("type").asText().equals("device.offline"), "device.offline");
            assertEquals(di, offline.path("device").asText());

            // Every POST is signed with the README's secret, and its webhook-id is the body's id.
            assertTrue(received.size() >= 4, received.size() + " deliveries");
            List<String> problems = new ArrayList<>();
            for (Hook h : received) {
                JsonNode body = JSON.readTree(h.body());
                if (!signedWith(webhookSecret, h)) {
                    problems.add("bad signature on " + h.id());
                }
                if (!h.id().equals(body.path("id").asText())) {
                    problems.add("webhook-id " + h.id() + " is not the body's id " + body.path("id"));
                }
                for (String field : List.of("id", "type", "user", "link", "payload", "time")) {
                    if (!body.has(field)) {
                        problems.add(h.id() + " lacks " + field);
                    }
                }
            }
            assertEquals(List.of(), problems);
        } finally {
            // The shapes the README's events reference shows, for whoever updates it.
            Files.writeString(work.resolve("webhook-events.json"), events.toString());
            if (browser != null) {
                browser.quit();
            }
            if (simulator != null && simulator.isAlive()) {
                simulator.destroyForcibly();
            }
            receiver.stop(0);
        }
    }
}
