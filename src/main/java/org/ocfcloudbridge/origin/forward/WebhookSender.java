package org.ocfcloudbridge.origin.forward;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.ops.OutboundHttp;
import org.ocfcloudbridge.config.BridgeConfigException;
import org.ocfcloudbridge.origin.OriginConfig;
import org.ocfcloudbridge.store.VendorEvent;
import org.ocfcloudbridge.store.WebhookDelivery;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.ArrayList;
import java.util.concurrent.ThreadLocalRandom;

/**
 * POSTs vendor events to the configured webhooks, Standard-Webhooks style: headers {@code webhook-id},
 * {@code webhook-timestamp}, {@code webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">}. Each webhook
 * gets its events in order, one at a time, retried with backoff until {@code bridge.origin.webhook-max-age}, then kept
 * as dead. The deliveries live in the database: a restart carries on.
 */
@ApplicationScoped
public class WebhookSender {

    private static final Logger LOG = Logger.getLogger(WebhookSender.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(500);
    private static final int BATCH = 100;

    private final OriginConfig config;
    private final BridgeConfig bridge;
    private final VendorEvents events;
    private final Map<String, byte[]> keys = new HashMap<>();
    private final Object signal = new Object();
    private boolean woken;
    private volatile boolean running;
    private Thread thread;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final OutboundHttp http;

    public WebhookSender(OriginConfig config, BridgeConfig bridge, VendorEvents events, OutboundHttp http) {
        this.http = http;
        this.config = config;
        this.bridge = bridge;
        this.events = events;
    }

    void start(@Observes @Priority(95) StartupEvent event) {
        config.webhooks().forEach((name, w) -> {
            String secret = w.secret().startsWith("whsec_") ? w.secret().substring(6) : w.secret();
            try {
                keys.put(name, Base64.getDecoder().decode(secret));
            } catch (IllegalArgumentException e) {
                throw new BridgeConfigException("bridge.origin.webhooks." + name + ".secret", "must be whsec_ followed by base64");
            }
        });
        if (!bridge.origin().enabled() || keys.isEmpty()) {
            return;
        }
        events.onCommit(this::wake);
        running = true;
        thread = new Thread(this::run, "webhook-sender");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    /** Looks at the deliveries now (one was revived, say) instead of at the next poll. */
    public void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    private void run() {
        while (running) {
            try {
                synchronized (signal) {
                    if (!woken) {
                        signal.wait(POLL.toMillis());
                    }
                    woken = false;
                }
                for (String webhook : keys.keySet()) {
                    drain(webhook);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warnf("webhook delivery paused: %s", e.getMessage());
            }
        }
    }

    /**
     * Sends the webhook's due deliveries in event order; stops at the first failure (order is kept). Deliveries are
     * read and their delivered rows deleted {@link #BATCH} at a time, so a busy webhook costs a POST per event and a
     * few statements per batch; a crash between a POST and the delete sends that event again (at least once).
     */
    private void drain(String webhook) {
        while (running) {
            record Next(long deliveryId, OffsetDateTime due, VendorEvent event) {
            }
            List<Next> batch = QuarkusTransaction.requiringNew().call(() -> {
                List<WebhookDelivery> ds = WebhookDelivery.<WebhookDelivery>find("webhook = ?1 and deadAt is null order by eventId",
                        webhook).page(0, BATCH).list();
                if (ds.isEmpty()) {
                    return List.<Next>of();
                }
                Map<Long, VendorEvent> byId = new HashMap<>();
                VendorEvent.<VendorEvent>list("id in ?1", ds.stream().map(d -> d.eventId).toList()).forEach(e -> byId.put(e.id, e));
                return ds.stream().map(d -> new Next(d.id, d.nextAttemptAt, byId.get(d.eventId))).toList();
            });
            List<Long> delivered = new ArrayList<>();
            String outcome = null;
            Next failed = null;
            for (Next next : batch) {
                if (!running || next.due().isAfter(OffsetDateTime.now(ZoneOffset.UTC))) {
                    break;
                }
                outcome = next.event() == null ? null : post(webhook, next.event());
                if (outcome != null) {
                    failed = next;
                    break;
                }
                delivered.add(next.deliveryId());
            }
            if (!delivered.isEmpty()) {
                QuarkusTransaction.requiringNew().run(() -> WebhookDelivery.delete("id in ?1", delivered));
            }
            if (failed != null) {
                fail(failed.deliveryId(), failed.event(), outcome);
                return;
            }
            if (delivered.size() < BATCH) {
                return;
            }
        }
    }

    private void fail(long deliveryId, VendorEvent event, String outcome) {
        QuarkusTransaction.requiringNew().run(() -> {
            WebhookDelivery d = WebhookDelivery.findById(deliveryId);
            if (d == null) {
                return;
            }
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            d.attempts++;
            d.lastError = outcome.length() > 500 ? outcome.substring(0, 500) : outcome;
            OffsetDateTime since = d.revivedAt != null && d.revivedAt.isAfter(event.createdAt) ? d.revivedAt : event.createdAt;
            if (since.plus(config.webhookMaxAge()).isBefore(now)) {
                d.deadAt = now;
                LOG.warnf("webhook %s: event %d undelivered for %s (%s); kept as dead", d.webhook, d.eventId,
                        config.webhookMaxAge(), d.lastError);
            } else {
                long base = Math.min(300_000L, 500L << Math.min(20, d.attempts - 1));
                d.nextAttemptAt = now.plusNanos((base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1)) * 1_000_000L);
            }
        });
    }

    /** One POST; returns null when the webhook took it, else why not. */
    private String post(String webhook, VendorEvent e) {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", "evt_" + e.id);
        body.put("type", e.type);
        body.put("user", e.vendorUser);
        body.put("link", e.linkId.toString());
        if (e.deviceId != null) {
            body.put("device", e.deviceId);
        }
        try {
            body.set("payload", JSON.readTree(e.payload));
        } catch (IOException ex) {
            body.put("payload", e.payload);
        }
        body.put("time", e.createdAt.toString());
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        String id = "evt_" + e.id;
        long ts = System.currentTimeMillis() / 1000;
        Map<String, String> headers = new HashMap<>(8);
        headers.put("Content-Type", "application/json");
        headers.put("webhook-id", id);
        headers.put("webhook-timestamp", Long.toString(ts));
        headers.put("webhook-signature", "v1," + sign(keys.get(webhook), id, ts, bytes));
        try {
            int status = http.sendAndWait(null, "POST", config.webhooks().get(webhook).url(), headers, bytes, TIMEOUT).status();
            return status >= 200 && status < 300 ? null : "HTTP " + status;
        } catch (OutboundHttp.Unreachable ex) {
            return ex.getMessage();
        }
    }

    /** Standard Webhooks: base64 HMAC-SHA256 over {@code id.timestamp.body}. */
    public static String sign(byte[] key, String id, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
