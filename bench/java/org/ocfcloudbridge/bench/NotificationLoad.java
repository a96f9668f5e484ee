package org.ocfcloudbridge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load side of the notification benchmark. Simulated devices change their temperature; the cloud observes the
 * change, stores it and notifies a resource-level subscription per device; the {@link Receiver}, a process of its own,
 * verifies every signature and notes each arrival, and this driver reckons the rate and the time from the device's
 * change to the arrival. The same receiver is then driven by a {@link BareClient} from this process (the bare path:
 * what the bench itself can see at most).
 * <pre>
 * NotificationLoad HTTP_BASE COAP_URI ADMIN_SECRET RECEIVER_URL SIGNING_SECRET DAEMON_PID RECEIVER_PID [DEVICES] [BURST] [RATE] [SECONDS]
 * </pre>
 * The bare client's connections and requests in flight: {@code -Dbench.bare.connections} (default 16),
 * {@code -Dbench.bare.in-flight} (default 512),
 * {@code -Dbench.bare.pipelining} (default 8).
 * Prints one line {@code RESULT <verified/s> <p50 ms> <p99 ms> <bare/s> <bare p50 ms> <bare p99 ms> <bad signatures>}.
 */
public final class NotificationLoad {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private NotificationLoad() {
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
        String signingSecret = args[4];
        long daemonPid = Long.parseLong(args[5]);
        long receiverPid = Long.parseLong(args[6]);
        int devices = args.length > 7 ? Integer.parseInt(args[7]) : 50;
        int burst = args.length > 8 ? Integer.parseInt(args[8]) : 20_000;
        int rate = args.length > 9 ? Integer.parseInt(args[9]) : 1000;
        int seconds = args.length > 10 ? Integer.parseInt(args[10]) : 10;
        int connections = Integer.getInteger("bench.bare.connections", 16);
        int inFlight = Integer.getInteger("bench.bare.in-flight", 512);

        ReceiverControl receiver = new ReceiverControl(receiverUrl);
        receiver.awaitReady(Duration.ofSeconds(30));
        Cpu cpu = new Cpu(daemonPid, receiverPid);
        String eventsUrl = receiverUrl + "/events";
        long bad = 0;
        // The bare client warms the receiver up first, so that the daemon's notifications meet a compiled receiver too.
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        Signer signer = new Signer(Signer.Scheme.OCF, signingSecret);
        signer.selfCheck();
        BareClient bare = new BareClient(vertx, eventsUrl, signer, connections);
        bare.warmUp(vertx, inFlight);

        TemperatureFleet fleet = TemperatureFleet.signIn(base, adminSecret, devices, i -> coap);
        fleet.subscribe(i -> base, eventsUrl, signingSecret);
        bad += receiver.stats()[1];
        receiver.reset();
        fleet.awaitDelivered(receiver, Duration.ofSeconds(60));
        System.out.printf("setup: %d devices online, %d subscriptions, each delivering%n", devices, devices);

        // Throughput: every device changes as fast as it can.
        bad += receiver.stats()[1];
        receiver.reset();
        ReceiverControl.Result ours = fleet.burst(receiver, cpu, null, burst);
        String burstCpu = cpu.describe();
        System.out.printf("burst: %d changes, %d verified notifications (%d superseded before the cloud read them), %.0f/s%n",
                burst, ours.count(), burst - ours.count(), ours.perSecond());
        System.out.println("  CPU during the burst (to its last arrival): " + burstCpu);

        // Latency at a steady rate.
        bad += receiver.stats()[1];
        receiver.reset();
        fleet.forget();
        long steadyStart = System.nanoTime();
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long next = System.nanoTime();
        for (int i = 0; i < rate * seconds; i++) {
            BareClient.pace(next);
            next += interval;
            fleet.change(i);
        }
        receiver.quiesce(Duration.ofSeconds(3));
        ReceiverControl.Result steady = receiver.match(steadyStart, fleet.changes(), null);
        System.out.printf("steady %d/s for %d s: %d verified, latency p50 %.2f ms p99 %.2f ms%n", rate, seconds, steady.count(),
                steady.ms(50), steady.ms(99));

        // The bare path: the same receiver, the same signature check, signed requests from a bare client here.
        bad += receiver.stats()[1];
        receiver.reset();
        cpu.mark();
        // At least 20,000: a shorter burst at these rates lasts a few hundred milliseconds, too short to be a rate.
        int bareBurstSize = Math.max(burst, 20_000);
        long bareStart = System.nanoTime();
        bare.burst(vertx, bareBurstSize, inFlight, 1_000_000);
        receiver.await(bareBurstSize, Duration.ofSeconds(5));
        String bareCpu = cpu.since();
        ReceiverControl.Result bareBurst = receiver.match(bareStart, bare::sentAt, null);
        System.out.printf("bare HTTP burst: %d of %d verified, %.0f/s (%d connections, %d in flight, pipelining %d)%s%n", bareBurst.count(), bareBurstSize,
                bareBurst.perSecond(), connections, inFlight, BareClient.PIPELINING, bare.failures().isEmpty() ? "" : "; " + bare.failures());
        System.out.println("  CPU during the bare burst: " + bareCpu);
        bad += receiver.stats()[1];
        receiver.reset();
        long pacedStart = System.nanoTime();
        bare.paced(rate, seconds, 2_000_000);
        receiver.await((long) rate * seconds, Duration.ofSeconds(5));
        ReceiverControl.Result barePaced = receiver.match(pacedStart, bare::sentAt, null);
        System.out.printf("bare HTTP steady %d/s for %d s: %d verified, latency p50 %.2f ms p99 %.2f ms%s%n", rate, seconds,
                barePaced.count(), barePaced.ms(50), barePaced.ms(99), bare.failures().isEmpty() ? "" : "; " + bare.failures());
        bad += receiver.stats()[1];
        System.out.printf("RESULT %.0f %.2f %.2f %.0f %.2f %.2f %d%n", ours.perSecond(), steady.ms(50), steady.ms(99),
                bareBurst.perSecond(), barePaced.ms(50), barePaced.ms(99), bad);
        fleet.shutdown();
        vertx.close();
        System.exit(0);
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
