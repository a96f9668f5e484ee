package org.ocfcloudbridge.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/** A value the daemon creates once and keeps: written on first start, read on every later one. */
@Entity
@Table(name = "bridge_setting")
public class BridgeSetting extends PanacheEntityBase {

    @Id
    @Column(length = 64)
    public String name;

    @Column(name = "setting_value", nullable = false, length = 4096)
    public String value;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;
}
