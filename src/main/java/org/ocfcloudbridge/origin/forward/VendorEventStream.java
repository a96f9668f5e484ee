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
import org.ocfcloudbridge.origin.VendorAuthenticator;
import org.ocfcloudbridge.store.VendorEvent;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code GET /api/v1/events}: the vendor user's events as Server-Sent Events, each with its id; a client that comes
 * back with {@code Last-Event-ID} (header or {@code lastEventId} parameter) gets everything after it, from the
 * database, then what follows. Without one the stream starts now.
 */
@org.eclipse.microprofile.openapi.annotations.tags.Tag(name = "Vendor API (Origin Cloud)")
@Path(HttpPaths.API_BASE + "/events")
@Singleton
public class VendorEventStream {

    private static final long POLL_MILLIS = 200;

    private final VendorAuthenticator vendor;
    private final ScheduledExecutorService pollers = Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "vendor-event-stream");
        t.setDaemon(true);
        return t;
    });

    private final org.ocfcloudbridge.origin.console.ConsoleSessions sessions;

    public VendorEventStream(VendorAuthenticator vendor, org.ocfcloudbridge.origin.console.ConsoleSessions sessions) {
        this.vendor = vendor;
        this.sessions = sessions;
    }

    /** The streams' polls read the database: the one running ends by itself, never interrupted ({@link StopOrder}). */
    void stop(@Observes @jakarta.annotation.Priority(StopOrder.BACKGROUND) ShutdownEvent event) {
        StopOrder.drain(pollers, StopOrder.STEP);
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
        AtomicLong last = new AtomicLong(resume != null ? resume : VendorEvents.lastIdOf(user));
        AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
        task.set(pollers.scheduleWithFixedDelay(() -> {
            if (sink.isClosed()) {
                ScheduledFuture<?> t = task.get();
                if (t != null) {
                    t.cancel(false);
                }
                return;
            }
            try {
                List<VendorEvent> batch = QuarkusTransaction.requiringNew().call(() -> VendorEvent.<VendorEvent>find(
                        "vendorUser = ?1 and id > ?2 order by id", user, last.get()).page(0, 200).list());
                for (VendorEvent e : batch) {
                    sink.send(sse.newEventBuilder().id(Long.toString(e.id)).name(e.type).mediaType(MediaType.APPLICATION_JSON_TYPE)
                            .data(String.class, "{\"id\":" + e.id + ",\"type\":\"" + e.type + "\",\"link\":\"" + e.linkId + "\","
                                    + "\"device\":" + (e.deviceId == null ? "null" : "\"" + e.deviceId + "\"") + ",\"payload\":"
                                    + e.payload + ",\"time\":\"" + e.createdAt + "\"}").build());
                    last.set(e.id);
                }
            } catch (RuntimeException ex) {
                // The database may be away for a moment; the next poll tries again from the same id.
            }
        }, 0, POLL_MILLIS, TimeUnit.MILLISECONDS));
    }

    private static Long parse(String s) {
        try {
            return s == null || s.isBlank() ? null : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
