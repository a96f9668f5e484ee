package org.ocfcloudbridge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.ocfcloudbridge.simulator.SimulatedDevice;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The load side of the Origin-role benchmark, against one daemon running both roles: a vendor user links a Target
 * account (the real browser flow, driven over HTTP), then (1) proxy reads of a device resource through both roles at a
 * steady rate, next to a bare HTTP echo (served by the {@link Receiver}) and a bare Californium CoAP echo measured
 * here; (2) device changes → vendor webhook latency through Target notifications, the Origin inbox and the vendor
 * event outbox, the webhooks taken by the {@link Receiver}, a process of its own that verifies every signature;
 * (3) the bare path of (2): signed webhooks from a {@link BareClient} here to the same receiver, as a burst and at the
 * event rate.
 * <pre>
 * OriginLoad HTTP_BASE COAP_URI ADMIN_SECRET RECEIVER_URL WEBHOOK_SECRET DAEMON_PID RECEIVER_PID [RATE] [SECONDS] [EVENT_RATE] [EVENT_DEVICES]
 * </pre>
 * The bare client's connections and requests in flight: {@code -Dbench.bare.connections} (default 16),
 * {@code -Dbench.bare.in-flight} (default 512),
 * {@code -Dbench.bare.pipelining} (default 8).
 * Prints {@code RESULT <proxy p50 ms> <p99> <http echo p50> <p99> <coap echo p50> <p99> <event p50> <p99> <events>
 * <Target API alone p50> <p99> <bare webhooks/s> <bare p50 ms> <bare p99 ms> <bad signatures>}.
 */
public final class OriginLoad {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.concurrent.atomic.AtomicInteger FAILURES = new java.util.concurrent.atomic.AtomicInteger();
    static final String VENDOR_CLIENT = "bench-vendor";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private OriginLoad() {
    }

    /** Exits when done or failed ({@link BenchMain}). */
    public static void main(String[] args) {
        BenchMain.exitAfter(() -> run(args));
    }

