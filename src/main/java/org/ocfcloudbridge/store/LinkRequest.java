package org.ocfcloudbridge.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/** A pending account link: the browser is at the Target Cloud's authorization page with this {@code state}. */
@Entity
@Table(name = "link_request")
public class LinkRequest extends PanacheEntityBase {

    @Id
    @Column(length = 64)
    public String state;

    @Column(name = "cloud_name", nullable = false, length = 64)
    public String cloudName;

    @Column(name = "vendor_user", nullable = false)
    public String vendorUser;

    @Column(name = "code_verifier", nullable = false, length = 128)
    public String codeVerifier;

    @Column(name = "return_to", length = 2048)
    public String returnTo;

    @Column(name = "expires_at", nullable = false)
    public OffsetDateTime expiresAt;

    /** SHA-256 (hex) of the nonce in the starting browser's cookie; the callback must come with it. */
    @Column(name = "browser_hash", length = 64)
    public String browserHash;

    @Column(name = "used_at")
    public OffsetDateTime usedAt;
}
