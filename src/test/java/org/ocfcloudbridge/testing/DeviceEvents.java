package org.ocfcloudbridge.testing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import org.ocfcloudbridge.targetcloud.events.DeviceEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records the gateway's device events, for tests. */
@ApplicationScoped
public class DeviceEvents {

    private final List<DeviceEvent> seen = new CopyOnWriteArrayList<>();

    void on(@ObservesAsync DeviceEvent e) {
        seen.add(e);
    }

    public List<DeviceEvent.Type> typesFor(String deviceId) {
        return seen.stream().filter(e -> e.deviceId().equals(deviceId)).map(DeviceEvent::type).toList();
    }

    /** Waits until the device's events end with {@code type}. */
    public void await(String deviceId, DeviceEvent.Type type) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Instant.now().isBefore(deadline)) {
            List<DeviceEvent.Type> types = typesFor(deviceId);
            if (!types.isEmpty() && types.get(types.size() - 1) == type) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no " + type + " for " + deviceId + "; saw " + typesFor(deviceId));
    }
}
