package org.ocfcloudbridge.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A notification the receiver never took within the retry age: kept for operators, never retried. */
@Entity
@Table(name = "notification_dead_letter")
public class DeadLetter extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "subscription_id", nullable = false)
    public UUID subscriptionId;

    @Column(name = "owner_id", nullable = false)
    public String ownerId;

    @Column(name = "events_url", nullable = false, length = 2048)
    public String eventsUrl;

    @Column(nullable = false)
    public long seq;

    @Column(name = "event_type", nullable = false, length = 64)
    public String eventType;

    @Column(name = "event_ts", nullable = false)
    public long eventTimestamp;

    @Column(name = "content_type", length = 64)
    public String contentType;

    @Column(nullable = false)
    public byte[] body;

    @Column(nullable = false)
    public int attempts;

    @Column(name = "last_error", length = 512)
    public String lastError;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "died_at", nullable = false)
    public OffsetDateTime diedAt;
}
