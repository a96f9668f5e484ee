package org.ocfcloudbridge.targetcloud.events;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.LockModeType;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.cluster.Instances;
import org.ocfcloudbridge.ocf.Protocol.EventTypes;
import org.ocfcloudbridge.store.DeviceRecord;
import org.ocfcloudbridge.store.HotStatements;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;

/**
 * Devices going online and offline, recorded in order per device with their notifications. The stored flag lets a
 * restarted daemon tell subscribers that every device it lost with the restart is offline.
 *
 * <p>Several instances (issue 14): a device's row names the instance holding its connection ({@code held_by}). An
 * instance that starts marks offline only the devices no live instance holds; the devices of an instance that died are
 * marked offline by the survivor that takes it over ({@link Instances#onInstanceGone}). Either way with the same
 * {@code devices_offline} notifications as a closed connection, which the Origin side turns into {@code device.offline}.
 */
@ApplicationScoped
public class PresenceJournal {

    private static final Logger LOG = Logger.getLogger(PresenceJournal.class);

    /** Devices marked offline per transaction when an instance is gone or at a start in cluster mode. */
    static final int BATCH = 500;

    private final DeviceLanes lanes;
    private final EventJournal journal;
    private final Instances instances;

    public PresenceJournal(DeviceLanes lanes, EventJournal journal, Instances instances) {
        this.lanes = lanes;
        this.journal = journal;
        this.instances = instances;
    }

    /** Before the gateway opens (priority 100): nothing is online after a start that no live instance holds. */
    void start(@Observes @Priority(60) StartupEvent event) {
        instances.onInstanceGone(this::instanceGone);
        int n;
        if (instances.clustered()) {
            n = offlineUnheld();
        } else {
            // Alone on the database: whatever was online was this daemon's before the stop.
            n = QuarkusTransaction.requiringNew().call(() -> {
                List<DeviceRecord> lost = DeviceRecord.<DeviceRecord>find("online = true order by id")
                        .withLock(LockModeType.PESSIMISTIC_WRITE).list();
                for (DeviceRecord d : lost) {
                    d.online = false;
                    d.heldBy = null;
                    journal.device(d.ownerId, EventTypes.DEVICES_OFFLINE, d.id);
                }
                return lost.size();
            });
        }
        if (n > 0) {
            LOG.infof("%d devices were online with no live instance holding them: now offline until they sign in again", n);
        }
    }

    /**
     * Marks offline the online devices that no live instance holds: held by nobody, by an instance whose lease ran out,
     * or by one whose row is gone. Devices of live instances stay as they are. Returns how many went offline.
     */
    public int offlineUnheld() {
        int total = 0;
        while (true) {
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            // Who is alive is read in the same statement: an instance that registered after this one's start counts.
            int[] n = QuarkusTransaction.requiringNew().call(() -> offline(DeviceRecord.getEntityManager().createNativeQuery(
                            "SELECT id, held_by FROM device WHERE online = TRUE AND (held_by IS NULL OR held_by NOT IN"
                                    + " (SELECT id FROM bridge_instance WHERE lease_until > ?1)) ORDER BY id")
                    .setParameter(1, now).setMaxResults(BATCH).getResultList()));
            total += n[1];
            if (n[0] < BATCH || n[1] == 0) {
                return total;
            }
        }
    }

    /**
     * Marks offline, {@value #BATCH} per transaction, the devices {@code instanceId} holds: it is gone (a survivor took
     * it over) or it is this instance stopping. Returns how many went offline.
     */
    public int instanceGone(String instanceId) {
        int total = 0;
        while (true) {
            int[] n = QuarkusTransaction.requiringNew().call(() -> offline(DeviceRecord.getEntityManager().createNativeQuery(
                            "SELECT id, held_by FROM device WHERE held_by = ?1 ORDER BY id")
                    .setParameter(1, instanceId).setMaxResults(BATCH).getResultList()));
            total += n[1];
            if (n[0] < BATCH) {
                if (total > 0) {
                    LOG.infof("%d devices of instance %s marked offline", total, instanceId);
                }
                return total;
            }
        }
    }

