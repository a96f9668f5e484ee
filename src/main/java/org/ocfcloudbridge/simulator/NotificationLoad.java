package org.ocfcloudbridge.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import org.ocfcloudbridge.ocf.EventSignature;
import org.ocfcloudbridge.ocf.Protocol.Headers;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load side of the notification benchmark. Simulated devices change their temperature; the cloud observes the
 * change, stores it and notifies a resource-level subscription per device; a receiver in this process verifies every
 * signature and measures the time from the device's change to the notification's arrival. The same receiver is also
 * driven by a bare HTTP client from this process (the baseline: what HTTP alone costs here).
 * <pre>
 * NotificationLoad HTTP_BASE COAP_URI ADMIN_SECRET [DEVICES] [BURST] [RATE] [SECONDS]
 * </pre>
 * Prints one line {@code RESULT <verified/s> <p50 ms> <p99 ms> <echo/s> <echo p50 ms> <echo p99 ms> <lost>}.
 */
public final class NotificationLoad {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "bench-secret-0123456789abcdef012";
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** Change time (nanoTime) by the temperature value that carries it. */
    private static final Map<Double, Long> CHANGED_AT = new ConcurrentHashMap<>();
    private static final List<Long> LATENCIES = java.util.Collections.synchronizedList(new ArrayList<>());
    private static final AtomicInteger VERIFIED = new AtomicInteger();
    private static final AtomicInteger BAD = new AtomicInteger();
    private static final AtomicLong LAST_ARRIVAL = new AtomicLong();

    private NotificationLoad() {
    }

