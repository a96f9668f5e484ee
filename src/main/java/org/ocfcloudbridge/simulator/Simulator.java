package org.ocfcloudbridge.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Command-line device simulator: runs N simulated devices against an OCF Cloud and prints progress.
 * <pre>
 * bin/simulator --cloud coap+tcp://localhost:5683 --devices 10 \
 *     --http http://localhost:8080 --admin-secret S --user alice [--password P]
 * bin/simulator --cloud coaps+tcp://localhost:5684 --insecure --code CODE    (one device, a code from a Mediator)
 * bin/simulator --cloud coap+tcp://gw1:5683,coap+tcp://gw2:5683 ...   (instances of one cluster: devices spread over
 *                                     them and move on to the next when theirs is gone)
 * </pre>
 * Options: --ping SECONDS (20), --tick SECONDS (temperature changes, 10), --duration SECONDS (0 = until stopped),
 * --authprovider NAME.
 */
public final class Simulator {

    private Simulator() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = parse(args);
        if (!opt.containsKey("cloud")) {
            System.err.println("usage: simulator --cloud coap+tcp://HOST:PORT [--insecure] (--code CODE | --devices N --http URL "
                    + "--admin-secret S --user NAME [--password P]) [--ping S] [--tick S] [--duration S] [--authprovider NAME]");
            System.exit(2);
        }
        List<URI> clouds = java.util.Arrays.stream(opt.get("cloud").split(",")).map(String::strip).filter(c -> !c.isEmpty())
                .map(URI::create).toList();
        boolean insecure = opt.containsKey("insecure");
        int n = Integer.parseInt(opt.getOrDefault("devices", "1"));
        long ping = Long.parseLong(opt.getOrDefault("ping", "20"));
        long tick = Long.parseLong(opt.getOrDefault("tick", "10"));
        long duration = Long.parseLong(opt.getOrDefault("duration", "0"));
        String provider = opt.get("authprovider");

        // Agents block on their requests (sign-up answers within ~2 s): enough threads that a slow answer holds up few others.
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(Math.min(64, Math.max(4, n)));
        List<DeviceAgent> agents = new ArrayList<>();
        long start = System.nanoTime();
        Codes codes = opt.containsKey("code") ? new Codes(opt.get("code")) : new Codes(opt);
        for (int i = 0; i < n; i++) {
            // Spread over the instances; each device's list starts at its own, then goes round.
            List<URI> mine = new ArrayList<>();
            for (int k = 0; k < clouds.size(); k++) {
                mine.add(clouds.get((i + k) % clouds.size()));
            }
            SimulatedDevice d = new SimulatedDevice(UUID.randomUUID().toString(), "sim-" + i, mine.get(0), insecure);
            DeviceAgent a = new DeviceAgent(d, scheduler, ping, mine);
            agents.add(a);
            scheduler.execute(() -> {
                try {
                    a.start(codes.next(), provider);
                } catch (IOException | RuntimeException e) {
                    a.failed(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        scheduler.scheduleWithFixedDelay(() -> agents.stream().filter(a -> a.state() == DeviceAgent.State.ONLINE)
                .forEach(a -> a.device().setTemperature(18 + ThreadLocalRandom.current().nextDouble() * 8)), tick, tick, TimeUnit.SECONDS);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> agents.forEach(DeviceAgent::stop)));
        boolean allOnlineReported = false;
        while (duration == 0 || System.nanoTime() - start < TimeUnit.SECONDS.toNanos(duration)) {
            Thread.sleep(1000);
            long online = agents.stream().filter(a -> a.state() == DeviceAgent.State.ONLINE).count();
            long failed = agents.stream().filter(a -> a.state() == DeviceAgent.State.FAILED).count();
            int reconnects = agents.stream().mapToInt(DeviceAgent::reconnects).sum();
            double secs = (System.nanoTime() - start) / 1e9;
            System.out.printf("%6.1fs  devices %d  online %d  failed %d  reconnects %d%n", secs, n, online, failed, reconnects);
            if (failed > 0) {
                agents.stream().filter(a -> a.state() == DeviceAgent.State.FAILED).limit(3)
                        .forEach(a -> System.out.println("        " + a.device().di() + ": " + a.lastError()));
            }
            if (!allOnlineReported && online == n) {
                System.out.printf("all %d devices signed in and published after %.2f s%n", n, secs);
                allOnlineReported = true;
            }
        }
        agents.forEach(DeviceAgent::stop);
        scheduler.shutdownNow();
        System.exit(0);
    }

    /** Device codes: a given one, or fresh ones from the cloud's admin API. */
    private static final class Codes {
        private final String fixed;
        private final HttpClient http = HttpClient.newHttpClient();
        private final ObjectMapper json = new ObjectMapper();
        private String base;
        private String token;
        private String user;

        Codes(String fixed) {
            this.fixed = fixed;
        }

        Codes(Map<String, String> opt) throws IOException, InterruptedException {
            this.fixed = null;
            base = require(opt, "http");
            user = require(opt, "user");
            String secret = require(opt, "admin-secret");
            String basic = Base64.getEncoder().encodeToString(("bridge-admin:" + secret).getBytes(StandardCharsets.UTF_8));
            JsonNode t = call(HttpRequest.newBuilder(URI.create(base + "/oauth2/token")).header("Authorization", "Basic " + basic)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")), 200);
            token = t.get("access_token").asText();
            String password = opt.getOrDefault("password", "simulated-" + UUID.randomUUID());
            HttpResponse<String> r = http.send(json(base + "/api/admin/users", Map.of("username", user, "password", password)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201 && r.statusCode() != 409) {
                throw new IOException("creating user " + user + " answered " + r.statusCode() + " " + r.body());
            }
        }

        String next() throws IOException, InterruptedException {
            if (fixed != null) {
                return fixed;
            }
            return call(json(base + "/api/admin/device-codes", Map.of("username", user)), 201).get("code").asText();
        }

        private HttpRequest.Builder json(String url, Map<String, String> body) throws IOException {
            return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
        }

        private JsonNode call(HttpRequest.Builder req, int expected) throws IOException, InterruptedException {
            HttpResponse<String> r = http.send(req.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expected) {
                throw new IOException(req.build().uri() + " answered " + r.statusCode() + " " + r.body());
            }
            return json.readTree(r.body());
        }
    }

    private static String require(Map<String, String> opt, String key) {
        String v = opt.get(key);
        if (v == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String key = args[i].substring(2);
            if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                m.put(key, args[++i]);
            } else {
                m.put(key, "true");
            }
        }
        return m;
    }
}
