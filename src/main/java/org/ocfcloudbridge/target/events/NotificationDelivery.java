package org.ocfcloudbridge.target.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.ocf.Protocol.EventTypes;
import org.ocfcloudbridge.ocf.Protocol.Headers;
import org.ocfcloudbridge.store.DeadLetter;
import org.ocfcloudbridge.store.OutboxEntry;
import org.ocfcloudbridge.store.Subscription;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Delivers the outbox (Part 10 §5.4): at least once, each subscription's notifications one at a time in sequence order,
 * over pooled keep-alive HTTP connections. A failed POST is retried with exponential backoff and jitter until the
 * notification is older than {@code bridge.events.max-age}; then it becomes a dead letter and the subscription is
 * cancelled. {@code 410 Gone} ends the subscription at once. Everything lives in the database, so a restarted daemon
 * carries on where it stopped.
 */
@ApplicationScoped
public class NotificationDelivery {

    private static final Logger LOG = Logger.getLogger(NotificationDelivery.class);

    private final EventsConfig config;
    private final BridgeConfig bridge;
    private final TransactionSynchronizationRegistry transactions;
    private final Set<UUID> inFlight = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean woken;
    private volatile boolean running;
    private Thread dispatcher;
    private ExecutorService workers;
    private HttpClient http;
    private Counter delivered;
    private Counter failed;

    @Inject
    EventJournal journal;

    @Inject
    MeterRegistry metrics;

    public NotificationDelivery(EventsConfig config, BridgeConfig bridge, TransactionSynchronizationRegistry transactions) {
        this.config = config;
        this.bridge = bridge;
        this.transactions = transactions;
    }

    void start(@Observes @Priority(90) StartupEvent event) {
        if (!bridge.target().enabled()) {
            return;
        }
        AtomicInteger n = new AtomicInteger();
        workers = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "notification-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(config.deliveryTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).executor(workers).build();
        delivered = metrics.counter("bridge.notifications.delivered");
        failed = metrics.counter("bridge.notifications.failed");
        metrics.gauge("bridge.notifications.in.flight", inFlight, Set::size);
        running = true;
        dispatcher = new Thread(this::run, "notification-dispatcher");
        dispatcher.setDaemon(true);
        dispatcher.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (dispatcher != null) {
            dispatcher.interrupt();
        }
        if (workers != null) {
            workers.shutdownNow();
        }
    }