    /**
     * Within the caller's transaction: each device of {@code rows} ({id, held_by} as read) goes offline and is held by
     * nobody, unless it changed since the read (it signed in at an instance meanwhile). Returns {rows, offline}.
     */
    private int[] offline(List<?> rows) {
        int done = 0;
        for (Object row : rows) {
            Object[] r = (Object[]) row;
            DeviceRecord d = DeviceRecord.findById((String) r[0], LockModeType.PESSIMISTIC_WRITE);
            if (d == null || !Objects.equals(d.heldBy, r[1])) {
                continue;
            }
            d.heldBy = null;
            if (d.online) {
                d.online = false;
                journal.device(d.ownerId, EventTypes.DEVICES_OFFLINE, d.id);
                done++;
            }
        }
        return new int[] {rows.size(), done};
    }

    /**
     * A device still signed in here after this instance's lease had run out: a survivor may have marked it offline, so
     * it is held here and online again, unless it signed in at another instance meanwhile (that sign-in is the newer).
     */
    public void stillHere(String deviceId) {
        lanes.run(deviceId, () -> QuarkusTransaction.requiringNew().run(() -> {
            DeviceRecord d = DeviceRecord.findById(deviceId, LockModeType.PESSIMISTIC_WRITE);
            if (d == null || (d.heldBy != null && !d.heldBy.equals(instances.id()))) {
                return;
            }
            d.heldBy = instances.id();
            if (!d.online) {
                LOG.debugf("device %s online again: this instance re-registered", deviceId);
                d.online = true;
                journal.device(d.ownerId, EventTypes.DEVICES_ONLINE, deviceId);
            }
        }));
    }

    public void changed(String deviceId, boolean online) {
        // Plain JDBC, statements kept prepared: Hibernate's locking find and dirty check were 8% of a sign-up storm's
        // CPU (bench/devices.sh, 2026-12-06), where every device comes online once.
        lanes.run(deviceId, () -> QuarkusTransaction.requiringNew().run(() -> {
            Presence d = HotStatements.inTransaction(
                    "select owner_id, online, held_by from device where id = ? for update", ps -> {
                        ps.setString(1, deviceId);
                        try (java.sql.ResultSet rs = ps.executeQuery()) {
                            return rs.next() ? new Presence(rs.getString(1), rs.getBoolean(2), rs.getString(3)) : null;
                        }
                    });
            if (d == null) {
                LOG.debugf("device %s %s: not registered", deviceId, online ? "online" : "offline");
                return;
            }
            String me = instances.id();
            String heldBy;
            if (online) {
                heldBy = me;
            } else if (d.heldBy() != null && !d.heldBy().equals(me)) {
                // It signed in at another instance before this one saw its old connection close: it is online there.
                LOG.debugf("device %s offline here: held by instance %s now", deviceId, d.heldBy());
                return;
            } else {
                heldBy = null;
            }
            if (d.online() == online && java.util.Objects.equals(heldBy, d.heldBy())) {
                LOG.debugf("device %s %s: already so", deviceId, online ? "online" : "offline");
                return;
            }
            HotStatements.inTransaction("update device set online = ?, held_by = ? where id = ?", ps -> {
                ps.setBoolean(1, online);
                ps.setString(2, heldBy);
                ps.setString(3, deviceId);
                return ps.executeUpdate();
            });
            if (d.online() == online) {
                LOG.debugf("device %s %s: already so", deviceId, online ? "online" : "offline");
                return;
            }
            LOG.debugf("device %s %s", deviceId, online ? "online" : "offline");
            journal.device(d.ownerId(), online ? EventTypes.DEVICES_ONLINE : EventTypes.DEVICES_OFFLINE, deviceId);
        }));
    }

    /** What presence reads of a device row. */
    private record Presence(String ownerId, boolean online, String heldBy) {
    }
}
