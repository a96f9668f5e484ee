package org.ocfcloudbridge.targetcloud;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.ocfcloudbridge.ocf.Link;
import org.ocfcloudbridge.targetcloud.events.EventJournal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The resource directory's instance numbers (Part 11 §15): what {@link DeviceDirectory#publish} stores and answers
 * when a device publishes, publishes again, renumbers a link or takes a number another href held.
 */
@QuarkusTest
class PublishedLinksTest {

    @Inject
    DeviceDirectory directory;

    private static Link link(String href, Long ins) {
        Link l = new Link();
        l.href = href;
        l.rt = List.of("oic.r.switch.binary");
        l.interfaces = List.of("oic.if.a", "oic.if.baseline");
        l.ins = ins;
        return l;
    }

    private static long crc(String href) {
        CRC32 c = new CRC32();
        c.update(href.getBytes(StandardCharsets.UTF_8));
        return c.getValue();
    }

    /** href to ins of the device's live links, as read back from the store. */
    private Map<String, Long> stored(String di) {
        return directory.links(di).stream().collect(Collectors.toMap(l -> l.href, l -> l.ins));
    }

    private String signedUp(String owner) {
        String di = UUID.randomUUID().toString();
        directory.bind(di, owner, "bench");
        return di;
    }

    @Test
    void aNewHrefGetsTheCrcOfItsHrefAndADevicesOwnInstanceIsKept() {
        String owner = "owner-" + UUID.randomUUID();
        String di = signedUp(owner);
        List<Link> answer = directory.publish(di, owner, List.of(link("/light", null), link("/fan", 7L)), 0);
        assertEquals(Map.of("/light", crc("/light"), "/fan", 7L),
                answer.stream().collect(Collectors.toMap(l -> l.href, l -> l.ins)), "the answer");
        assertEquals(Map.of("/light", crc("/light"), "/fan", 7L), stored(di), "the store");
        assertTrue(answer.stream().allMatch(l -> di.equals(l.di)), "each answered link names its device");
    }

    @Test
    void publishingAgainKeepsTheNumbersAndAddsOnlyWhatIsNew() {
        String owner = "owner-" + UUID.randomUUID();
        String di = signedUp(owner);
        directory.publish(di, owner, List.of(link("/light", null), link("/fan", 7L)), 0);
        List<Link> answer = directory.publish(di, owner, List.of(link("/light", null), link("/heater", null)), 0);
        Map<String, Long> expected = Map.of("/light", crc("/light"), "/fan", 7L, "/heater", crc("/heater"));
        assertEquals(expected, answer.stream().collect(Collectors.toMap(l -> l.href, l -> l.ins)),
                "the answer holds every live link, the earlier ones too");
        assertEquals(expected, stored(di));
    }

    @Test
    void aRenumberedHrefLeavesItsOldNumberAndATakenNumberReplacesTheOtherHref() {
        String owner = "owner-" + UUID.randomUUID();
        String di = signedUp(owner);
        directory.publish(di, owner, List.of(link("/light", 1L), link("/fan", 2L)), 0);
        // /light moves to 3; /heater takes 2, which /fan held: /fan is gone.
        directory.publish(di, owner, List.of(link("/light", 3L), link("/heater", 2L)), 0);
        assertEquals(Map.of("/light", 3L, "/heater", 2L), stored(di));
    }

    @Test
    void aFreeNumberIsFoundWhenTheCrcIsTaken() {
        String owner = "owner-" + UUID.randomUUID();
        String di = signedUp(owner);
        directory.publish(di, owner, List.of(link("/other", crc("/light"))), 0);
        directory.publish(di, owner, List.of(link("/light", null)), 0);
        assertEquals(Map.of("/other", crc("/light"), "/light", crc("/light") + 1), stored(di));
    }

    @Test
    void expiredLinksAreNotAnsweredAndAnotherOwnersDeviceIsRefused() throws Exception {
        String owner = "owner-" + UUID.randomUUID();
        String di = signedUp(owner);
        directory.publish(di, owner, List.of(link("/soon", null)), 1);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!directory.links(di).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        List<Link> answer = directory.publish(di, owner, List.of(link("/kept", null)), 0);
        assertEquals(List.of("/kept"), answer.stream().map(l -> l.href).toList(), "the expired link is not answered");
        assertThrows(EventJournal.DeviceGone.class,
                () -> directory.publish(di, "someone-else", List.of(link("/x", null)), 0));
        assertEquals(Map.of("/kept", crc("/kept")), stored(di), "nothing stored for the other owner");
    }
}
