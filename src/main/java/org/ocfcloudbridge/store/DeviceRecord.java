package org.ocfcloudbridge.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/** A device signed up at this Target Cloud, bound to its owner (the OCF {@code uid}). */
@Entity
@Table(name = "device")
public class DeviceRecord extends PanacheEntityBase {

    @Id
    @Column(length = 64)
    public String id;

    @Column(name = "owner_id", nullable = false)
    public String ownerId;

    /** The identity provider that vouched for the owner at sign-up. */
    @Column(nullable = false, length = 64)
    public String provider;

    @Column(length = 256)
    public String name;

    @Column(name = "signed_up_at", nullable = false)
    public OffsetDateTime signedUpAt;

    @Column(name = "last_seen_at")
    public OffsetDateTime lastSeenAt;

    /**
     * Whether the device was last known online. The truth is the live session; this copy lets a restarted daemon tell
     * subscribers that the devices it lost are offline.
     */
    @Column(nullable = false)
    public boolean online;

    /**
     * The instance ({@code bridge_instance.id}) holding the device's connection while it is online here; null when no
     * instance holds it. When that instance is gone, a survivor marks the device offline.
     */
    @Column(name = "held_by", length = 36)
    public String heldBy;
}
