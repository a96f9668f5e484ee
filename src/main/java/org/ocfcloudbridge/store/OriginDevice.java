package org.ocfcloudbridge.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.OffsetDateTime;
import java.util.Objects;
import java.util.UUID;

/**
 * A device of a linked account as the Origin role knows it: its properties, status and links (JSON as the API gave them).
 * Updates write only the columns that changed: the inbox changes the status and the links under different locks, and
 * the sync writes what it read; none may put back another's column from the copy it read.
 */
@Entity
@Table(name = "origin_device")
@org.hibernate.annotations.DynamicUpdate
public class OriginDevice extends PanacheEntityBase {

    @Embeddable
    public static class Key implements Serializable {
        @Column(name = "link_id")
        public UUID linkId;

        @Column(name = "device_id", length = 64)
        public String deviceId;

        public Key() {
        }

        public Key(UUID linkId, String deviceId) {
            this.linkId = linkId;
            this.deviceId = deviceId;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.linkId.equals(linkId) && k.deviceId.equals(deviceId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(linkId, deviceId);
        }
    }

    @EmbeddedId
    public Key key;

    @Column(nullable = false, length = 16)
    public String status;

    @Column(nullable = false, length = 65536)
    public String device;

    @Column(nullable = false, length = 1000000)
    public String links;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;
}