    private static void run(String[] args) throws Exception {
        String base = args[0];
        URI coap = URI.create(args[1]);
        String adminSecret = args[2];
        String receiverUrl = args[3];
        String webhookSecret = args[4];
        long daemonPid = Long.parseLong(args[5]);
        long receiverPid = Long.parseLong(args[6]);
        int rate = args.length > 7 ? Integer.parseInt(args[7]) : 1000;
        int seconds = args.length > 8 ? Integer.parseInt(args[8]) : 10;
        int eventRate = args.length > 9 ? Integer.parseInt(args[9]) : 200;
        int eventDevices = args.length > 10 ? Integer.parseInt(args[10]) : 20;
        int connections = Integer.getInteger("bench.bare.connections", 16);
        int inFlight = Integer.getInteger("bench.bare.in-flight", 512);

        ReceiverControl receiver = new ReceiverControl(receiverUrl);
        receiver.awaitReady(java.time.Duration.ofSeconds(30));
        Cpu cpu = new Cpu(daemonPid, receiverPid);
        long bad = 0;
        Map<Double, Long> changedAt = new ConcurrentHashMap<>();
        Map<Double, Long> changedAtWall = new ConcurrentHashMap<>();
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        // The bare client warms the receiver up first, so that the daemon's webhooks meet a compiled receiver too.
        Signer signer = new Signer(Signer.Scheme.WEBHOOK, webhookSecret);
        signer.selfCheck();
        BareClient bare = new BareClient(vertx, receiver.url("/hook"), signer, connections);
        bare.warmUp(vertx, inFlight);

        String admin = NotificationLoad.adminToken(base, adminSecret);
        String vendorUser = "vendor-" + UUID.randomUUID().toString().substring(0, 8);
        String targetUser = "owner-" + UUID.randomUUID().toString().substring(0, 8);
        String password = "bench-password-" + UUID.randomUUID();
        NotificationLoad.post(base + "/api/admin/users", admin, Map.of("username", vendorUser, "password", password), 201);
        NotificationLoad.post(base + "/api/admin/users", admin, Map.of("username", targetUser, "password", password), 201);
        // The daemon takes embedded tokens as vendor tokens from this client only (bench/origin.sh names it).
        String vendorToken = NotificationLoad.userToken(base, admin, vendorUser, password, VENDOR_CLIENT);
        String client = "bench-link-" + UUID.randomUUID().toString().substring(0, 8);
        String secret = "bench-link-secret-" + UUID.randomUUID();
        NotificationLoad.post(base + "/api/admin/clients", admin, Map.of("clientId", client, "redirectUris",
                List.of(base + "/link/callback"), "scopes", List.of("r:*", "w:*"), "secret", secret), 201);
        String cloud = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        NotificationLoad.post(base + "/api/admin/clouds", admin, Map.of("name", cloud, "apiUrl", base + "/api/v1",
                "authorizationEndpoint", base + "/oauth2/authorize", "tokenEndpoint", base + "/oauth2/token", "clientId", client,
                "clientSecret", secret), 201);

        // The first device also serves the proxy reads; the device changes are spread over all of them, as a vendor's
        // events come from many devices (one resource's changes are delivered one at a time, in order).
        List<SimulatedDevice> fleet = new ArrayList<>();
        for (int i = 0; i < Math.max(1, eventDevices); i++) {
            SimulatedDevice d = new SimulatedDevice(UUID.randomUUID().toString(), "bench", coap, false);
            d.connect();
            d.signUp(NotificationLoad.post(base + "/api/admin/device-codes", admin, Map.of("username", targetUser), 201)
                    .get("code").asText(), null);
            d.signIn();
            d.publish(0);
            fleet.add(d);
        }
        SimulatedDevice device = fleet.get(0);

        String link = link(base, cloud, vendorToken, targetUser, password);
        awaitDevices(base, link, vendorToken, fleet.size());
        System.out.printf("setup: linked %s, %d devices synced%n", link, fleet.size());

        String proxyUrl = base + "/api/v1/links/" + link + "/devices/" + device.di() + "/switch";
        // Both paths warm up the same way first (JIT, connection pools): the figures are for a daemon that has been running.
        io.vertx.core.http.HttpClient load = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions().setKeepAlive(true),
                new io.vertx.core.http.PoolOptions().setHttp1MaxSize(256));
        long[] proxy = new long[0];
        long[] direct = new long[0];
        long[] echo = new long[0];
        long[] coapEcho = new long[0];
        // RATE 0 measures the events alone (to profile them).
        if (rate > 0) {
        paced(load, proxyUrl, vendorToken, rate, Math.min(seconds, 10));
        FAILURES.set(0);
        proxy = paced(load, proxyUrl, vendorToken, rate, seconds);
        String targetUrl = base + "/api/v1/devices/" + device.di() + "/switch";
        String ownerToken = NotificationLoad.userToken(base, admin, targetUser, password);
        paced(load, targetUrl, ownerToken, rate, Math.min(seconds, 10));
        direct = paced(load, targetUrl, ownerToken, rate, seconds);
        paced(load, receiver.url("/echo"), null, rate, Math.min(seconds, 10));
        echo = paced(load, receiver.url("/echo"), null, rate, seconds);
        coapEcho = LoadDevices.bareCaliforniumEcho(Math.max(2000, rate * 2));
        Arrays.sort(coapEcho);
        }
        System.out.printf("proxy through both roles at %d/s: p50 %.3f ms p99 %.3f ms%n", rate, ms(proxy, 50), ms(proxy, 99));
        System.out.printf("Target API alone at %d/s:          p50 %.3f ms p99 %.3f ms%n", rate, ms(direct, 50), ms(direct, 99));
        System.out.printf("bare HTTP echo at %d/s:            p50 %.3f ms p99 %.3f ms%n", rate, ms(echo, 50), ms(echo, 99));
        System.out.printf("bare CoAP echo (Californium TCP):  p50 %.3f ms p99 %.3f ms%n", pctMicros(coapEcho, 50) / 1000.0,
                pctMicros(coapEcho, 99) / 1000.0);

