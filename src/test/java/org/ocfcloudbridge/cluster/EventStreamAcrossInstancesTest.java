package org.ocfcloudbridge.cluster;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.ocfcloudbridge.origin.forward.VendorEvents;
import org.ocfcloudbridge.store.VendorEvent;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.OAuthTestClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vendor event stream (SSE) from any instance, woken over NATS rather than by polling the table (issue 14). Here
 * streams poll only hourly ({@link ClusterModeProfile}): an event committed "on another instance" (a row written by
 * the test, announced by the test's own bus) reaches a stream on this one only because the bus woke it.
 */
@QuarkusTest
@TestProfile(ClusterModeProfile.class)
@EnabledIf("org.ocfcloudbridge.cluster.TestNats#clusterModeCanRun")
class EventStreamAcrossInstancesTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @TestHTTPResource("/api/v1/events")
    URI events;
    @Inject
    VendorEvents vendorEvents;

    private ClusterBus other;
    private final List<String> heardThere = new CopyOnWriteArrayList<>();

    @BeforeEach
    void anotherInstance() {
        other = TestNats.anotherInstance(b -> b.subscribe(ClusterSubjects.VENDOR_EVENTS,
                body -> heardThere.add(new String(body, StandardCharsets.UTF_8))));
    }

    @AfterEach
    void stopTheOther() {
        other.close();
    }

    /** A row as another instance's inbox writes it, in its own transaction. */
    private static long eventWrittenElsewhere(String vendorUser) {
        return QuarkusTransaction.requiringNew().call(() -> {
            VendorEvent e = new VendorEvent();
            e.vendorUser = vendorUser;
            e.linkId = UUID.randomUUID();
            e.deviceId = UUID.randomUUID().toString();
            e.type = VendorEvents.DEVICE_ONLINE;
            e.payload = "{}";
            e.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
            e.persist();
            return e.id;
        });
    }

    /** An open stream's events ("id: …" lines), as they come. */
    private record Sse(HttpResponse<Stream<String>> response, BlockingQueue<String> ids) implements AutoCloseable {
        String next(Duration within) throws InterruptedException {
            return ids.poll(within.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            response.body().close();
        }
    }

    private Sse open(String token, long after) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(events).header("Authorization", "Bearer " + token)
                .header("Accept", "text/event-stream").header("Last-Event-ID", Long.toString(after)).build();
        HttpResponse<Stream<String>> resp = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, resp.statusCode());
        BlockingQueue<String> ids = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try {
                resp.body().filter(l -> l.startsWith("id:")).forEach(l -> ids.add(l.substring(3).trim()));
            } catch (java.io.UncheckedIOException closed) {
                // the test closed the stream
            }
        }, "test-sse-reader");
        reader.setDaemon(true);
        reader.start();
        return new Sse(resp, ids);
    }

    @Test
    void anEventCommittedOnAnotherInstanceReachesAStreamHereWhenThatInstanceSaysSo() throws Exception {
        String[] user = OAuthTestClient.newUser();
        String token = CloudApiUsers.vendorToken(user, "r:*");
        String vendorUser = user[2];
        long first = eventWrittenElsewhere(vendorUser);
        try (Sse stream = open(token, first - 1)) {
            // The stream's first read sends what was stored after the resume id; once it is here, that read is over.
            assertEquals(Long.toString(first), stream.next(WAIT));

            long second = eventWrittenElsewhere(vendorUser);
            assertNull(stream.next(Duration.ofMillis(500)), "no wake-up yet, and the stream's own poll is an hour away");

            other.publish(ClusterSubjects.VENDOR_EVENTS, ("someone-else\n" + vendorUser).getBytes(StandardCharsets.UTF_8));
            assertEquals(Long.toString(second), stream.next(WAIT), "woken over the bus");
        }
    }

    @Test
    void eventsCommittedHereWakeTheStreamsOfTheOtherInstances() throws Exception {
        String vendorUser = "stream-" + UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() ->
                vendorEvents.record(vendorUser, UUID.randomUUID(), "d1", VendorEvents.DEVICE_OFFLINE, "{}"));
        TestNats.await("the other instances hear whose events were committed", WAIT,
                () -> heardThere.stream().anyMatch(m -> m.lines().anyMatch(vendorUser::equals)));
    }
}
