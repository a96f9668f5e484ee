package org.ocfcloudbridge.origin.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.Protocol.EventTypes;
import org.ocfcloudbridge.origin.forward.VendorEvents;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.origin.sync.DeviceSets;
import org.ocfcloudbridge.store.OriginResource;
import org.ocfcloudbridge.store.OriginSubscription;
import org.ocfcloudbridge.store.VendorEvent;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.OAuthTestClient;
import org.ocfcloudbridge.testing.OriginLinks;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The inbox writer's group commit: notifications written together in one transaction keep their own outcomes, and one
 * the store cannot apply fails alone, the ones around it still applied in order.
 */
@QuarkusTest
class InboxWriterTest {

    @Inject
    CoapGateway gateway;

    @Inject
    InboxWriter writer;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aNotificationThatCannotBeAppliedFailsAloneAndTheRestOfItsBatchIsApplied() throws Exception {
        String cloud = OriginLinks.registerCloud();
        String vendorToken = CloudApiUsers.vendorToken(OAuthTestClient.newUser());
        String[] alice = OAuthTestClient.newUser();
        SimulatedDevice device = CloudApiUsers.onlineDevice(alice, gateway.tcpPort());
        try {
            String link = OriginLinks.link(cloud, vendorToken, alice);
            UUID linkId = UUID.fromString(link);
            OriginSubscription s = OriginLinks.devicesLevel(link);
            long last = QuarkusTransaction.requiringNew().call(() -> OriginSubscription.<OriginSubscription>findById(s.id)).lastSeq;
            JsonNode one = JSON.readTree("[{\"di\":\"" + device.di() + "\"}]");

            // Far ahead of what the Target has sent (it may still be sending the link's first notifications): each
            // is new whatever arrives meanwhile.
            long seq = last + 1000;
            InboxWriter.Item offline = item(s, EventTypes.DEVICES_OFFLINE, seq, one);
            // No payload at all: applying it throws, as a row the database refused would.
            InboxWriter.Item broken = item(s, EventTypes.DEVICES_ONLINE, seq + 1, null);
            InboxWriter.Item online = item(s, EventTypes.DEVICES_ONLINE, seq + 2, one);
            writer.write(List.of(offline, broken, online));

            assertEquals(InboxWriter.Outcome.GAP, offline.done().get(10, TimeUnit.SECONDS));
            ExecutionException failed = assertThrows(ExecutionException.class, () -> broken.done().get(10, TimeUnit.SECONDS));
            assertInstanceOf(RuntimeException.class, failed.getCause());
            // Its sequence number was never taken, so the one after it is a gap (the link resyncs), but it is applied.
            assertEquals(InboxWriter.Outcome.GAP, online.done().get(10, TimeUnit.SECONDS));

            assertEquals(seq + 2, QuarkusTransaction.requiringNew().call(() -> OriginSubscription.<OriginSubscription>findById(s.id)).lastSeq);
            List<String> types = QuarkusTransaction.requiringNew().call(() -> VendorEvent.<VendorEvent>list(
                    "linkId = ?1 and deviceId = ?2 and (type = ?3 or type = ?4) order by id", linkId, device.di(),
                    VendorEvents.DEVICE_OFFLINE, VendorEvents.DEVICE_ONLINE)).stream().map(e -> e.type).toList();
            assertTrue(types.size() >= 2, "both applied: " + types);
            assertEquals(List.of(VendorEvents.DEVICE_OFFLINE, VendorEvents.DEVICE_ONLINE), types.subList(types.size() - 2, types.size()),
                    "in the order they were written");
        } finally {
            device.shutdown();
        }
    }

