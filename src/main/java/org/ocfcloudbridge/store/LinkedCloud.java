package org.ocfcloudbridge.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/** A Target Cloud the Origin role links accounts at: its Cloud API and its OAuth2 endpoints. */
@Entity
@Table(name = "linked_cloud")
public class LinkedCloud extends PanacheEntityBase {

    @Id
    @Column(length = 64)
    public String name;

    @Column(name = "api_url", nullable = false, length = 2048)
    public String apiUrl;

    @Column(name = "authorization_endpoint", nullable = false, length = 2048)
    public String authorizationEndpoint;

    @Column(name = "token_endpoint", nullable = false, length = 2048)
    public String tokenEndpoint;

    @Column(name = "client_id", nullable = false, length = 256)
    public String clientId;

    /** Encrypted with the token key; {@code null} for a public client. */
    @Column(name = "client_secret", length = 1024)
    public String clientSecret;

    /** Space-separated. */
    @Column(nullable = false, length = 512)
    public String scopes;

    /** PEM certificates to trust for this cloud's HTTPS, besides the system ones. */
    @Column(name = "trusted_ca", length = 16384)
    public String trustedCa;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;
}
