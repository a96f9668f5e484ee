package org.ocfcloudbridge.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A vendor user's account at a Target Cloud, linked through the browser; its tokens are stored encrypted. Updates
 * write the columns they change only: the sync records its outcome with a statement of its own, and a token refresh
 * writing back the whole row it read earlier would put an older outcome back.
 */
@Entity
@org.hibernate.annotations.DynamicUpdate
@Table(name = "linked_account")
public class LinkedAccount extends PanacheEntityBase {

    /** LINKED works; REAUTHORIZE means the refresh token was refused and the user must link again. */
    public enum State { LINKED, REAUTHORIZE }

    @Id
    public UUID id;

    @Column(name = "vendor_user", nullable = false)
    public String vendorUser;

    @Column(name = "cloud_name", nullable = false, length = 64)
    public String cloudName;

    /** The user at the Target Cloud (the access token's {@code sub}), when it says. */
    @Column(name = "target_user")
    public String targetUser;

    @Column(name = "access_token", nullable = false, length = 8192)
    public String accessToken;

    @Column(name = "refresh_token", length = 8192)
    public String refreshToken;

    @Column(name = "token_expires_at")
    public OffsetDateTime tokenExpiresAt;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    public State state;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;

    /**
     * The instance that sends this link's webhook deliveries (NULL: none yet). Read here, written only by the claims
     * of {@code WebhookSender}: an entity update never writes it back.
     */
    @Column(name = "delivered_by", length = 36, insertable = false, updatable = false)
    public String deliveredBy;

    /** When a sync of the link last succeeded, at any instance; null before the first. */
    @Column(name = "last_sync_at")
    public OffsetDateTime lastSyncAt;

    /** When the latest sync failed, if the latest did (a success clears it), and why. */
    @Column(name = "sync_failed_at")
    public OffsetDateTime syncFailedAt;

    @Column(name = "sync_error", length = 200)
    public String syncError;
}