    /** Look at the outbox once the current transaction has committed (at once when there is none). */
    public void wakeAfterCommit() {
        if (transactions.getTransactionKey() == null) {
            wake();
            return;
        }
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    wake();
                }
            }
        });
    }

    void wake() {
        lock.lock();
        try {
            woken = true;
            wake.signal();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (running) {
            try {
                lock.lock();
                try {
                    if (!woken) {
                        wake.await(config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                    }
                    woken = false;
                } finally {
                    lock.unlock();
                }
                dispatchDue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // The database may be away for a moment: try again at the next poll, never stop delivering.
                LOG.warnf("notification dispatch failed: %s", e.getMessage());
            }
        }
    }

    record Pending(long id, UUID subscriptionId, long seq, String eventType, long timestamp, String contentType, byte[] body,
                   String signature, String eventsUrl, String correlationId) {
    }

    private void dispatchDue() {
        int room = config.maxInFlight() - inFlight.size();
        if (room <= 0) {
            return;
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<Pending> due = QuarkusTransaction.requiringNew().call(() -> OutboxEntry.getEntityManager().createQuery(
                        "select o, s from OutboxEntry o, Subscription s where s.id = o.subscriptionId and o.nextAttemptAt <= :now "
                                + "and o.seq = (select min(x.seq) from OutboxEntry x where x.subscriptionId = o.subscriptionId) "
                                + "order by o.nextAttemptAt, o.id", Object[].class)
                .setParameter("now", now).setMaxResults(room + inFlight.size()).getResultList().stream()
                .map(row -> {
                    OutboxEntry o = (OutboxEntry) row[0];
                    Subscription s = (Subscription) row[1];
                    return new Pending(o.id, o.subscriptionId, o.seq, o.eventType, o.eventTimestamp, o.contentType, o.body,
                            o.signature, s.eventsUrl, s.correlationId);
                }).toList());
        for (Pending p : due) {
            if (inFlight.size() >= config.maxInFlight()) {
                break;
            }
            if (inFlight.add(p.subscriptionId())) {
                send(p);
            }
        }
    }

    private void send(Pending p) {
        HttpRequest.Builder req;
        try {
            req = HttpRequest.newBuilder(URI.create(p.eventsUrl())).timeout(config.deliveryTimeout());
        } catch (IllegalArgumentException e) {
            settle(p, -1, "events URL unusable");
            return;
        }
        req.header(Headers.EVENT_TYPE, p.eventType())
                .header(Headers.SUBSCRIPTION_ID, p.subscriptionId().toString())
                .header(Headers.SEQUENCE_NUMBER, Long.toString(p.seq()))
                .header(Headers.EVENT_TIMESTAMP, Long.toString(p.timestamp()))
                .header(Headers.EVENT_SIGNATURE, p.signature());
        if (p.correlationId() != null) {
            req.header(Headers.CORRELATION_ID, p.correlationId());
        }
        if (p.contentType() != null) {
            req.header("Content-Type", p.contentType());
        }
        req.POST(p.body().length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(p.body()));
        http.sendAsync(req.build(), HttpResponse.BodyHandlers.discarding()).whenCompleteAsync((resp, error) -> {
            if (error != null) {
                Throwable cause = error.getCause() != null ? error.getCause() : error;
                settle(p, -1, cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
            } else {
                settle(p, resp.statusCode(), "HTTP " + resp.statusCode());
            }
        }, workers);
    }

    /** Records the outcome of one attempt; {@code status} -1 means no HTTP answer. */
    private void settle(Pending p, int status, String outcome) {
        try {
            if (status >= 200 && status < 300) {
                delivered.increment();
                QuarkusTransaction.requiringNew().run(() -> {
                    OutboxEntry.deleteById(p.id());
                    if (EventTypes.SUBSCRIPTION_CANCELLED.equals(p.eventType())) {
                        Subscription.deleteById(p.subscriptionId());
                    }
                });
            } else if (status == 410) {
                LOG.infof("subscription %s: the receiver answered 410 Gone; subscription dropped", p.subscriptionId());
                QuarkusTransaction.requiringNew().run(() -> {
                    OutboxEntry.delete("subscriptionId", p.subscriptionId());
                    Subscription.deleteById(p.subscriptionId());
                });
            } else {
                failed.increment();
                QuarkusTransaction.requiringNew().run(() -> retryOrGiveUp(p, outcome));
            }
        } catch (RuntimeException e) {
            LOG.warnf("subscription %s: outcome of notification %d not stored (%s); it will be sent again",
                    p.subscriptionId(), p.seq(), e.getMessage());
        } finally {
            inFlight.remove(p.subscriptionId());
            wake();
        }
    }

    private void retryOrGiveUp(Pending p, String outcome) {
        OutboxEntry e = OutboxEntry.findById(p.id());
        if (e == null) {
            return;
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        e.attempts++;
        e.lastError = outcome.length() > 500 ? outcome.substring(0, 500) : outcome;
        if (e.createdAt.plus(config.maxAge()).isAfter(now)) {
            e.nextAttemptAt = now.plus(backoff(e.attempts));
            LOG.debugf("subscription %s: notification %d not delivered (%s), attempt %d, next at %s", p.subscriptionId(), p.seq(),
                    e.lastError, e.attempts, e.nextAttemptAt);
            return;
        }
        Subscription s = Subscription.findById(p.subscriptionId());
        LOG.warnf("subscription %s: notification %d undelivered for %s (%s): dead letter, subscription cancelled",
                p.subscriptionId(), p.seq(), config.maxAge(), e.lastError);
        List<OutboxEntry> rest = OutboxEntry.list("subscriptionId = ?1 order by seq", p.subscriptionId());
        for (OutboxEntry r : rest) {
            if (r.id.equals(e.id) || !EventTypes.SUBSCRIPTION_CANCELLED.equals(r.eventType)) {
                bury(s, r, now);
                r.delete();
            }
        }
        if (s != null) {
            if (EventTypes.SUBSCRIPTION_CANCELLED.equals(e.eventType)) {
                s.delete();
            } else {
                journal.cancel(s);
            }
        }
    }

    private static void bury(Subscription s, OutboxEntry e, OffsetDateTime now) {
        DeadLetter d = new DeadLetter();
        d.subscriptionId = e.subscriptionId;
        d.ownerId = s == null ? "" : s.ownerId;
        d.eventsUrl = s == null ? "" : s.eventsUrl;
        d.seq = e.seq;
        d.eventType = e.eventType;
        d.eventTimestamp = e.eventTimestamp;
        d.contentType = e.contentType;
        d.body = e.body;
        d.attempts = e.attempts;
        d.lastError = e.lastError;
        d.createdAt = e.createdAt;
        d.diedAt = now;
        d.persist();
    }

    /** initial × 2^(attempt-1), at most max, then a random point in its upper half so receivers are not hit in step. */
    Duration backoff(int attempt) {
        long initial = config.initialBackoff().toMillis();
        long max = config.maxBackoff().toMillis();
        long base = attempt >= 30 ? max : Math.min(max, initial << Math.max(0, attempt - 1));
        return Duration.ofMillis(base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
    }
}