        // The event path warms up as the proxy did (JIT, pools): the same rate for bench.warmup.seconds (BENCH_WARMUP, 10),
        // then until it drained. The JIT compiles a method fully after some 10,000 calls: a path called once per change
        // needs that many changes before its figures are a long-running daemon's.
        ReceiverControl.SentAt changes = key -> {
            Long at = changedAt.remove(key);
            return at == null ? -1 : at;
        };
        ReceiverControl.SentAt changesWall = key -> {
            Long at = changedAtWall.remove(key);
            return at == null ? -1 : at;
        };
        bad += receiver.stats()[1];
        receiver.reset();
        int warmSeconds = Integer.getInteger("bench.warmup.seconds", 10);
        int warm = eventRate * warmSeconds;
        double value = changes(fleet, eventRate, warmSeconds, 100, changedAt, changedAtWall);
        receiver.await(warm, java.time.Duration.ofSeconds(30));
        System.out.printf("warm-up: %d changes at %d/s%n", warm, eventRate);
        changedAt.clear();
        changedAtWall.clear();
        bad += receiver.stats()[1];
        receiver.reset();
        long cpuBefore = ReceiverControl.cpuMillis(daemonPid);
        cpu.mark();
        long eventsStart = System.nanoTime();
        changes(fleet, eventRate, seconds, value, changedAt, changedAtWall);
        receiver.await((long) eventRate * seconds, java.time.Duration.ofSeconds(30));
        long cpuAfter = ReceiverControl.cpuMillis(daemonPid);
        String eventsCpu = cpu.since();
        if (cpuBefore >= 0 && cpuAfter >= 0) {
            System.out.printf("daemon CPU per device change (all of it: Target, Origin, webhook): %.2f ms%n",
                    (cpuAfter - cpuBefore) / (double) (eventRate * seconds));
            if (cpu.jitMillis() >= 0) {
                // A daemon that runs for hours has compiled its hot paths; a bench's few seconds of warm-up has not.
                System.out.printf("  without the JIT compiler's share (still compiling): %.2f ms%n",
                        (cpuAfter - cpuBefore - cpu.jitMillis()) / (double) (eventRate * seconds));
            }
        }
        if (cpu.databaseMillis() >= 0) {
            System.out.printf("database server CPU per device change (PostgreSQL's processes): %.2f ms%n",
                    cpu.databaseMillis() / (double) (eventRate * seconds));
        }
        System.out.println("  CPU during the events: " + eventsCpu);
        Thread.sleep(5000);
        ReceiverControl.Result events = receiver.match(eventsStart, changes, changesWall);
        System.out.printf("  of which device change -> Origin inbox accepted it: p50 %.0f ms p99 %.0f ms (millisecond clock)%n",
                ReceiverControl.pct(events.eventMillisLatencies(), 50) / 1e6, ReceiverControl.pct(events.eventMillisLatencies(), 99) / 1e6);
        System.out.printf("device change -> vendor webhook at %d/s: %d of %d arrived, p50 %.2f ms p99 %.2f ms%n", eventRate,
                events.count(), eventRate * seconds, events.ms(50), events.ms(99));
        if (!changedAt.isEmpty()) {
            // The values set that no webhook carried: with BENCH_KEEP=1 the daemon's database is left to look them up.
            System.out.println("  not arrived (temperature values set, first 20): "
                    + changedAt.keySet().stream().sorted().limit(20).toList());
        }

