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

/**
 * A notification waiting to be delivered, written in the transaction of the change it reports. Everything that is
 * signed is stored, so a retry sends the same bytes with the same headers.
 */
@Entity
@Table(name = "notification_outbox")
public class OutboxEntry extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "subscription_id", nullable = false)
    public UUID subscriptionId;

    @Column(nullable = false)
    public long seq;

    @Column(name = "event_type", nullable = false, length = 64)
    public String eventType;

    /** Unix seconds when the event occurred. */
    @Column(name = "event_ts", nullable = false)
    public long eventTimestamp;

    /** {@code null}: no body and no Content-Type header (plgd's subscription_cancelled). */
    @Column(name = "content_type", length = 64)
    public String contentType;

    @Column(nullable = false)
    public byte[] body;

    @Column(nullable = false, length = 64)
    public String signature;

    @Column(nullable = false)
    public int attempts;

    @Column(name = "next_attempt_at", nullable = false)
    public OffsetDateTime nextAttemptAt;

    @Column(name = "last_error", length = 512)
    public String lastError;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    /** The subscription's receiver, carried from the journal to delivery in memory; not a column. */
    @jakarta.persistence.Transient
    public String eventsUrl;

    /** The subscription's correlation id, carried like {@link #eventsUrl}; not a column. */
    @jakarta.persistence.Transient
    public String correlationId;
}
