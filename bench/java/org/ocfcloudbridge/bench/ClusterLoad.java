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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Load of bench/cluster.sh for one cluster of N instances. DEVICES simulated devices spread evenly over them (device
 * {@code i} signs in at instance {@code i % N}'s CoAP port), one resource-level subscription per device's temperature
 * at the bench {@link Receiver}, made through the instances in turn (a subscription is delivered by the instance that
 * claims it, mostly the one it was made at: as behind a load balancer, that is the device's own instance for 1/N of
 * them; with {@code -Dbench.subscribe-at=home} each is made through the device's own instance). A warm-up burst of
 * N × BURST device changes (the instances have just started), then a measured one of BURST: verified notifications per
 * second and the instances' CPU per change delivered, summed over them (the phase ends at the last arrival). Then
 * Cloud API reads of the devices' switches at RATE per second for SECONDS, round-robin through all N instances as a
 * load balancer would send them ((N-1)/N of them routed over NATS to the device's instance): p50/p99.
 * <p>
 * With {@code --routed} (N &gt;= 2), also reads of each device through the instance holding its connection (local) and
 * through each other instance (routed: NATS request-reply to it), each at RATE for SECONDS, next to the bare path of
 * a routed request: a NATS request-reply between two connections of this process on the same server.
 * <pre>
 * ClusterLoad ADMIN_SECRET COAP_URL[,...] HTTP_BASE[,...] INSTANCE_PID[,...] NATS_URL RECEIVER_URL SIGNING_SECRET RECEIVER_PID
 *             DEVICES BURST RATE SECONDS [--routed]
 * </pre>
 * Prints {@code ROUND <N> <verified/s> <daemon CPU ms per change, all instances> <receiver CPU ms per change>
 * <read p50 ms> <read p99 ms> <read errors> <bad signatures> <the instances' idle CPU ms/s> <daemon CPU ms per change
 * above that idle> <the instances' CPU ms per read>}, and with {@code --routed} one more line
 * {@code RESULT <local p50> <local p99> <routed p50> <routed p99> <nats p50> <nats p99> <errors>}.
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
        List<URI> coap = Arrays.stream(args[1].split(",")).map(URI::create).toList();
        List<String> bases = Arrays.asList(args[2].split(","));
        long[] pids = Arrays.stream(args[3].split(",")).mapToLong(Long::parseLong).toArray();
        String nats = args[4];
        String receiverUrl = args[5];
        String signingSecret = args[6];
        long receiverPid = Long.parseLong(args[7]);
        int devices = Integer.parseInt(args[8]);
        int burst = Integer.parseInt(args[9]);
        int rate = Integer.parseInt(args[10]);
        int seconds = Integer.parseInt(args[11]);
        boolean routedToo = Arrays.asList(args).contains("--routed");
        int n = bases.size();
        if (coap.size() != n || pids.length != n) {
            throw new IllegalArgumentException(n + " HTTP bases, " + coap.size() + " CoAP URLs and " + pids.length + " pids: one each per instance");
        }

        ReceiverControl receiver = new ReceiverControl(receiverUrl);
        receiver.awaitReady(Duration.ofSeconds(30));
        Cpu cpu = new Cpu(pids, receiverPid);
        TemperatureFleet fleet = TemperatureFleet.signIn(bases.get(0), adminSecret, devices, i -> coap.get(home(i, n)));
        // Device i's subscription through instance (i / N) % N: each instance makes (about) as many, for devices of
        // every instance. With -Dbench.subscribe-at=home through the device's own instance, which then delivers all
        // its notifications itself: the difference is what delivering from another instance costs.
        boolean atHome = "home".equals(System.getProperty("bench.subscribe-at", "spread"));
        fleet.subscribe(i -> bases.get(atHome ? home(i, n) : (i / n) % n), receiverUrl + "/events", signingSecret);
        long bad = receiver.stats()[1];
        receiver.reset();
        fleet.awaitDelivered(receiver, Duration.ofSeconds(120));
        System.out.printf("N=%d: %d devices spread over %d instances, %d subscriptions, each delivering%n", n, devices, n, devices);

        // The instances have just started: a first burst compiles their paths, so that the measured one is not the
        // JIT's. N times BURST changes, so that each instance has seen as many as the one of N = 1 (each sees 1/N of
        // them): with one burst for all N, a first run measured 1.5, 4.9 and 6.8 ms per change at N = 1, 2, 3 with
        // bursts of 600.
        bad += receiver.stats()[1];
        receiver.reset();
        ReceiverControl.Result warm = fleet.burst(receiver, cpu, null, n * burst);
        System.out.printf("  warm-up burst: %d changes, %d verified, %.0f/s; CPU %s%n", n * burst, warm.count(), warm.perSecond(),
                cpu.describe());
        bad += receiver.stats()[1];
        receiver.reset();
        Cpu quiet = new Cpu(pids, receiverPid);
        ReceiverControl.Result ours = fleet.burst(receiver, cpu, quiet, burst);
        double cpuPerChange = perChange(cpu.daemonMillis(), ours.count());
        double receiverPerChange = perChange(cpu.receiverMillis(), ours.count());
        // What the instances use when idle (heartbeats, scans), from the quiet after the burst: at small bursts or
        // many instances it is a visible share of the figure above.
        double idlePerSecond = quiet.daemonMillis() < 0 ? Double.NaN : quiet.daemonMillis() * 1000 / quiet.wallMillis();
        double aboveIdle = perChange(cpu.daemonMillis() - idlePerSecond * cpu.wallMillis() / 1000, ours.count());
        System.out.printf("  burst: %d changes, %d verified notifications (%d superseded before the cloud read them), %.0f/s%n",
                burst, ours.count(), burst - ours.count(), ours.perSecond());
        System.out.printf("  CPU to the last arrival: %s; per change delivered: instances %.2f ms (%.2f ms above their idle %.0f ms/s), "
                + "receiver %.2f ms%n", cpu.describe(), cpuPerChange, aboveIdle, idlePerSecond, receiverPerChange);
        System.out.println("  CPU in the quiet after it: " + quiet.describe());
        bad += receiver.stats()[1];

        // Reads as behind a load balancer: read i goes to instance i % N, for device (i / N) % DEVICES, so that every
        // device is read through every instance in turn: 1/N of the reads local, the others routed.
        AtomicLong errors = new AtomicLong();
        IntFunction<String> roundRobin = i -> bases.get(i % n) + switchOf(fleet.get(i / n));
        reads(fleet.token, rate, Math.max(2, seconds / 2), errors, roundRobin);
        errors.set(0);
        long[] all = reads(cpu, fleet.token, rate, seconds, errors, roundRobin);
        long readErrors = errors.get();
        System.out.printf("  Cloud API reads round-robin through %d instances (%d%% routed), %d/s for %d s: p50 %.3f ms p99 %.3f ms, %d errors%n",
                n, 100 * (n - 1) / n, rate, seconds, ms(all, 50), ms(all, 99), readErrors);
        double cpuPerRead = perChange(cpu.daemonMillis(), all.length);
        System.out.printf("  CPU during the reads: %s; instances %.2f ms per read%n", cpu.describe(), cpuPerRead);
        System.out.printf("ROUND %d %.0f %.3f %.3f %.3f %.3f %d %d %.0f %.3f %.2f%n", n, ours.perSecond(), cpuPerChange, receiverPerChange,
                ms(all, 50), ms(all, 99), readErrors, bad, idlePerSecond, aboveIdle, cpuPerRead);

        if (routedToo && n >= 2) {
            // Every path was warmed up by the round-robin reads just before, at the same rate.
            errors.set(0);
            long[] local = reads(cpu, fleet.token, rate, seconds, errors, i -> bases.get(home(i % devices, n)) + switchOf(fleet.get(i)));
            System.out.printf("local  (each device through its own instance): p50 %.3f ms p99 %.3f ms; instances' CPU %.2f ms per read%n",
                    ms(local, 50), ms(local, 99), perChange(cpu.daemonMillis(), local.length));
            List<Long> routedAll = new ArrayList<>();
            for (int k = 1; k < n; k++) {
                int step = k;
                long[] routed = reads(cpu, fleet.token, rate, seconds, errors,
                        i -> bases.get((home(i % devices, n) + step) % n) + switchOf(fleet.get(i)));
                System.out.printf("routed (each device through its instance + %d): p50 %.3f ms p99 %.3f ms; instances' CPU %.2f ms per read%n",
                        k, ms(routed, 50), ms(routed, 99), perChange(cpu.daemonMillis(), routed.length));
                for (long v : routed) {
                    routedAll.add(v);
                }
            }
            long[] routed = routedAll.stream().mapToLong(Long::longValue).sorted().toArray();
            long[] bare = natsEcho(nats, rate, seconds);
            System.out.printf("bare NATS request-reply: p50 %.3f ms p99 %.3f ms%n", ms(bare, 50), ms(bare, 99));
            System.out.printf("RESULT %.3f %.3f %.3f %.3f %.3f %.3f %d%n", ms(local, 50), ms(local, 99), ms(routed, 50), ms(routed, 99),
                    ms(bare, 50), ms(bare, 99), errors.get());
        }
        fleet.shutdown();
    }

    /** {@link #reads}, with {@code cpu} measuring them. */
    private static long[] reads(Cpu cpu, String token, int rate, int seconds, AtomicLong errors, IntFunction<String> url) throws Exception {
        cpu.mark();
        long[] latencies = reads(token, rate, seconds, errors, url);
        cpu.stop();
        return latencies;
    }

    /** CPU milliseconds per change (or read); NaN when unknown. */
    private static double perChange(double millis, int changes) {
        return changes == 0 || millis < 0 ? Double.NaN : millis / changes;
    }

    /** The instance device {@code i} signs in at. */
    private static int home(int device, int instances) {
        return device % instances;
    }

    private static String switchOf(SimulatedDevice d) {
        return "/api/v1/devices/" + d.di() + "/switch";
    }

    /** GETs of {@code url.apply(i)}, {@code rate} per second for {@code seconds}; sorted latencies (ns). */
    private static long[] reads(String token, int rate, int seconds, AtomicLong errors, IntFunction<String> url) throws Exception {
        return paced(rate, seconds, i -> {
            HttpRequest r = HttpRequest.newBuilder(URI.create(url.apply(i)))
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
