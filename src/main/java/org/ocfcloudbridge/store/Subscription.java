package org.ocfcloudbridge.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** A Cloud API subscription (Part 10 §5.2) of one user, at one of the three levels. */
@Entity
@Table(name = "subscription")
public class Subscription extends PanacheEntityBase {

    public enum Level { DEVICES, DEVICE, RESOURCE }

    /** ACTIVE receives events; CANCELLING only waits for its queued notifications and the final subscription_cancelled. */
    public enum State { ACTIVE, CANCELLING }

    @Id
    public UUID id;

    @Column(name = "owner_id", nullable = false)
    public String ownerId;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    public Level level;

    @Column(name = "device_id", length = 64)
    public String deviceId;

    /** Device-local href of the resource (resource level). */
    @Column(length = 256)
    public String href;

    @Column(name = "events_url", nullable = false, length = 2048)
    public String eventsUrl;

    /** Comma-separated event types. */
    @Column(name = "event_types", nullable = false, length = 512)
    public String eventTypes;

    @Column(name = "signing_secret", nullable = false, length = 1100)
    public String signingSecret;

    /** Media type of notification bodies, from the subscriber's Accept. */
    @Column(name = "content_type", nullable = false, length = 64)
    public String contentType;

    /** plgd-compatible bodies: bare arrays instead of {"content":[…]}, and no body for subscription_cancelled. */
    @Column(name = "bare_arrays", nullable = false)
    public boolean bareArrays;

    @Column(name = "correlation_id", length = 256)
    public String correlationId;

    @Column(name = "next_seq", nullable = false)
    public long nextSeq;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    public State state;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    /**
     * The instance that delivers this subscription's notifications (NULL: none yet). Read here, written only by the
     * claims of {@code NotificationDelivery}: an entity update never writes it back.
     */
    @Column(name = "delivered_by", length = 36, insertable = false, updatable = false)
    public String deliveredBy;

    public List<String> eventTypeList() {
        return Arrays.asList(eventTypes.split(","));
    }

    public boolean wants(String eventType) {
        return state == State.ACTIVE && eventTypeList().contains(eventType);
    }
}