    /**
     * Content changes are applied in plain JDBC runs between the other events, which Hibernate applies: each keeps its
     * own outcome, what one side wrote is what the other reads next (flushed before a run, read again after it), each
     * resource keeps its newest content, and the vendor events follow the batch's order.
     */
    @Test
    void contentChangesAmongOtherEventsKeepTheirOutcomesTheNewestContentAndTheirOrder() throws Exception {
        String cloud = OriginLinks.registerCloud();
        String vendorToken = CloudApiUsers.vendorToken(OAuthTestClient.newUser());
        String link = OriginLinks.link(cloud, vendorToken, OAuthTestClient.newUser());
        UUID linkId = UUID.fromString(link);
        OriginLinks.settled(link);
        String di = UUID.randomUUID().toString();
        UUID targetId = UUID.randomUUID();
        OriginSubscription a = resourceLevel(linkId, di, "/a");
        OriginSubscription b = resourceLevel(linkId, di, "/b");
        OriginSubscription e = resourceLevel(linkId, di, "/e");
        // /b was read before: its row is updated, while /a's is made.
        QuarkusTransaction.requiringNew().run(() -> DeviceSets.putContent(linkId, di, "/b", "{\"v\":0}",
                OffsetDateTime.now(ZoneOffset.UTC)));
        JsonNode none = JSON.readTree("[]");

        List<InboxWriter.Item> batch = List.of(
                item(a, targetId, EventTypes.RESOURCES_UNPUBLISHED, 1, none),
                item(a, targetId, EventTypes.RESOURCE_CONTENT_CHANGED, 2, JSON.readTree("{\"v\":2}")),
                item(b, targetId, EventTypes.RESOURCE_CONTENT_CHANGED, 1, JSON.readTree("{\"v\":1}")),
                item(a, targetId, EventTypes.RESOURCE_CONTENT_CHANGED, 2, JSON.readTree("{\"v\":-2}")),
                item(e, targetId, EventTypes.SUBSCRIPTION_CANCELLED, 1, none),
                item(e, targetId, EventTypes.RESOURCE_CONTENT_CHANGED, 2, JSON.readTree("{\"v\":-1}")),
                item(a, targetId, EventTypes.RESOURCES_UNPUBLISHED, 3, none),
                item(a, targetId, EventTypes.RESOURCE_CONTENT_CHANGED, 5, JSON.readTree("{\"v\":5}")),
                item(b, targetId, EventTypes.RESOURCE_CONTENT_CHANGED, 2, JSON.readTree("{\"v\":2}")),
                new InboxWriter.Item(UUID.randomUUID(), targetId, EventTypes.RESOURCE_CONTENT_CHANGED, 1,
                        JSON.readTree("{\"v\":-3}"), new CompletableFuture<>()));
        long split = writer.splitBatches();
        writer.write(batch);

        List<InboxWriter.Outcome> outcomes = new java.util.ArrayList<>();
        for (InboxWriter.Item i : batch) {
            outcomes.add(i.done().get(10, TimeUnit.SECONDS));
        }
        assertEquals(split, writer.splitBatches(), "applied as one batch, not again one at a time");
        InboxWriter.Outcome P = InboxWriter.Outcome.PROCESSED;
        assertEquals(List.of(P, P, P, InboxWriter.Outcome.DUPLICATE, P, InboxWriter.Outcome.GONE, P,
                InboxWriter.Outcome.GAP, P, InboxWriter.Outcome.GONE), outcomes);

        OriginSubscription storedA = QuarkusTransaction.requiringNew().call(() -> OriginSubscription.findById(a.id));
        assertEquals(5, storedA.lastSeq);
        assertEquals(targetId, storedA.targetId, "the Target's id, learnt from the notification");
        assertEquals(2, QuarkusTransaction.requiringNew().call(() -> OriginSubscription.<OriginSubscription>findById(b.id)).lastSeq);
        assertNull(QuarkusTransaction.requiringNew().call(() -> OriginSubscription.findById(e.id)), "cancelled");
        assertEquals("{\"v\":5}", content(linkId, di, "/a"));
        assertEquals("{\"v\":2}", content(linkId, di, "/b"));
        assertNull(QuarkusTransaction.requiringNew().call(() -> OriginResource.findById(new OriginResource.Key(linkId, di, "/e"))));

        List<String> changes = QuarkusTransaction.requiringNew().call(() -> VendorEvent.<VendorEvent>list(
                "linkId = ?1 and deviceId = ?2 and type = ?3 order by id", linkId, di, VendorEvents.CONTENT_CHANGED))
                .stream().map(v -> v.payload).toList();
        assertEquals(List.of("{\"href\":\"/a\",\"content\":{\"v\":2}}", "{\"href\":\"/b\",\"content\":{\"v\":1}}",
                "{\"href\":\"/a\",\"content\":{\"v\":5}}", "{\"href\":\"/b\",\"content\":{\"v\":2}}"), changes);
    }

    private static OriginSubscription resourceLevel(UUID linkId, String di, String href) {
        OriginSubscription s = new OriginSubscription();
        s.id = UUID.randomUUID();
        s.linkId = linkId;
        s.level = "resource";
        s.deviceId = di;
        s.href = href;
        s.secret = "not used by the writer";
        s.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
        QuarkusTransaction.requiringNew().run(s::persist);
        return s;
    }

    private static String content(UUID linkId, String di, String href) {
        return QuarkusTransaction.requiringNew().call(() -> OriginResource.<OriginResource>findById(
                new OriginResource.Key(linkId, di, href))).content;
    }

    private static InboxWriter.Item item(OriginSubscription s, UUID targetId, String type, long seq, JsonNode payload) {
        return new InboxWriter.Item(s.id, targetId, type, seq, payload, new CompletableFuture<>());
    }

    private static InboxWriter.Item item(OriginSubscription s, String type, long seq, JsonNode payload) {
        return new InboxWriter.Item(s.id, s.targetId, type, seq, payload, new CompletableFuture<>());
    }
}
