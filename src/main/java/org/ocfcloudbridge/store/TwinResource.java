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

/** The latest representation of a device resource the cloud observes (the device twin). */
@Entity
@Table(name = "device_resource")
public class TwinResource extends PanacheEntityBase {

    @Embeddable
    public static class Key implements Serializable {
        @Column(name = "device_id", length = 64)
        public String deviceId;

        @Column(length = 256)
        public String href;

        public Key() {
        }

        public Key(String deviceId, String href) {
            this.deviceId = deviceId;
            this.href = href;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(k.deviceId, deviceId) && Objects.equals(k.href, href);
        }

        @Override
        public int hashCode() {
            return Objects.hash(deviceId, href);
        }
    }

    @EmbeddedId
    public Key key;

    /** The body exactly as the device sent it. */
    @Column(nullable = false)
    public byte[] content;

    @Column(name = "content_format", nullable = false)
    public int contentFormat;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;
}
