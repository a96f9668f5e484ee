package org.ocfcloudbridge.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A chain of tokens born from one code or one client-credentials request; revoking it ends every token in it. */
@Entity
@Table(name = "oauth_grant")
public class OAuthGrant extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "client_id", nullable = false, length = 128)
    public String clientId;

    @Column(name = "user_id")
    public UUID userId;

    @Column(name = "device_id", length = 64)
    public String deviceId;

    @Column(nullable = false, length = 1024)
    public String scope;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "revoked_at")
    public OffsetDateTime revokedAt;
}
