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
import org.ocfcloudbridge.store.OriginSubscription;
import org.ocfcloudbridge.store.VendorEvent;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;
import org.ocfcloudbridge.testing.CloudApiUsers;
import org.ocfcloudbridge.testing.OAuthTestClient;
import org.ocfcloudbridge.testing.OriginLinks;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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

    private static InboxWriter.Item item(OriginSubscription s, String type, long seq, JsonNode payload) {
        return new InboxWriter.Item(s.id, s.targetId, type, seq, payload, new CompletableFuture<>());
    }
}
