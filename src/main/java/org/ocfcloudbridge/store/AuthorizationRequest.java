package org.ocfcloudbridge.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A validated authorize request waiting for the user's login and consent. Kept in the database so that any instance
 * can finish it; {@link #browserHash} binds the consent to the browser that logged in.
 */
@Entity
@Table(name = "oauth_authz_request")
public class AuthorizationRequest extends PanacheEntityBase {

    @Id
    @Column(length = 64)
    public String id;

    @Column(name = "client_id", nullable = false, length = 128)
    public String clientId;

    @Column(name = "redirect_uri", nullable = false, length = 2048)
    public String redirectUri;

    @Column(nullable = false, length = 1024)
    public String scope;

    @Column(length = 1024)
    public String state;

    @Column(name = "code_challenge", length = 128)
    public String codeChallenge;

    @Column(name = "browser_hash", length = 64)
    public String browserHash;

    @Column(name = "user_id")
    public UUID userId;

    @Column(name = "expires_at", nullable = false)
    public OffsetDateTime expiresAt;
}