        // The bare path of the events: signed webhooks from here to the same receiver, as fast as it takes them, then
        // at the event rate.
        int burst = Math.max(20_000, eventRate * seconds);
        bad += receiver.stats()[1];
        receiver.reset();
        cpu.mark();
        long bareStart = System.nanoTime();
        bare.burst(vertx, burst, inFlight, 1_000_000);
        receiver.await(burst, java.time.Duration.ofSeconds(5));
        String bareCpu = cpu.since();
        ReceiverControl.Result bareBurst = receiver.match(bareStart, bare::sentAt, null);
        System.out.printf("bare webhook burst: %d of %d verified, %.0f/s (%d connections, %d in flight, pipelining %d)%s%n", bareBurst.count(), burst,
                bareBurst.perSecond(), connections, inFlight, BareClient.PIPELINING, bare.failures().isEmpty() ? "" : "; " + bare.failures());
        System.out.println("  CPU during the bare burst: " + bareCpu);
        bad += receiver.stats()[1];
        receiver.reset();
        long pacedStart = System.nanoTime();
        bare.paced(eventRate, seconds, 2_000_000);
        receiver.await((long) eventRate * seconds, java.time.Duration.ofSeconds(5));
        ReceiverControl.Result barePaced = receiver.match(pacedStart, bare::sentAt, null);
        System.out.printf("bare webhooks at %d/s: %d verified, p50 %.2f ms p99 %.2f ms%s%n", eventRate, barePaced.count(),
                barePaced.ms(50), barePaced.ms(99), bare.failures().isEmpty() ? "" : "; " + bare.failures());
        bad += receiver.stats()[1];
        System.out.printf("RESULT %.3f %.3f %.3f %.3f %.3f %.3f %.2f %.2f %d %.3f %.3f %.0f %.2f %.2f %d%n", ms(proxy, 50), ms(proxy, 99),
                ms(echo, 50), ms(echo, 99), pctMicros(coapEcho, 50) / 1000.0, pctMicros(coapEcho, 99) / 1000.0, events.ms(50),
                events.ms(99), events.count(), ms(direct, 50), ms(direct, 99), bareBurst.perSecond(), barePaced.ms(50),
                barePaced.ms(99), bad);
        fleet.forEach(SimulatedDevice::shutdown);
        vertx.close();
        System.exit(0);
    }

    /** Temperature changes at a steady rate, spread over the fleet; returns the last value set. */
    private static double changes(List<SimulatedDevice> fleet, int rate, int seconds, double value, Map<Double, Long> changedAt,
                                  Map<Double, Long> changedAtWall) {
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long next = System.nanoTime();
        for (int i = 0; i < rate * seconds; i++) {
            BareClient.pace(next);
            next += interval;
            value += 0.5;
            changedAtWall.put(value, System.currentTimeMillis());
            changedAt.put(value, System.nanoTime());
            fleet.get(i % fleet.size()).setTemperature(value);
        }
        return value;
    }

    /**
     * GETs at a steady rate over a pooled Vert.x client (the JDK client costs this process more CPU than the daemon
     * under test spends, on the same two cores); returns sorted round trips in nanoseconds.
     */
    private static long[] paced(io.vertx.core.http.HttpClient client, String url, String token, int rate, int seconds)
            throws InterruptedException {
        int n = rate * seconds;
        long[] rtt = new long[n];
        CountDownLatch done = new CountDownLatch(n);
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long next = System.nanoTime();
        io.vertx.core.http.RequestOptions options = new io.vertx.core.http.RequestOptions().setAbsoluteURI(url)
                .putHeader("Accept", "application/json");
        if (token != null) {
            options.putHeader("Authorization", "Bearer " + token);
        }
        for (int i = 0; i < n; i++) {
            BareClient.pace(next);
            next += interval;
            int slot = i;
            long t0 = System.nanoTime();
            client.request(options).compose(r -> r.send()).compose(resp -> resp.body().map(b -> resp.statusCode() == 200
                    ? null : resp.statusCode() + " " + b)).onComplete(result -> {
                String problem = result.failed() ? result.cause().toString() : result.result();
                rtt[slot] = problem == null ? System.nanoTime() - t0 : Long.MAX_VALUE;
                if (problem != null && FAILURES.getAndIncrement() == 0) {
                    System.out.println("first failure: " + problem);
                }
                done.countDown();
            });
        }
        done.await(60, TimeUnit.SECONDS);
        Arrays.sort(rtt);
        return rtt;
    }

    private static String link(String base, String cloud, String vendorToken, String user, String password) throws Exception {
        HttpResponse<String> start = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/link/" + cloud + "?token="
                + URLEncoder.encode(vendorToken, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        String authorize = start.headers().firstValue("Location").orElseThrow(() -> new IllegalStateException(start.body()));
        // The link is bound to the browser that started it: come back with its cookie.
        String bound = start.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("bridge_link_"))
                .map(c -> c.split(";")[0]).findFirst().orElseThrow(() -> new IllegalStateException("no link cookie"));
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(authorize)).build(), HttpResponse.BodyHandlers.ofString());
        String request = NotificationLoad.field(page.body());
        HttpResponse<String> login = HTTP.send(NotificationLoad.form(base + "/oauth2/login", null, "request", request, "username", user,
                "password", password), HttpResponse.BodyHandlers.ofString());
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        HttpResponse<String> consent = HTTP.send(NotificationLoad.form(base + "/oauth2/consent", cookie, "request", request,
                "consent", "allow"), HttpResponse.BodyHandlers.ofString());
        String callback = consent.headers().firstValue("Location").orElseThrow();
        HttpResponse<String> back = HTTP.send(HttpRequest.newBuilder(URI.create(callback)).header("Cookie", bound).build(),
                HttpResponse.BodyHandlers.ofString());
        if (back.statusCode() != 200 || !back.body().contains("linked")) {
            throw new IllegalStateException("linking failed: " + back.statusCode() + " " + back.body());
        }
        HttpResponse<String> links = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/links"))
                .header("Authorization", "Bearer " + vendorToken).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(links.body()).get(0).get("id").asText();
    }

    private static void awaitDevices(String base, String link, String token, int n) throws Exception {
        for (int i = 0; i < 600; i++) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/links/" + link + "/devices"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode d = JSON.readTree(r.body());
            boolean all = d.size() == n;
            for (JsonNode one : d) {
                all &= one.path("content").has("/temperature");
            }
            if (all) {
                // The sync subscribes after it has stored the devices: let it finish before changes are timed.
                Thread.sleep(3000);
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the devices never synced");
    }

    private static double ms(long[] sortedNanos, int p) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        long v = sortedNanos[Math.min(sortedNanos.length - 1, (int) Math.ceil(p / 100.0 * sortedNanos.length) - 1)];
        return v == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : v / 1e6;
    }

    private static double pctMicros(long[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
