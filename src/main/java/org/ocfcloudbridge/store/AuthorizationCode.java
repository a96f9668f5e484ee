package org.ocfcloudbridge.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.UUID;

/** An authorization code, stored by its SHA-256; {@link #grantId} is set by its one accepted use. */
@Entity
@Table(name = "oauth_code")
public class AuthorizationCode extends PanacheEntityBase {

    @Id
    @Column(name = "code_hash", length = 64)
    public String codeHash;

    @Column(name = "client_id", nullable = false, length = 128)
    public String clientId;

    @Column(name = "user_id", nullable = false)
    public UUID userId;

    /** Null for device codes, which are exchanged by the cloud itself without a redirect. */
    @Column(name = "redirect_uri", length = 2048)
    public String redirectUri;

    @Column(nullable = false, length = 1024)
    public String scope;

    @Column(name = "code_challenge", length = 128)
    public String codeChallenge;

    @Column(name = "expires_at", nullable = false)
    public OffsetDateTime expiresAt;

    @Column(name = "used_at")
    public OffsetDateTime usedAt;

    @Column(name = "grant_id")
    public UUID grantId;
}
