package org.ocfcloudbridge.origin.link;

import org.ocfcloudbridge.cluster.CacheInvalidation;
import org.ocfcloudbridge.ops.OutboundHttp;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.ocf.Protocol.Headers;
import org.ocfcloudbridge.origin.forward.VendorEvents;
import org.ocfcloudbridge.store.DataCipher;
import org.ocfcloudbridge.store.LinkedAccount;
import org.ocfcloudbridge.store.LinkedCloud;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Calls a Target Cloud's Cloud API as a linked user, over pooled non-blocking connections: the access token is
 * refreshed ahead of its expiry, a 401 gets one refresh and one retry, and a refused refresh marks the link as
 * needing the user again.
 *
 * <p>Each link's session (owner, cloud, open access token) is kept in memory for {@link #SESSION_TTL}, so a proxied
 * call costs no database read and no decryption; this instance forgets a session at once when it refreshes, marks or
 * unlinks it, another instance's unlink is seen within the TTL.
 */
@ApplicationScoped
public class TargetClient {

    private static final Logger LOG = Logger.getLogger(TargetClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Refresh when less than a quarter of the token's lifetime is left, and at most this much before it expires: a
     * request never leaves with a token about to expire, and a short-lived token is not refreshed on every call.
     */
    static final Duration EARLY = Duration.ofSeconds(60);
    static final Duration LEAST_EARLY = Duration.ofSeconds(5);
    static final long SESSION_TTL_NANOS = Duration.ofSeconds(5).toNanos();

    public record Answer(int status, String contentType, byte[] body, String retryAfter) {
        public JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    /** The link cannot be used until its user links again. */
    public static final class Unauthorized extends RuntimeException {
        Unauthorized(String message) {
            super(message, null, false, false);
        }
    }

    /** No such link, or not this vendor user's. */
    public static final class NoSuchLink extends RuntimeException {
        NoSuchLink() {
            super("no such link", null, false, false);
        }
    }

    /** The Target Cloud could not be reached or did not answer in time. */
    public static final class Unreachable extends RuntimeException {
        Unreachable(String message) {
            super(message, null, false, false);
        }
    }

    /** What a call needs of the cloud, copied out of its row (entities do not leave their transaction). */
    private record Cloud(String name, String apiUrl, String tokenEndpoint, String clientId, String sealedSecret, String trustedCa) {
        static Cloud of(LinkedCloud c) {
            return new Cloud(c.name, c.apiUrl, c.tokenEndpoint, c.clientId, c.clientSecret, c.trustedCa);
        }
    }

    private record Session(Cloud cloud, String vendorUser, String accessToken, OffsetDateTime refreshAt, long loadedAt) {
        boolean usable(long now) {
            return now - loadedAt < SESSION_TTL_NANOS && (refreshAt == null || refreshAt.isAfter(OffsetDateTime.now(ZoneOffset.UTC)));
        }
    }

    /**
     * When a token obtained at {@code obtainedAt} that expires at {@code expiresAt} is due for a refresh: once three
     * quarters of its life are gone, but no later than {@link #EARLY} before it expires, and for a short-lived token no
     * later than {@link #LEAST_EARLY} (or half its life) before it expires, so that a call still has time to use it.
     * {@code null}: never (no expiry). A token of unknown age counts as a long-lived one.
     */
    static OffsetDateTime refreshAt(OffsetDateTime obtainedAt, OffsetDateTime expiresAt) {
        if (expiresAt == null) {
            return null;
        }
        Duration margin = EARLY;
        if (obtainedAt != null && obtainedAt.isBefore(expiresAt)) {
            Duration life = Duration.between(obtainedAt, expiresAt);
            Duration least = LEAST_EARLY.compareTo(life.dividedBy(2)) < 0 ? LEAST_EARLY : life.dividedBy(2);
            Duration quarter = life.dividedBy(4);
            margin = quarter.compareTo(EARLY) > 0 ? EARLY : quarter.compareTo(least) < 0 ? least : quarter;
        }
        return expiresAt.minus(margin);
    }

    private final LinkedClouds clouds;
    private final DataCipher cipher;
    private final OutboundHttp http;
    private final VendorEvents events;
    private final ManagedExecutor executor;
    private final CacheInvalidation invalidation;
    private final Map<UUID, Session> sessions = new ConcurrentHashMap<>();

    public TargetClient(LinkedClouds clouds, DataCipher cipher, OutboundHttp http, VendorEvents events, ManagedExecutor executor,
                        CacheInvalidation invalidation) {
        this.invalidation = invalidation;
        this.clouds = clouds;
        this.cipher = cipher;
        this.http = http;
        this.events = events;
        this.executor = executor;
    }

    /**
     * Calls {@code path} (below the cloud's API URL, e.g. {@code /devices?content=all}) as the link's user, when the
     * link belongs to {@code vendorUser} ({@code null}: any owner). Must start on a thread that may block (a cold
     * session is read from the database); the answer arrives without holding one. The stage fails with
     * {@link NoSuchLink}, {@link Unauthorized} or {@link Unreachable}.
     */
    public CompletionStage<Answer> callAsync(String vendorUser, UUID linkId, String method, String path, String accept,
                                             String contentType, byte[] body) {
        Session s;
        try {
            s = session(linkId, vendorUser);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        Session first = s;
        return send(first, method, path, accept, contentType, body).thenCompose(a -> a.status() != 401 ? CompletableFuture.completedFuture(a)
                // The refresh reads and locks the database: off the event loop the answer came on.
                : refreshShared(linkId, first.accessToken()).thenCompose(fresh -> send(fresh, method, path, accept, contentType, body)));
    }

    /** {@link #callAsync} for a worker thread that waits for the answer. */
    public Answer call(UUID linkId, String method, String path, String accept, String contentType, byte[] body) {
        try {
            // Two exchanges at most (a 401, a refresh, the retry), each with its own deadline.
            return callAsync(null, linkId, method, path, accept, contentType, body).toCompletableFuture()
                    .get(3 * OutboundHttp.TIMEOUT.toSeconds() + 10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new Unreachable("the Target Cloud cannot be reached");
        } catch (java.util.concurrent.TimeoutException e) {
            throw new Unreachable("the Target Cloud did not answer in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted");
        }
    }

    /** Drops the link's cached session (its tokens or state changed, or it is gone), here and on the other instances. */
    public void forget(UUID linkId) {
        sessions.remove(linkId);
        invalidation.linkChanged(linkId);
    }

    /** Drops the link's cached session on this instance only (another instance changed the link). */
    public void forgetHere(UUID linkId) {
        sessions.remove(linkId);
    }

    /** Drops this instance's sessions of the cloud's links (its definition changed). */
    public void forgetCloudHere(String cloudName) {
        sessions.values().removeIf(s -> s.cloud().name().equals(cloudName));
    }

    /** Drops every cached session of this instance. */
    public void forgetAllHere() {
        sessions.clear();
    }

    /** Whether the link's session is cached here (tests of the cache and its invalidation). */
    public boolean cached(UUID linkId) {
        return sessions.containsKey(linkId);
    }

    /** The link's session when it is {@code vendorUser}'s (any owner's when null); never another user's link's state. */
    private Session session(UUID linkId, String vendorUser) {
        long now = System.nanoTime();
        Session cached = sessions.get(linkId);
        if (cached != null && vendorUser != null && !vendorUser.equals(cached.vendorUser())) {
            throw new NoSuchLink();
        }
        if (cached != null && cached.usable(now)) {
            return cached;
        }
        record Current(LinkedCloud cloud, LinkedAccount account) {
        }
        Current c = QuarkusTransaction.requiringNew().call(() -> {
            LinkedAccount a = LinkedAccount.findById(linkId);
            return a == null ? null : new Current(LinkedCloud.findById(a.cloudName), a);
        });
        if (c == null || c.cloud() == null) {
            sessions.remove(linkId);
            throw new NoSuchLink();
        }
        if (vendorUser != null && !vendorUser.equals(c.account().vendorUser)) {
            // Checked before the link's state or a refresh: another user learns nothing of it and changes nothing.
            throw new NoSuchLink();
        }
        if (c.account().state != LinkedAccount.State.LINKED) {
            sessions.remove(linkId);
            throw new Unauthorized("the link needs its user to link again");
        }
        String token = cipher.open(c.account().accessToken);
        // The row's updatedAt is when its tokens were stored: linking and refreshing set both together.
        OffsetDateTime refreshAt = refreshAt(c.account().updatedAt, c.account().tokenExpiresAt);
        if (refreshAt != null && !refreshAt.isAfter(OffsetDateTime.now(ZoneOffset.UTC))) {
            return refreshHere(linkId, token);
        }
        Session s = new Session(Cloud.of(c.cloud()), c.account().vendorUser, token, refreshAt, now);
        sessions.put(linkId, s);
        return s;
    }

    private final Map<UUID, CompletableFuture<Session>> refreshing = new ConcurrentHashMap<>();

    /**
     * One refresh per link at a time on this instance: the calls that meet an expired token together (a burst of
     * proxied requests at expiry) share it instead of each holding a worker in the queue for the link's row lock.
     */
    private CompletableFuture<Session> refreshShared(UUID linkId, String stale) {
        CompletableFuture<Session> mine = new CompletableFuture<>();
        CompletableFuture<Session> running = claim(linkId, mine);
        if (running != null) {
            return running;
        }
        try {
            executor.execute(() -> {
                try {
                    mine.complete(refresh(linkId, stale));
                } catch (Throwable e) {
                    mine.completeExceptionally(e);
                } finally {
                    refreshing.remove(linkId, mine);
                }
            });
        } catch (RuntimeException rejected) {
            refreshing.remove(linkId, mine);
            mine.completeExceptionally(new Unreachable("no thread free to refresh the link's token"));
        }
        return mine;
    }

    /**
     * Registers {@code mine} as the link's refresh under way, or returns the one already under way. A finished one is
     * not shared (its token may be the one just refused): a new refresh starts, and finds the stored token if newer.
     */
    private CompletableFuture<Session> claim(UUID linkId, CompletableFuture<Session> mine) {
        while (true) {
            CompletableFuture<Session> running = refreshing.putIfAbsent(linkId, mine);
            if (running == null || !running.isDone()) {
                return running;
            }
            refreshing.remove(linkId, running);
        }
    }

    /** {@link #refreshShared} on this thread (one that may block), or waiting a bounded time for the one under way. */
    private Session refreshHere(UUID linkId, String stale) {
        CompletableFuture<Session> mine = new CompletableFuture<>();
        CompletableFuture<Session> running = claim(linkId, mine);
        if (running == null) {
            try {
                Session fresh = refresh(linkId, stale);
                mine.complete(fresh);
                return fresh;
            } catch (Throwable e) {
                mine.completeExceptionally(e);
                throw e;
            } finally {
                refreshing.remove(linkId, mine);
            }
        }
        try {
            // A refresh may wait for another instance's (row lock) before its own token call: both bounded.
            return running.get(2 * OutboundHttp.TIMEOUT.toSeconds() + 5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new Unreachable("the link's token could not be refreshed");
        } catch (java.util.concurrent.TimeoutException e) {
            throw new Unreachable("the link's token refresh did not finish in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted");
        }
    }

    /**
     * Refreshes the link's tokens unless another thread already did (the stored access token is no longer
     * {@code stale}); one refresh per link at a time, under a row lock, so a rotated refresh token is never used twice.
     */
    private Session refresh(UUID linkId, String stale) {
        sessions.remove(linkId);
        // Whether the row changed here (new tokens, or marked for re-authorization): the other instances' sessions are stale.
        boolean[] changed = {false};
        Session fresh = QuarkusTransaction.requiringNew().call(() -> {
            LinkedAccount a = LinkedAccount.findById(linkId, LockModeType.PESSIMISTIC_WRITE);
            if (a == null) {
                throw new NoSuchLink();
            }
            Cloud cloud = Cloud.of(LinkedCloud.findById(a.cloudName));
            String current = cipher.open(a.accessToken);
            if (!current.equals(stale) && a.state == LinkedAccount.State.LINKED) {
                return new Session(cloud, a.vendorUser, current, refreshAt(a.updatedAt, a.tokenExpiresAt), System.nanoTime());
            }
            String refresh = cipher.open(a.refreshToken);
            JsonNode tokens = refresh == null ? null : exchange(cloud, refresh);
            if (tokens == null || !tokens.hasNonNull("access_token")) {
                a.state = LinkedAccount.State.REAUTHORIZE;
                a.updatedAt = OffsetDateTime.now(ZoneOffset.UTC);
                changed[0] = true;
                events.record(a.vendorUser, a.id, null, VendorEvents.LINK_STATE, AccountLinking.stateJson("reauthorize", a.cloudName));
                LOG.warnf("link %s: the Target Cloud refused its refresh token; the user must link again", linkId);
                return null;
            }
            a.accessToken = cipher.seal(tokens.get("access_token").asText());
            if (tokens.hasNonNull("refresh_token")) {
                a.refreshToken = cipher.seal(tokens.get("refresh_token").asText());
            }
            a.tokenExpiresAt = tokens.hasNonNull("expires_in")
                    ? OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(tokens.get("expires_in").asLong()) : null;
            a.updatedAt = OffsetDateTime.now(ZoneOffset.UTC);
            changed[0] = true;
            LOG.debugf("link %s: access token refreshed%s", linkId,
                    a.tokenExpiresAt == null ? "" : ", valid until " + a.tokenExpiresAt);
            return new Session(cloud, a.vendorUser, tokens.get("access_token").asText(), refreshAt(a.updatedAt, a.tokenExpiresAt),
                    System.nanoTime());
        });
        if (changed[0]) {
            invalidation.linkChanged(linkId);
        }
        if (fresh == null) {
            // Stored first (the link is marked), refused after: the caller learns it now, the vendor through the link state.
            throw new Unauthorized("the Target Cloud refused the link's refresh token");
        }
        sessions.put(linkId, fresh);
        return fresh;
    }

    /** The token endpoint's answer to a refresh, or {@code null} when it refused. */
    private JsonNode exchange(Cloud cloud, String refreshToken) {
        String form = "grant_type=refresh_token&refresh_token=" + enc(refreshToken) + "&client_id=" + enc(cloud.clientId());
        Map<String, String> headers = new HashMap<>();
        headers.put(Headers.CONTENT_TYPE, "application/x-www-form-urlencoded");
        headers.put(Headers.ACCEPT, "application/json");
        String secret = cipher.open(cloud.sealedSecret());
        if (secret != null) {
            headers.put(Headers.AUTHORIZATION, basic(cloud.clientId(), secret));
        }
        OutboundHttp.Reply r;
        try {
            r = http.sendAndWait(cloud.trustedCa(), "POST", cloud.tokenEndpoint(), headers, form.getBytes(StandardCharsets.UTF_8));
        } catch (OutboundHttp.Unreachable e) {
            throw new Unreachable("the Target Cloud's token endpoint cannot be reached");
        }
        if (r.status() >= 500) {
            throw new Unreachable("the Target Cloud's token endpoint answered " + r.status());
        }
        if (r.status() != 200) {
            return null;
        }
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            return null;
        }
    }

    private CompletionStage<Answer> send(Session s, String method, String path, String accept, String contentType, byte[] body) {
        Map<String, String> headers = new HashMap<>(4);
        headers.put(Headers.AUTHORIZATION, "Bearer " + s.accessToken());
        headers.put(Headers.ACCEPT, accept);
        headers.put(Headers.CONTENT_TYPE, contentType);
        byte[] payload = body == null && !"GET".equals(method) && !"DELETE".equals(method) ? new byte[0] : body;
        return http.send(s.cloud().trustedCa(), method, s.cloud().apiUrl() + path, headers, payload)
                .thenApply(r -> new Answer(r.status(), r.contentType(), r.body(), r.retryAfter()))
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(new Unreachable(
                        "the Target Cloud cannot be reached: " + rootMessage(e))));
    }

    static String basic(String clientId, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((enc(clientId) + ":" + enc(secret)).getBytes(StandardCharsets.UTF_8));
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return t.getMessage();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
