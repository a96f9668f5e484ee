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

/** The latest representation of a linked device's resource (JSON), from content=all or a content change. */
@Entity
@Table(name = "origin_resource")
public class OriginResource extends PanacheEntityBase {

    @Embeddable
    public static class Key implements Serializable {
        @Column(name = "link_id")
        public UUID linkId;

        @Column(name = "device_id", length = 64)
        public String deviceId;

        @Column(length = 256)
        public String href;

        public Key() {
        }

        public Key(UUID linkId, String deviceId, String href) {
            this.linkId = linkId;
            this.deviceId = deviceId;
            this.href = href;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.linkId.equals(linkId) && k.deviceId.equals(deviceId) && k.href.equals(href);
        }

        @Override
        public int hashCode() {
            return Objects.hash(linkId, deviceId, href);
        }
    }

    @EmbeddedId
    public Key key;

    @Column(nullable = false, length = 1000000)
    public String content;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;
}
