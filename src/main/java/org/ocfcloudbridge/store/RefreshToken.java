package org.ocfcloudbridge.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A refresh token by its SHA-256. It is used once: a second use means it leaked, and ends its grant. */
@Entity
@Table(name = "oauth_refresh_token")
public class RefreshToken extends PanacheEntityBase {

    @Id
    @Column(name = "token_hash", length = 64)
    public String tokenHash;

    @Column(name = "grant_id", nullable = false)
    public UUID grantId;

    @Column(name = "expires_at", nullable = false)
    public OffsetDateTime expiresAt;

    @Column(name = "used_at")
    public OffsetDateTime usedAt;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;
}
