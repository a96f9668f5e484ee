package org.ocfcloudbridge.origin.forward;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import org.ocfcloudbridge.ops.StopOrder;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import org.ocfcloudbridge.ocf.Protocol.Cookies;
import org.ocfcloudbridge.ocf.Protocol.Headers;
import org.ocfcloudbridge.ocf.Protocol.HttpPaths;
import org.ocfcloudbridge.cluster.ClusterBus;
import org.ocfcloudbridge.cluster.ClusterSubjects;
import org.ocfcloudbridge.origin.OriginConfig;
import org.ocfcloudbridge.origin.VendorAuthenticator;
import org.ocfcloudbridge.store.VendorEvent;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /api/v1/events}: the vendor user's events as Server-Sent Events, each with its id; a client that comes
 * back with {@code Last-Event-ID} (header or {@code lastEventId} parameter) gets everything after it, from the
 * database, then what follows. Without one the stream starts now. A stream reads when events of its user are
 * committed (on this instance, or another one of the cluster: the bus carries the wake-up), and every
 * {@code bridge.origin.event-stream-poll} in case a wake-up was lost.
 */
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "Vendor API (Origin Cloud)")
@Path(HttpPaths.API_BASE + "/events")
@Singleton
public class VendorEventStream {

    /** One open stream: its user, its sink, the last id sent, and whether a read is queued (reads coalesce). */
    private static final class Stream {
        final String user;
        final SseEventSink sink;
        final Sse sse;
        final AtomicLong last;
        final AtomicBoolean queued = new AtomicBoolean();

        Stream(String user, SseEventSink sink, Sse sse, long last) {
            this.user = user;
            this.sink = sink;
            this.sse = sse;
            this.last = new AtomicLong(last);
        }
    }

    private final VendorAuthenticator vendor;
    /** One thread reads for every stream, so a stream's reads never overlap and its events go out in id order. */
    private final ScheduledExecutorService readers = Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "vendor-event-stream");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Set<Stream>> streams = new ConcurrentHashMap<>();
    private final ClusterBus bus;

    private final org.ocfcloudbridge.origin.console.ConsoleSessions sessions;

    public VendorEventStream(VendorAuthenticator vendor, org.ocfcloudbridge.origin.console.ConsoleSessions sessions,
                             VendorEvents events, ClusterBus bus, OriginConfig config) {
        this.vendor = vendor;
        this.sessions = sessions;
        this.bus = bus;
        // Woken by commits: here directly, and on the other instances through the bus (a user per line).
        events.onCommitFor(users -> {
            users.forEach(this::wake);
            bus.publish(ClusterSubjects.VENDOR_EVENTS, String.join("\n", users).getBytes(StandardCharsets.UTF_8));
        });
        bus.subscribe(ClusterSubjects.VENDOR_EVENTS, body -> new String(body, StandardCharsets.UTF_8).lines().forEach(this::wake));
        bus.whenMessagesMayHaveBeenMissed(() -> streams.keySet().forEach(this::wake));
        long poll = config.eventStreamPoll().toMillis();
        readers.scheduleWithFixedDelay(this::pollAll, poll, poll, TimeUnit.MILLISECONDS);
    }

    /** The streams' reads use the database: the one running ends by itself, never interrupted ({@link StopOrder}). */
    void stop(@Observes @jakarta.annotation.Priority(StopOrder.BACKGROUND) ShutdownEvent event) {
        StopOrder.drain(readers, StopOrder.STEP);
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking
    public void stream(@HeaderParam(Headers.AUTHORIZATION) String authorization, @QueryParam("token") String token,
                       @HeaderParam("Last-Event-ID") String lastEventHeader, @QueryParam("lastEventId") String lastEventParam,
                       @CookieParam(Cookies.CONSOLE_SESSION) String consoleSession, @Context SseEventSink sink, @Context Sse sse) {
        // The web page listens with EventSource, which cannot send headers: its same-site session cookie stands in.
        String user = authorization == null && token == null && consoleSession != null
                ? sessions.user(consoleSession).orElseThrow(() -> VendorAuthenticator.refused("the page's session has ended"))
                : vendor.user(authorization, token, org.ocfcloudbridge.ocf.Protocol.Scopes.READ);
        Long resume = parse(lastEventHeader != null ? lastEventHeader : lastEventParam);
        Stream stream = new Stream(user, sink, sse, resume != null ? resume : VendorEvents.lastIdOf(user));
        streams.computeIfAbsent(user, u -> ConcurrentHashMap.newKeySet()).add(stream);
        // What was stored after the resume id goes out now; a commit in between wakes it again.
        queue(stream);
    }

    /** Events of {@code user} were committed somewhere: each of the user's streams reads once more. */
    void wake(String user) {
        Set<Stream> open = streams.get(user);
        if (open != null) {
            open.forEach(this::queue);
        }
    }

    private void pollAll() {
        streams.values().forEach(set -> set.forEach(this::queue));
    }

    private void queue(Stream s) {
        if (s.queued.compareAndSet(false, true)) {
            try {
                readers.execute(() -> read(s));
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                s.queued.set(false);
            }
        }
    }

    private void read(Stream s) {
        s.queued.set(false);
        if (s.sink.isClosed()) {
            forget(s);
            return;
        }
        try {
            List<VendorEvent> batch;
            do {
                long after = s.last.get();
                batch = QuarkusTransaction.requiringNew().call(() -> VendorEvent.<VendorEvent>find(
                        "vendorUser = ?1 and id > ?2 order by id", s.user, after).page(0, 200).list());
                for (VendorEvent e : batch) {
                    s.sink.send(s.sse.newEventBuilder().id(Long.toString(e.id)).name(e.type).mediaType(MediaType.APPLICATION_JSON_TYPE)
                            .data(String.class, "{\"id\":" + e.id + ",\"type\":" + VendorEvents.quoted(e.type) + ",\"link\":\""
                                    + e.linkId + "\",\"device\":" + (e.deviceId == null ? "null" : VendorEvents.quoted(e.deviceId))
                                    + ",\"payload\":" + VendorEvents.jsonValue(e.payload) + ",\"time\":\"" + e.createdAt + "\"}").build());
                    s.last.set(e.id);
                }
            } while (batch.size() == 200 && !s.sink.isClosed());
        } catch (RuntimeException ex) {
            // The database may be away for a moment; the next wake-up or poll tries again from the same id.
        }
    }

    private void forget(Stream s) {
        streams.computeIfPresent(s.user, (u, set) -> {
            set.remove(s);
            return set.isEmpty() ? null : set;
        });
    }

    private static Long parse(String s) {
        try {
            return s == null || s.isBlank() ? null : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
