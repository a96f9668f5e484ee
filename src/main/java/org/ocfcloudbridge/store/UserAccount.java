package org.ocfcloudbridge.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

/** A user of the embedded authorization server; {@link #id} is the OCF user id ({@code uid}). */
@Entity
@Table(name = "idp_user")
public class UserAccount extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(nullable = false, length = 128, unique = true)
    public String username;

    @Column(name = "password_hash", nullable = false)
    public String passwordHash;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    public static Optional<UserAccount> byUsername(String username) {
        return find("username", username).firstResultOptional();
    }
}