    public static void main(String[] args) throws Exception {
        String base = args[0];
        URI coap = URI.create(args[1]);
        String adminSecret = args[2];
        int devices = args.length > 3 ? Integer.parseInt(args[3]) : 50;
        int burst = args.length > 4 ? Integer.parseInt(args[4]) : 20_000;
        int rate = args.length > 5 ? Integer.parseInt(args[5]) : 1000;
        int seconds = args.length > 6 ? Integer.parseInt(args[6]) : 10;

        // Vert.x (netty) for the receiver: the JDK's built-in server would be the slowest part of the measurement.
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        HttpServer receiver = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0));
        receiver.requestHandler(req -> req.body().onSuccess(buffer -> {
            byte[] body = buffer.getBytes();
            long now = System.nanoTime();
            var h = req.headers();
            String expected = EventSignature.sign(SECRET, h.get("Content-Type"), h.get(Headers.EVENT_TYPE),
                    h.get(Headers.SUBSCRIPTION_ID), Long.parseLong(h.get(Headers.SEQUENCE_NUMBER)),
                    Long.parseLong(h.get(Headers.EVENT_TIMESTAMP)), body);
            if (!EventSignature.matches(expected, h.get(Headers.EVENT_SIGNATURE))) {
                BAD.incrementAndGet();
                req.response().setStatusCode(400).end();
                return;
            }
            req.response().setStatusCode(200).end();
            if ("resource_contentchanged".equals(h.get(Headers.EVENT_TYPE))) {
                try {
                    JsonNode t = JSON.readTree(body).get("temperature");
                    Long at = t == null ? null : CHANGED_AT.remove(t.asDouble());
                    if (at != null) {
                        VERIFIED.incrementAndGet();
                        LATENCIES.add(now - at);
                        LAST_ARRIVAL.set(now);
                    }
                } catch (IOException e) {
                    BAD.incrementAndGet();
                }
            }
        }));
        receiver.listen().toCompletionStage().toCompletableFuture().get();
        String eventsUrl = "http://127.0.0.1:" + receiver.actualPort() + "/events";

        String admin = adminToken(base, adminSecret);
        String user = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        String password = "bench-password-" + UUID.randomUUID();
        post(base + "/api/admin/users", admin, Map.of("username", user, "password", password), 201);
        String token = userToken(base, admin, user, password);

        List<SimulatedDevice> fleet = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            SimulatedDevice d = new SimulatedDevice(UUID.randomUUID().toString(), "bench-" + i, coap, true);
            d.connect();
            d.signUp(post(base + "/api/admin/device-codes", admin, Map.of("username", user), 201).get("code").asText(), null);
            d.signIn();
            d.publish(0);
            fleet.add(d);
        }
        // The twin reads each temperature once the device is online; a subscription's first notification carries it.
        Thread.sleep(2000);
        for (SimulatedDevice d : fleet) {
            post(base + "/api/v1/devices/" + d.di() + "/temperature/subscriptions", token, Map.of("eventsUrl", eventsUrl,
                    "eventTypes", List.of("resource_contentchanged"), "signingSecret", SECRET), 201);
        }
        Thread.sleep(2000);
        System.out.printf("setup: %d devices online, %d subscriptions%n", devices, devices);

        // Throughput: every device changes as fast as it can.
        reset();
        long start = System.nanoTime();
        double value = 1000;
        for (int i = 0; i < burst; i++) {
            SimulatedDevice d = fleet.get(i % devices);
            value += 1;
            CHANGED_AT.put(value, System.nanoTime());
            d.setTemperature(value);
        }
        quiesce(Duration.ofSeconds(3));
        double throughput = VERIFIED.get() / ((LAST_ARRIVAL.get() - start) / 1e9);
        int delivered = VERIFIED.get();
        System.out.printf("burst: %d changes, %d verified notifications (%d superseded before the cloud read them), %.0f/s%n",
                burst, delivered, burst - delivered, throughput);

        // Latency at a steady rate.
        reset();
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long next = System.nanoTime();
        for (int i = 0; i < rate * seconds; i++) {
            pace(next);
            next += interval;
            value += 1;
            CHANGED_AT.put(value, System.nanoTime());
            fleet.get(i % devices).setTemperature(value);
        }
        quiesce(Duration.ofSeconds(3));
        long[] lat = sorted();
        int steady = lat.length;
        System.out.printf("steady %d/s for %d s: %d verified, latency p50 %.2f ms p99 %.2f ms%n", rate, seconds, steady,
                pct(lat, 50), pct(lat, 99));

        // Baseline: the same receiver, the same signature check, a bare HTTP client posting from here.
        Echo echo = echo(eventsUrl, burst, rate, seconds, devices);
        System.out.printf("bare HTTP: %.0f/s, latency p50 %.2f ms p99 %.2f ms%n", echo.rate, echo.p50, echo.p99);
        System.out.printf("RESULT %.0f %.2f %.2f %.0f %.2f %.2f %d%n", throughput, pct(lat, 50), pct(lat, 99), echo.rate, echo.p50,
                echo.p99, BAD.get());
        fleet.forEach(SimulatedDevice::shutdown);
        vertx.close();
        System.exit(0);
    }

    private record Echo(double rate, double p50, double p99) {
    }

    /** A bare client: one request in flight per "subscription", like the daemon, signing as the daemon does. */
    private static Echo echo(String url, int burst, int rate, int seconds, int lanes) throws Exception {
        reset();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Semaphore slots = new Semaphore(lanes);
        AtomicInteger seq = new AtomicInteger();
        long start = System.nanoTime();
        CountDownLatch done = new CountDownLatch(burst);
        for (int i = 0; i < burst; i++) {
            slots.acquire();
            sendEcho(client, url, 1_000_000.0 + i, seq.getAndIncrement()).whenComplete((r, e) -> {
                slots.release();
                done.countDown();
            });
        }
        done.await(60, TimeUnit.SECONDS);
        double throughput = VERIFIED.get() / ((LAST_ARRIVAL.get() - start) / 1e9);
        reset();
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long next = System.nanoTime();
        CountDownLatch paced = new CountDownLatch(rate * seconds);
        for (int i = 0; i < rate * seconds; i++) {
            pace(next);
            next += interval;
            sendEcho(client, url, 2_000_000.0 + i, seq.getAndIncrement()).whenComplete((r, e) -> paced.countDown());
        }
        paced.await(60, TimeUnit.SECONDS);
        long[] lat = sorted();
        return new Echo(throughput, pct(lat, 50), pct(lat, 99));
    }

    private static java.util.concurrent.CompletableFuture<HttpResponse<Void>> sendEcho(HttpClient client, String url, double value, int seq) {
        CHANGED_AT.put(value, System.nanoTime());
        byte[] body = ("{\"temperature\":" + value + ",\"units\":\"C\"}").getBytes(StandardCharsets.UTF_8);
        long ts = System.currentTimeMillis() / 1000;
        String sub = "00000000-0000-4000-8000-000000000000";
        String sig = EventSignature.sign(SECRET, "application/json", "resource_contentchanged", sub, seq, ts, body);
        HttpRequest r = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .header(Headers.EVENT_TYPE, "resource_contentchanged").header(Headers.SUBSCRIPTION_ID, sub)
                .header(Headers.SEQUENCE_NUMBER, Integer.toString(seq)).header(Headers.EVENT_TIMESTAMP, Long.toString(ts))
                .header(Headers.EVENT_SIGNATURE, sig).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return client.sendAsync(r, HttpResponse.BodyHandlers.discarding());
    }

    /** Waits until {@code at} without spinning: a busy loop would take a core from the daemon being measured. */
    static void pace(long at) {
        long left;
        while ((left = at - System.nanoTime()) > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(left);
        }
    }

    private static void reset() {
        CHANGED_AT.clear();
        LATENCIES.clear();
        VERIFIED.set(0);
        LAST_ARRIVAL.set(System.nanoTime());
    }

    /** Waits until nothing arrived for {@code quiet}. */
    private static void quiesce(Duration quiet) throws InterruptedException {
        int seen = -1;
        while (true) {
            Thread.sleep(quiet.toMillis());
            int now = VERIFIED.get();
            if (now == seen) {
                return;
            }
            seen = now;
        }
    }

    private static long[] sorted() {
        long[] a;
        synchronized (LATENCIES) {
            a = LATENCIES.stream().mapToLong(Long::longValue).toArray();
        }
        Arrays.sort(a);
        return a;
    }

    private static double pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
    }

    // ---- HTTP helpers: admin API and the authorization code flow, as an Origin Cloud's back end would run it ----

    static String adminToken(String base, String secret) throws Exception {
        String basic = Base64.getEncoder().encodeToString(("bridge-admin:" + secret).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
                .header("Authorization", "Basic " + basic).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(), HttpResponse.BodyHandlers.ofString());
        return expect(r, 200).get("access_token").asText();
    }

    static JsonNode post(String url, String token, Object body, int status) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build(), HttpResponse.BodyHandlers.ofString());
        return expect(r, status);
    }

    static JsonNode expect(HttpResponse<String> r, int status) throws IOException {
        if (r.statusCode() != status) {
            throw new IOException(r.request().uri() + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    static String userToken(String base, String admin, String user, String password) throws Exception {
        return userToken(base, admin, user, password, "bench-" + UUID.randomUUID().toString().substring(0, 8));
    }

    /** A user's token (r:* w:*) from a new public client {@code client}. */
    static String userToken(String base, String admin, String user, String password, String client) throws Exception {
        String redirect = "http://127.0.0.1:9/bench";
        post(base + "/api/admin/clients", admin, Map.of("clientId", client, "redirectUris", List.of(redirect),
                "scopes", List.of("r:*", "w:*")), 201);
        byte[] random = new byte[32];
        new java.security.SecureRandom().nextBytes(random);
        String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        String authorize = base + "/oauth2/authorize?response_type=code&client_id=" + client + "&redirect_uri=" + enc(redirect)
                + "&scope=" + enc("r:* w:*") + "&state=s&code_challenge=" + challenge + "&code_challenge_method=S256";
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(authorize)).build(), HttpResponse.BodyHandlers.ofString());
        String request = field(page.body());
        HttpResponse<String> login = HTTP.send(form(base + "/oauth2/login", null, "request", request, "username", user,
                "password", password), HttpResponse.BodyHandlers.ofString());
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        HttpResponse<String> consent = HTTP.send(form(base + "/oauth2/consent", cookie, "request", request, "consent", "allow"),
                HttpResponse.BodyHandlers.ofString());
        String location = consent.headers().firstValue("Location").orElseThrow(() -> new IOException("no redirect: " + consent.body()));
        Matcher code = Pattern.compile("[?&]code=([^&]+)").matcher(location);
        if (!code.find()) {
            throw new IOException("no code in " + location);
        }
        HttpResponse<String> tokens = HTTP.send(form(base + "/oauth2/token", null, "grant_type", "authorization_code",
                "code", java.net.URLDecoder.decode(code.group(1), StandardCharsets.UTF_8), "redirect_uri", redirect,
                "client_id", client, "code_verifier", verifier), HttpResponse.BodyHandlers.ofString());
        return expect(tokens, 200).get("access_token").asText();
    }

    static HttpRequest form(String url, String cookie, String... kv) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < kv.length; i += 2) {
            b.append(i == 0 ? "" : "&").append(enc(kv[i])).append('=').append(enc(kv[i + 1]));
        }
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(b.toString()));
        if (cookie != null) {
            r.header("Cookie", cookie);
        }
        return r.build();
    }

    static String field(String html) throws IOException {
        Matcher m = Pattern.compile("name=\"request\" value=\"([^\"]+)\"").matcher(html);
        if (!m.find()) {
            throw new IOException("no login form");
        }
        return m.group(1);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
