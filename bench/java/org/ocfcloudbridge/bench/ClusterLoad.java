package org.ocfcloudbridge.bench;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import org.ocfcloudbridge.simulator.SimulatedDevice;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Load of bench/cluster.sh: devices connected to the first instance; Cloud API reads of their resources at a steady
 * rate through that instance (local) and through each other instance (routed over NATS to the first), with p50/p99,
 * next to the bare path of a routed request: a NATS request-reply between two connections of this process on the same
 * server. Prints one RESULT line: {@code local_p50 local_p99 routed_p50 routed_p99 nats_p50 nats_p99 errors}.
 *   ClusterLoad ADMIN_SECRET COAP_URL HTTP_BASE[,HTTP_BASE...] NATS_URL DEVICES RATE SECONDS
 */
public final class ClusterLoad {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private ClusterLoad() {
    }

    /** Exits when done or failed ({@link BenchMain}). */
    public static void main(String[] args) {
        BenchMain.exitAfter(() -> run(args));
    }

    private static void run(String[] args) throws Exception {
        String adminSecret = args[0];
        URI coap = URI.create(args[1]);
        List<String> bases = Arrays.asList(args[2].split(","));
        String nats = args[3];
        int devices = Integer.parseInt(args[4]);
        int rate = Integer.parseInt(args[5]);
        int seconds = Integer.parseInt(args[6]);

        String base = bases.get(0);
        String admin = NotificationLoad.adminToken(base, adminSecret);
        String user = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        String password = "bench-password-" + UUID.randomUUID();
        NotificationLoad.post(base + "/api/admin/users", admin, Map.of("username", user, "password", password), 201);
        String token = NotificationLoad.userToken(base, admin, user, password);
        List<SimulatedDevice> fleet = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            SimulatedDevice d = new SimulatedDevice(UUID.randomUUID().toString(), "bench-" + i, coap, true);
            d.connect();
            d.signUp(NotificationLoad.post(base + "/api/admin/device-codes", admin, Map.of("username", user), 201).get("code").asText(), null);
            d.signIn();
            d.publish(0);
            fleet.add(d);
        }
        System.out.printf("setup: %d devices at %s, %d instances%n", devices, coap, bases.size());

        AtomicLong errors = new AtomicLong();
        // Warm-up of every path, then the measured runs.
        for (String b : bases) {
            reads(b, token, fleet, rate, Math.max(2, seconds / 2), errors);
        }
        errors.set(0);
        long[] local = reads(bases.get(0), token, fleet, rate, seconds, errors);
        System.out.printf("local  via %s: p50 %.3f ms p99 %.3f ms%n", bases.get(0), ms(local, 50), ms(local, 99));
        List<Long> routedAll = new ArrayList<>();
        for (String b : bases.subList(1, bases.size())) {
            long[] routed = reads(b, token, fleet, rate, seconds, errors);
            System.out.printf("routed via %s: p50 %.3f ms p99 %.3f ms%n", b, ms(routed, 50), ms(routed, 99));
            for (long v : routed) {
                routedAll.add(v);
            }
        }
        long[] routed = routedAll.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] bare = natsEcho(nats, rate, seconds);
        System.out.printf("bare NATS request-reply: p50 %.3f ms p99 %.3f ms%n", ms(bare, 50), ms(bare, 99));
        System.out.printf("RESULT %.3f %.3f %.3f %.3f %.3f %.3f %d%n", ms(local, 50), ms(local, 99), ms(routed, 50), ms(routed, 99),
                ms(bare, 50), ms(bare, 99), errors.get());
        fleet.forEach(SimulatedDevice::shutdown);
    }

    /** GETs of the devices' switches through {@code base}, {@code rate} per second for {@code seconds}; sorted latencies (ns). */
    private static long[] reads(String base, String token, List<SimulatedDevice> fleet, int rate, int seconds, AtomicLong errors)
            throws Exception {
        return paced(rate, seconds, i -> {
            SimulatedDevice d = fleet.get(i % fleet.size());
            HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/api/v1/devices/" + d.di() + "/switch"))
                    .header("Authorization", "Bearer " + token).header("Accept", "application/json").timeout(Duration.ofSeconds(20)).build();
            return HTTP.sendAsync(r, HttpResponse.BodyHandlers.discarding()).handle((resp, e) -> {
                if (e != null || resp.statusCode() != 200) {
                    errors.incrementAndGet();
                }
                return null;
            });
        });
    }

    /** The floor of a routed request: request-reply over the same NATS server between two connections. */
    private static long[] natsEcho(String url, int rate, int seconds) throws Exception {
        try (Connection responder = Nats.connect(url); Connection asker = Nats.connect(url)) {
            Dispatcher d = responder.createDispatcher(m -> responder.publish(m.getReplyTo(), m.getData()));
            d.subscribe("bench.echo");
            responder.flush(Duration.ofSeconds(5));
            byte[] body = new byte[64];
            return paced(rate, seconds, i -> asker.requestWithTimeout("bench.echo", body, Duration.ofSeconds(10)));
        }
    }

    /**
     * Sends {@code rate} requests a second for {@code seconds}; returns their latencies (ns, sorted), each counted from
     * when it was due rather than sent, so that a client that falls behind is counted too.
     */
    private static long[] paced(int rate, int seconds, IntFunction<CompletableFuture<?>> send) throws Exception {
        int total = rate * seconds;
        long[] latencies = new long[total];
        List<CompletableFuture<?>> pending = new ArrayList<>(total);
        long start = System.nanoTime();
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        for (int i = 0; i < total; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            int k = i;
            pending.add(send.apply(i).handle((v, e) -> latencies[k] = System.nanoTime() - due));
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        Arrays.sort(latencies);
        return latencies;
    }

    private static double ms(long[] sorted, int percentile) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = Math.min(sorted.length - 1, (int) Math.ceil(percentile / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }
}
