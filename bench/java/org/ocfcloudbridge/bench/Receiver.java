package org.ocfcloudbridge.bench;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import org.ocfcloudbridge.ocf.Protocol.Headers;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Arrays;

/**
 * The benches' HTTP receiver, in a process of its own so that its cost shows apart from the load driver's and the
 * daemon's: notifications (OCF Event-Signature) or vendor webhooks (Standard Webhooks), each request's signature
 * checked before it is counted, on several Vert.x event loops. For every verified request it keeps the temperature the
 * body carries and the arrival time ({@link System#nanoTime()}: CLOCK_MONOTONIC on Linux, the same clock in every
 * process of the machine, so the driver can subtract its own change times), and for webhooks the event's {@code time}
 * (when the Origin's inbox took the notification). The driver reads them over a small control API on the same port:
 * <pre>
 * POST /control/reset       forget what arrived
 * GET  /control/stats       "ARRIVALS BAD LAST_ARRIVAL_NANOS"
 * GET  /control/arrivals    n × (double temperature, long arrival nanos, long event time millis or -1), big-endian
 * GET  /echo                a small JSON answer, the bare HTTP floor of the proxy bench
 * </pre>
 * <pre>
 * Receiver notifications|webhooks PORT SECRET [EVENT_LOOPS]
 * </pre>
 * Prints {@code READY <port>} once it listens.
 */
public final class Receiver {

    private static final byte[] ECHO = "{\"value\":false}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TEMPERATURE = "\"temperature\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TIME = "\"time\":\"".getBytes(StandardCharsets.US_ASCII);

    private final Signer signer;
    private final Arrivals arrivals = new Arrivals();

    private Receiver(Signer signer) {
        this.signer = signer;
    }

    /** Serves until killed; a failure to start exits instead of leaving the bench waiting on Vert.x's threads. */
    public static void main(String[] args) {
        try {
            start(args);
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void start(String[] args) throws Exception {
        Signer.Scheme scheme = switch (args[0]) {
            case "notifications" -> Signer.Scheme.OCF;
            case "webhooks" -> Signer.Scheme.WEBHOOK;
            default -> throw new IllegalArgumentException("notifications or webhooks, not " + args[0]);
        };
        int port = Integer.parseInt(args[1]);
        Signer signer = new Signer(scheme, args[2]);
        signer.selfCheck();
        int loops = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        Receiver receiver = new Receiver(signer);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setWorkerPoolSize(1).setInternalBlockingPoolSize(1));
        // One server per event loop on the shared port: Vert.x spreads the connections over them.
        vertx.deployVerticle(() -> new AbstractVerticle() {
            @Override
            public void start(Promise<Void> started) {
                vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setTcpNoDelay(true)
                                .setAcceptBacklog(1024).setIdleTimeout(0))
                        .requestHandler(receiver::handle).listen().<Void>mapEmpty().onComplete(started);
            }
        }, new DeploymentOptions().setInstances(loops)).toCompletionStage().toCompletableFuture().get();
        System.out.println("READY " + port);
    }

    private void handle(HttpServerRequest req) {
        String path = req.path();
        if (path.startsWith("/control/")) {
            control(req, path);
            return;
        }
        if (path.equals("/echo")) {
            req.response().putHeader("Content-Type", "application/json").end(Buffer.buffer(ECHO));
            return;
        }
        req.body().onSuccess(buffer -> {
            long now = System.nanoTime();
            byte[] body = buffer.getBytes();
            var h = req.headers();
            boolean ok = signer.scheme() == Signer.Scheme.OCF
                    ? Signer.hexMatches(signer.ocf(h.get(Headers.CONTENT_TYPE), h.get(Headers.EVENT_TYPE), h.get(Headers.SUBSCRIPTION_ID),
                    h.get(Headers.SEQUENCE_NUMBER), h.get(Headers.EVENT_TIMESTAMP), body), h.get(Headers.EVENT_SIGNATURE))
                    : Signer.webhookMatches(signer.webhook(h.get("webhook-id"), h.get("webhook-timestamp"), body),
                    h.get("webhook-signature"));
            if (!ok) {
                arrivals.bad();
                req.response().setStatusCode(400).end("bad signature");
                return;
            }
            req.response().setStatusCode(signer.scheme() == Signer.Scheme.OCF ? 200 : 204).end();
            double t = number(body, TEMPERATURE);
            if (!Double.isNaN(t)) {
                arrivals.add(t, now, signer.scheme() == Signer.Scheme.WEBHOOK ? eventTime(body) : -1);
            }
        });
    }

    private void control(HttpServerRequest req, String path) {
        switch (path) {
            case "/control/reset" -> {
                arrivals.reset();
                req.response().setStatusCode(204).end();
            }
            case "/control/stats" -> req.response().putHeader("Content-Type", "text/plain").end(arrivals.stats());
            case "/control/arrivals" -> req.response().putHeader("Content-Type", "application/octet-stream").end(arrivals.dump());
            default -> req.response().setStatusCode(404).end();
        }
    }

    /** The number after the first {@code key} in a JSON body, NaN when there is none: cheaper than a JSON tree per request. */
    static double number(byte[] body, byte[] key) {
        int at = indexOf(body, key, 0);
        if (at < 0) {
            return Double.NaN;
        }
        int start = at + key.length;
        while (start < body.length && body[start] == ' ') {
            start++;
        }
        int end = start;
        while (end < body.length && (Character.isDigit(body[end]) || body[end] == '.' || body[end] == '-' || body[end] == '+'
                || body[end] == 'e' || body[end] == 'E')) {
            end++;
        }
        try {
            return Double.parseDouble(new String(body, start, end - start, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** A webhook event's top-level {@code time} (the last one in the body: the daemon writes it after the payload). */
    static long eventTime(byte[] body) {
        int at = -1;
        for (int i = indexOf(body, TIME, 0); i >= 0; i = indexOf(body, TIME, i + 1)) {
            at = i;
        }
        if (at < 0) {
            return -1;
        }
        int start = at + TIME.length;
        int end = start;
        while (end < body.length && body[end] != '"') {
            end++;
        }
        try {
            return OffsetDateTime.parse(new String(body, start, end - start, StandardCharsets.US_ASCII)).toInstant().toEpochMilli();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static int indexOf(byte[] a, byte[] key, int from) {
        outer:
        for (int i = from; i <= a.length - key.length; i++) {
            for (int j = 0; j < key.length; j++) {
                if (a[i + j] != key[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** What arrived since the last reset; the event loops append under one lock (tens of thousands a second at most). */
    static final class Arrivals {
        private double[] keys = new double[1 << 16];
        private long[] at = new long[1 << 16];
        private long[] extra = new long[1 << 16];
        private int n;
        private long bad;
        private long last;

        synchronized void add(double key, long nanos, long more) {
            if (n == keys.length) {
                keys = Arrays.copyOf(keys, n * 2);
                at = Arrays.copyOf(at, n * 2);
                extra = Arrays.copyOf(extra, n * 2);
            }
            keys[n] = key;
            at[n] = nanos;
            extra[n] = more;
            n++;
            last = nanos;
        }

        synchronized void bad() {
            bad++;
        }

        synchronized void reset() {
            n = 0;
            bad = 0;
            last = 0;
        }

        synchronized String stats() {
            return n + " " + bad + " " + last;
        }

        synchronized Buffer dump() {
            Buffer b = Buffer.buffer(4 + n * 24);
            b.appendInt(n);
            for (int i = 0; i < n; i++) {
                b.appendDouble(keys[i]).appendLong(at[i]).appendLong(extra[i]);
            }
            return b;
        }
    }
}
