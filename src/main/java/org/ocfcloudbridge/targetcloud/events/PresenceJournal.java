package org.ocfcloudbridge.targetcloud.events;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.LockModeType;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.ocf.Protocol.EventTypes;
import org.ocfcloudbridge.store.DeviceRecord;

import java.util.List;

/**
 * Devices going online and offline, recorded in order per device with their notifications. The stored flag lets a
 * restarted daemon tell subscribers that every device it lost with the restart is offline.
 */
@ApplicationScoped
public class PresenceJournal {

    private static final Logger LOG = Logger.getLogger(PresenceJournal.class);

    private final DeviceLanes lanes;
    private final EventJournal journal;

    public PresenceJournal(DeviceLanes lanes, EventJournal journal) {
        this.lanes = lanes;
        this.journal = journal;
    }

    /** Before the gateway opens (priority 100): nothing is online after a start. */
    void start(@Observes @Priority(60) StartupEvent event) {
        int n = QuarkusTransaction.requiringNew().call(() -> {
            List<DeviceRecord> lost = DeviceRecord.<DeviceRecord>find("online = true order by id")
                    .withLock(LockModeType.PESSIMISTIC_WRITE).list();
            for (DeviceRecord d : lost) {
                d.online = false;
                journal.device(d.ownerId, EventTypes.DEVICES_OFFLINE, d.id);
            }
            return lost.size();
        });
        if (n > 0) {
            LOG.infof("%d devices were online when the daemon stopped: now offline until they sign in again", n);
        }
    }

    public void changed(String deviceId, boolean online) {
        lanes.run(deviceId, () -> QuarkusTransaction.requiringNew().run(() -> {
            DeviceRecord d = DeviceRecord.findById(deviceId, LockModeType.PESSIMISTIC_WRITE);
            if (d == null || d.online == online) {
                LOG.debugf("device %s %s: %s", deviceId, online ? "online" : "offline", d == null ? "not registered" : "already so");
                return;
            }
            LOG.debugf("device %s %s", deviceId, online ? "online" : "offline");
            d.online = online;
            journal.device(d.ownerId, online ? EventTypes.DEVICES_ONLINE : EventTypes.DEVICES_OFFLINE, deviceId);
        }));
    }
}
