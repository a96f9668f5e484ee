package org.ocfcloudbridge.target.coap;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.ObservesAsync;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.ocf.Link;
import org.ocfcloudbridge.store.TwinResource;
import org.ocfcloudbridge.target.DeviceDirectory;
import org.ocfcloudbridge.target.events.DeviceEvent;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The device twin: while a device is online, every observable resource it published is observed, and the latest
 * representation is kept in the database (and announced as content changed).
 */
@ApplicationScoped
public class DeviceTwin {

    private static final Logger LOG = Logger.getLogger(DeviceTwin.class);

    /** One map per device: href -> observation. */
    private final Map<String, Map<String, DeviceConnections.Observation>> observing = new ConcurrentHashMap<>();
    private final DeviceConnections connections;
    private final DeviceDirectory directory;
    private final DeviceSessions sessions;
    private final ManagedExecutor executor;
    private final Event<DeviceEvent> events;

    public DeviceTwin(DeviceConnections connections, DeviceDirectory directory, DeviceSessions sessions, ManagedExecutor executor,
                      Event<DeviceEvent> events) {
        this.connections = connections;
        this.directory = directory;
        this.sessions = sessions;
        this.executor = executor;
        this.events = events;
    }

    void on(@ObservesAsync DeviceEvent e) {
        switch (e.type()) {
            case ONLINE, PUBLISHED -> {
                if (sessions.isOnline(e.deviceId())) {
                    observeAll(e.deviceId(), e.ownerId());
                }
            }
            case OFFLINE, UNREGISTERED -> stop(e.deviceId());
            case UNPUBLISHED -> e.hrefs().forEach(h -> {
                Map<String, DeviceConnections.Observation> m = observing.get(e.deviceId());
                DeviceConnections.Observation o = m == null ? null : m.remove(h);
                if (o != null) {
                    o.cancel();
                }
            });
            default -> {
            }
        }
    }

    private void observeAll(String deviceId, String ownerId) {
        Map<String, DeviceConnections.Observation> mine = observing.computeIfAbsent(deviceId, k -> new ConcurrentHashMap<>());
        for (Link l : directory.links(deviceId)) {
            if (l.p != null && l.p.observable() && !mine.containsKey(l.href)) {
                mine.put(l.href, connections.observe(deviceId, l.href, r -> notified(deviceId, ownerId, l.href, r)));
            }
        }
    }

    private void notified(String deviceId, String ownerId, String href, DeviceConnections.DeviceResponse r) {
        if (r.outcome() != DeviceConnections.Outcome.ANSWERED) {
            Map<String, DeviceConnections.Observation> m = observing.get(deviceId);
            if (m != null) {
                m.remove(href);
            }
            return;
        }
        if (r.code() != ResponseCode.CONTENT || r.payload() == null) {
            LOG.debugf("device %s answered %s to observing %s", deviceId, r.code(), href);
            return;
        }
        // Off Californium's threads: a database write must not stall every device.
        executor.execute(() -> {
            try {
                QuarkusTransaction.requiringNew().run(() -> {
                    TwinResource t = TwinResource.findById(new TwinResource.Key(deviceId, href));
                    if (t == null) {
                        t = new TwinResource();
                        t.key = new TwinResource.Key(deviceId, href);
                    }
                    t.content = r.payload();
                    t.contentFormat = r.contentFormat();
                    t.updatedAt = OffsetDateTime.now(ZoneOffset.UTC);
                    t.persist();
                });
                events.fireAsync(new DeviceEvent(DeviceEvent.Type.CONTENT_CHANGED, deviceId, ownerId, List.of(href)));
            } catch (RuntimeException e) {
                // The device may have deregistered meanwhile (its rows are gone): nothing to keep.
                LOG.debugf("twin of %s %s not stored: %s", deviceId, href, e.getMessage());
            }
        });
    }

    private void stop(String deviceId) {
        Map<String, DeviceConnections.Observation> m = observing.remove(deviceId);
        if (m != null) {
            m.values().forEach(DeviceConnections.Observation::cancel);
        }
    }

    /** The latest representation the twin holds. */
    public Optional<TwinResource> latest(String deviceId, String href) {
        return QuarkusTransaction.requiringNew().call(() -> TwinResource.<TwinResource>findByIdOptional(new TwinResource.Key(deviceId, href)));
    }
}
