package org.ocfcloudbridge.target.coap;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.ObservesAsync;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.ocf.Link;
import org.ocfcloudbridge.store.DeviceRecord;
import org.ocfcloudbridge.store.TwinResource;
import org.ocfcloudbridge.target.DeviceDirectory;
import org.ocfcloudbridge.target.events.DeviceEvent;
import org.ocfcloudbridge.target.events.DeviceLanes;
import org.ocfcloudbridge.target.events.EventJournal;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    private final Event<DeviceEvent> events;

    private final Map<String, Set<String>> fetched = new ConcurrentHashMap<>();
    private final DeviceLanes lanes;
    private final EventJournal journal;

    public DeviceTwin(DeviceConnections connections, DeviceDirectory directory, DeviceSessions sessions,
                      Event<DeviceEvent> events, DeviceLanes lanes, EventJournal journal) {
        this.lanes = lanes;
        this.journal = journal;
        this.connections = connections;
        this.directory = directory;
        this.sessions = sessions;
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
            if (l.p != null && l.p.observable()) {
                if (!mine.containsKey(l.href)) {
                    mine.put(l.href, connections.observe(deviceId, l.href, r -> notified(deviceId, ownerId, l.href, r)));
                }
            } else if (!fetched.computeIfAbsent(deviceId, k -> ConcurrentHashMap.newKeySet()).contains(l.href)) {
                // Not observable (e.g. /oic/d): read once per session, so the API can show it too.
                fetched.get(deviceId).add(l.href);
                connections.get(deviceId, l.href).thenAccept(r -> notified(deviceId, ownerId, l.href, r));
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
        store(deviceId, ownerId, href, r.payload(), r.contentFormat());
    }

    /**
     * Keeps a representation the device sent and, when it differs from the one held, reports the change. Off
     * Californium's threads (a database write must not stall every device) and in order per device.
     */
    public void store(String deviceId, String ownerId, String href, byte[] payload, int contentFormat) {
        lanes.run(deviceId, () -> {
            try {
                boolean changed = QuarkusTransaction.requiringNew().call(() -> {
                    if (DeviceRecord.findById(deviceId) == null) {
                        return false;
                    }
                    TwinResource t = TwinResource.findById(new TwinResource.Key(deviceId, href));
                    if (t != null && Arrays.equals(t.content, payload)) {
                        return false;
                    }
                    if (t == null) {
                        t = new TwinResource();
                        t.key = new TwinResource.Key(deviceId, href);
                    }
                    t.content = payload;
                    t.contentFormat = contentFormat;
                    t.updatedAt = OffsetDateTime.now(ZoneOffset.UTC);
                    t.persist();
                    journal.content(deviceId, href, payload);
                    return true;
                });
                if (changed) {
                    events.fireAsync(new DeviceEvent(DeviceEvent.Type.CONTENT_CHANGED, deviceId, ownerId, List.of(href)));
                }
            } catch (RuntimeException e) {
                // The device may have deregistered meanwhile (its rows are gone): nothing to keep.
                LOG.debugf("twin of %s %s not stored: %s", deviceId, href, e.getMessage());
            }
        });
    }

    private void stop(String deviceId) {
        fetched.remove(deviceId);
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
