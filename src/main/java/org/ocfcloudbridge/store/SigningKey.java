package org.ocfcloudbridge.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/** A token signing key pair (base64 PKCS#8 / X.509). Retired keys stay published so issued tokens still verify. */
@Entity
@Table(name = "signing_key")
public class SigningKey extends PanacheEntityBase {

    @Id
    @Column(length = 64)
    public String kid;

    @Column(nullable = false, length = 16)
    public String algorithm;

    @Column(name = "private_key", nullable = false, length = 4096)
    public String privateKey;

    @Column(name = "public_key", nullable = false, length = 4096)
    public String publicKey;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "retired_at")
    public OffsetDateTime retiredAt;
}
