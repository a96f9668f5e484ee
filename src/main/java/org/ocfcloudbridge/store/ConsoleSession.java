package org.ocfcloudbridge.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A signed-in user of the web page: found by the SHA-256 of the id in the browser's cookie. */
@Entity
@Table(name = "console_session")
public class ConsoleSession extends PanacheEntityBase {

    @Id
    @Column(name = "id_hash", length = 64)
    public String idHash;

    @Column(name = "vendor_user", nullable = false)
    public String vendorUser;

    /** The embedded provider's grant behind the sign-in: revoked at sign-out, and a revoked one ends the session. */
    @Column(name = "grant_id", nullable = false)
    public UUID grantId;

    @Column(name = "expires_at", nullable = false)
    public OffsetDateTime expiresAt;
}
