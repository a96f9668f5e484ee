package org.ocfcloudbridge.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A change the vendor cloud hears of (webhooks, the event stream); its id orders and resumes the stream. */
@Entity
@Table(name = "vendor_event")
public class VendorEvent extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "vendor_user", nullable = false)
    public String vendorUser;

    @Column(name = "link_id", nullable = false)
    public UUID linkId;

    @Column(name = "device_id", length = 64)
    public String deviceId;

    @Column(nullable = false, length = 64)
    public String type;

    /** JSON. */
    @Column(nullable = false, length = 1000000)
    public String payload;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;
}
