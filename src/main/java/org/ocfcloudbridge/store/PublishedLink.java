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

/** A link a device published to the resource directory, kept as the device sent it (JSON), keyed by its {@code ins}. */
@Entity
@Table(name = "device_link")
public class PublishedLink extends PanacheEntityBase {

    @Embeddable
    public static class Key implements Serializable {
        @Column(name = "device_id", length = 64)
        public String deviceId;

        public long ins;

        public Key() {
        }

        public Key(String deviceId, long ins) {
            this.deviceId = deviceId;
            this.ins = ins;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.ins == ins && Objects.equals(k.deviceId, deviceId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(deviceId, ins);
        }
    }

    @EmbeddedId
    public Key key;

    @Column(nullable = false, length = 256)
    public String href;

    /** The link as JSON, unknown keys included. */
    @Column(nullable = false, length = 16384)
    public String link;

    /** Null: no expiry (ttl 0). */
    @Column(name = "expires_at")
    public OffsetDateTime expiresAt;

    @Column(name = "published_at", nullable = false)
    public OffsetDateTime publishedAt;
}
