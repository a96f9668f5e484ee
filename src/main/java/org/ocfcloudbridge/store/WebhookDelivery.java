package org.ocfcloudbridge.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/** One vendor event still to be POSTed to one configured webhook; {@code deadAt} set once given up on. */
@Entity
@Table(name = "webhook_delivery")
public class WebhookDelivery extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, length = 64)
    public String webhook;

    @Column(name = "event_id", nullable = false)
    public long eventId;

    @Column(nullable = false)
    public int attempts;

    @Column(name = "next_attempt_at", nullable = false)
    public OffsetDateTime nextAttemptAt;

    @Column(name = "last_error", length = 512)
    public String lastError;

    @Column(name = "dead_at")
    public OffsetDateTime deadAt;

    /** When an operator last sent it again after it died; its retry deadline counts from then. */
    @Column(name = "revived_at")
    public OffsetDateTime revivedAt;
}
