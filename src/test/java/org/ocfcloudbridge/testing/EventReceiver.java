package org.ocfcloudbridge.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.ocfcloudbridge.ocf.EventSignature;
import org.ocfcloudbridge.ocf.Protocol.Headers;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A real HTTP receiver of Cloud API notifications on loopback, as an Origin Cloud runs one: it records each POST with
 * its headers and raw body and answers with the status a test chose (200 unless told otherwise).
 */
public final class EventReceiver implements AutoCloseable {

    public record Notification(String eventType, String subscriptionId, long sequenceNumber, long timestamp, String signature,
                               String contentType, String correlationId, byte[] body, long receivedAtNanos) {

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public boolean signedWith(String secret) {
            return EventSignature.matches(EventSignature.sign(secret, contentType, eventType, subscriptionId, sequenceNumber,
                    timestamp, body), signature);
        }
    }

    private final HttpServer server;
    /** Accepted notifications not yet taken by {@link #await}, in arrival order. */
    private final List<Notification> received = new ArrayList<>();
    private final List<Notification> all = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Queue<Integer> scripted = new ConcurrentLinkedQueue<>();
    private final Map<String, Integer> perSubscription = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile int status = 200;

    public EventReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/events", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/events";
    }

    /** The next answers, in order, before falling back to the standing status. */
    public void answerNext(int... statuses) {
        for (int s : statuses) {
            scripted.add(s);
        }
    }

    public void answerAlways(int status) {
        this.status = status;
    }

    /** Answers this status to everything of one subscription. */
    public void answerFor(String subscriptionId, int status) {
        perSubscription.put(subscriptionId, status);
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
        }
        var h = ex.getRequestHeaders();
        Notification n = new Notification(h.getFirst(Headers.EVENT_TYPE), h.getFirst(Headers.SUBSCRIPTION_ID),
                parse(h.getFirst(Headers.SEQUENCE_NUMBER)), parse(h.getFirst(Headers.EVENT_TIMESTAMP)),
                h.getFirst(Headers.EVENT_SIGNATURE), h.getFirst("Content-Type"), h.getFirst(Headers.CORRELATION_ID), body,
                System.nanoTime());
        Integer forSub = n.subscriptionId() == null ? null : perSubscription.get(n.subscriptionId());
        Integer next = scripted.poll();
        int answer = forSub != null ? forSub : next != null ? next : status;
        all.add(n);
        if (answer >= 200 && answer < 300) {
            synchronized (received) {
                received.add(n);
                received.notifyAll();
            }
        }
        ex.sendResponseHeaders(answer, -1);
        ex.close();
    }

    private static long parse(String s) {
        try {
            return s == null ? -1 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Takes the first accepted (2xx) notification that {@code which} matches, waiting for it; the others stay for
     * later calls.
     */
    public Notification await(Predicate<Notification> which, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (received) {
            while (true) {
                for (java.util.Iterator<Notification> it = received.iterator(); it.hasNext(); ) {
                    Notification n = it.next();
                    if (which.test(n)) {
                        it.remove();
                        return n;
                    }
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no matching notification within " + timeout + "; got " + describe(all));
                }
                TimeUnit.NANOSECONDS.timedWait(received, left);
            }
        }
    }

    /** Every POST for {@code subscriptionId} so far, whatever was answered, in arrival order. */
    public List<Notification> postsFor(String subscriptionId) {
        List<Notification> out = new ArrayList<>();
        for (Notification n : all) {
            if (subscriptionId.equals(n.subscriptionId())) {
                out.add(n);
            }
        }
        return out;
    }

    /** Every POST, whatever was answered. */
    public List<Notification> all() {
        return List.copyOf(all);
    }

    public static Predicate<Notification> of(String subscriptionId, String eventType) {
        return n -> subscriptionId.equals(n.subscriptionId()) && eventType.equals(n.eventType());
    }

    private static String describe(List<Notification> list) {
        StringBuilder b = new StringBuilder("[");
        for (Notification n : list) {
            b.append(n.eventType()).append('#').append(n.sequenceNumber()).append(' ');
        }
        return b.append(']').toString();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
