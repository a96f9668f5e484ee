package org.ocfcloudbridge.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import org.ocfcloudbridge.ocf.Protocol.EventTypes;
import org.ocfcloudbridge.ocf.Protocol.Headers;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bare path of a bench: signed requests shaped like the daemon's, straight from the load process to the same
 * {@link Receiver}, over pooled keep-alive Vert.x connections. What the receiver verifies of them is the most a bench
 * can see of the daemon; it must stay well above the goal, or the daemon's figure is the bench's.
 * Request {@code i} carries the temperature {@code firstKey + i}, and {@link #sentAt} knows when it left.
 */
final class BareClient {

    private static final String SUBSCRIPTION = "00000000-0000-4000-8000-000000000000";
    private static final String LINK = "00000000-0000-4000-8000-00000000000a";

    private final HttpClient client;
    private final Signer signer;
    private final String host;
    private final int port;
    private final String path;
    private final AtomicInteger failures = new AtomicInteger();
    private volatile String firstFailure;
    private long[] sent = new long[0];
    private double firstKey;

    /** Requests a connection carries at once (HTTP/1.1 pipelining above 1): {@code -Dbench.bare.pipelining}, default 8. */
    static final int PIPELINING = Integer.getInteger("bench.bare.pipelining", 8);

    BareClient(Vertx vertx, String url, Signer signer, int connections) {
        URI u = URI.create(url);
        this.host = u.getHost();
        this.port = u.getPort();
        this.path = u.getRawPath();
        this.signer = signer;
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                        .setPipelining(PIPELINING > 1).setPipeliningLimit(Math.max(1, PIPELINING)),
                new PoolOptions().setHttp1MaxSize(connections));
    }

    /**
     * The bare path alone, against a running {@link Receiver} (to check what the bench can measure without a daemon):
     * <pre>
     * BareClient notifications|webhooks RECEIVER_URL SECRET [N] [CONNECTIONS] [IN_FLIGHT] [ROUNDS]
     * </pre>
     * Prints a line per round, then {@code RESULT <verified/s of the last round>}.
     */
    /** Exits when done or failed ({@link BenchMain}). */
    public static void main(String[] args) {
        BenchMain.exitAfter(() -> run(args));
    }

    private static void run(String[] args) throws Exception {
        Signer.Scheme scheme = args[0].equals("notifications") ? Signer.Scheme.OCF : Signer.Scheme.WEBHOOK;
        ReceiverControl receiver = new ReceiverControl(args[1]);
        Signer signer = new Signer(scheme, args[2]);
        signer.selfCheck();
        int n = args.length > 3 ? Integer.parseInt(args[3]) : 20_000;
        int connections = args.length > 4 ? Integer.parseInt(args[4]) : 16;
        int inFlight = args.length > 5 ? Integer.parseInt(args[5]) : 512;
        receiver.awaitReady(java.time.Duration.ofSeconds(30));
        Vertx vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(2));
        BareClient bare = new BareClient(vertx, receiver.url(scheme == Signer.Scheme.OCF ? "/events" : "/hook"), signer, connections);
        int rounds = args.length > 6 ? Integer.parseInt(args[6]) : 3;
        double last = 0;
        for (int round = 0; round < rounds; round++) {
            receiver.reset();
            long start = System.nanoTime();
            bare.burst(vertx, n, inFlight, 1_000_000);
            receiver.await(n, java.time.Duration.ofSeconds(5));
            ReceiverControl.Result r = receiver.match(start, bare::sentAt, null);
            System.out.printf("round %d: %d of %d verified, %.0f/s, p50 %.2f ms p99 %.2f ms, bad %d%s%n", round, r.count(), n,
                    r.perSecond(), r.ms(50), r.ms(99), receiver.stats()[1], bare.failures().isEmpty() ? "" : "; " + bare.failures());
            last = r.perSecond();
        }
        // The last round's rate: the earlier ones warm both JVMs up (see warmUp).
        System.out.printf("RESULT %.0f%n", last);
        vertx.close();
        System.exit(0);
    }

    /**
     * Bursts until both JVMs have compiled the path: on this 2-core machine the rate of a fresh client and receiver
     * climbs from ~3,000/s to its plateau over the first ~100,000 requests (measured: 20,000-request rounds 2.7k, 5.4k,
     * 12k, 23k/s), and a bench that measured the first of them would report the JIT.
     */
    void warmUp(Vertx vertx, int inFlight) throws Exception {
        for (int round = 0; round < 5; round++) {
            burst(vertx, 20_000, inFlight, 500_000);
        }
    }

    /** {@code n} requests as fast as the receiver takes them, at most {@code inFlight} unanswered at once. */
    void burst(Vertx vertx, int n, int inFlight, double firstKey) throws Exception {
        start(n, firstKey);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable[] lane = new Runnable[1];
        lane[0] = () -> {
            int i = next.getAndIncrement();
            if (i >= n) {
                return;
            }
            send(i).onComplete(r -> {
                if (answered.incrementAndGet() == n) {
                    done.complete(null);
                } else {
                    lane[0].run();
                }
            });
        };
        for (int k = 0; k < Math.min(inFlight, n); k++) {
            vertx.runOnContext(v -> lane[0].run());
        }
        done.get(120, TimeUnit.SECONDS);
    }

    /** {@code rate} requests a second for {@code seconds}, paced from this thread; waits for their answers. */
    void paced(int rate, int seconds, double firstKey) throws Exception {
        int n = rate * seconds;
        start(n, firstKey);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(n);
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long next = System.nanoTime();
        for (int i = 0; i < n; i++) {
            pace(next);
            next += interval;
            send(i).onComplete(r -> done.countDown());
        }
        done.await(120, TimeUnit.SECONDS);
    }

    /** When request {@code key} left, once; -1 for a key that is not this client's latest run's. */
    long sentAt(double key) {
        double i = key - firstKey;
        if (i < 0 || i >= sent.length || i != Math.rint(i)) {
            return -1;
        }
        long at = sent[(int) i];
        sent[(int) i] = -1;
        return at;
    }

    /** Failed requests since the last run started, with the first reason. */
    String failures() {
        return failures.get() == 0 ? "" : failures.get() + " failed, first: " + firstFailure;
    }

    private void start(int n, double firstKey) {
        this.sent = new long[n];
        Arrays.fill(sent, -1);
        this.firstKey = firstKey;
        failures.set(0);
        firstFailure = null;
    }

    private Future<Integer> send(int i) {
        double key = firstKey + i;
        byte[] body;
        String[] headers;
        long ts = System.currentTimeMillis() / 1000;
        if (signer.scheme() == Signer.Scheme.OCF) {
            // What the daemon sends for a resource_contentchanged notification of a temperature resource.
            body = ("{\"temperature\":" + key + ",\"units\":\"C\",\"rt\":[\"oic.r.temperature\"],\"if\":[\"oic.if.a\",\"oic.if.baseline\"]}")
                    .getBytes(StandardCharsets.UTF_8);
            String seq = Integer.toString(i);
            String type = EventTypes.RESOURCE_CONTENT_CHANGED;
            headers = new String[]{Headers.CONTENT_TYPE, "application/json", Headers.EVENT_TYPE, type, Headers.SUBSCRIPTION_ID,
                    SUBSCRIPTION, Headers.SEQUENCE_NUMBER, seq, Headers.EVENT_TIMESTAMP, Long.toString(ts), Headers.EVENT_SIGNATURE,
                    Signer.hex(signer.ocf("application/json", type, SUBSCRIPTION, seq, Long.toString(ts), body))};
        } else {
            // What the Origin sends for a content.changed vendor event.
            String id = "evt_b" + i;
            body = ("{\"id\":\"" + id + "\",\"type\":\"content.changed\",\"user\":\"bench\",\"link\":\"" + LINK
                    + "\",\"device\":\"" + SUBSCRIPTION + "\",\"payload\":{\"href\":\"/temperature\",\"content\":{\"temperature\":"
                    + key + ",\"units\":\"C\"}},\"time\":\"" + Instant.now() + "\"}").getBytes(StandardCharsets.UTF_8);
            headers = new String[]{Headers.CONTENT_TYPE, "application/json", "webhook-id", id, "webhook-timestamp", Long.toString(ts),
                    "webhook-signature", "v1," + Base64.getEncoder().encodeToString(signer.webhook(id, Long.toString(ts), body))};
        }
        sent[i] = System.nanoTime();
        return client.request(HttpMethod.POST, port, host, path).compose(req -> {
            for (int h = 0; h < headers.length; h += 2) {
                req.putHeader(headers[h], headers[h + 1]);
            }
            return req.send(Buffer.buffer(body));
        }).compose(resp -> resp.body().map(b -> resp.statusCode())).andThen(r -> {
            String problem = r.failed() ? r.cause().toString() : r.result() >= 300 ? "HTTP " + r.result() : null;
            if (problem != null && failures.getAndIncrement() == 0) {
                firstFailure = problem;
            }
        });
    }

    /** Waits until {@code at} without spinning: a busy loop would take a core from the process being measured. */
    static void pace(long at) {
        long left;
        while ((left = at - System.nanoTime()) > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(left);
        }
    }
}
