package org.ocfcloudbridge.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A subscription the Origin role holds at a Target Cloud for one linked account. {@code id} is ours and is part of
 * the {@code eventsUrl}; {@code targetId} is the Target's subscriptionId once it answered.
 */
@Entity
@Table(name = "origin_subscription")
public class OriginSubscription extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "target_id")
    public UUID targetId;

    @Column(name = "link_id", nullable = false)
    public UUID linkId;

    /** devices, device or resource. */
    @Column(nullable = false, length = 16)
    public String level;

    @Column(name = "device_id", length = 64)
    public String deviceId;

    @Column(length = 256)
    public String href;

    /** The signing secret, sealed. */
    @Column(nullable = false, length = 1024)
    public String secret;

    /** Highest sequence number processed; -1 before the first. */
    @Column(name = "last_seq", nullable = false)
    public long lastSeq;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    /** The eventsUrl the Target was given; null for a subscription made before it was kept (V16). */
    @Column(name = "events_url", length = 2048)
    public String eventsUrl;
}
