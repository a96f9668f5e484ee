package org.ocfcloudbridge.cluster;

/**
 * The NATS subjects the instances of one cluster talk on. All start with {@link #PREFIX}, so that a NATS account shared
 * with other applications can grant the bridge exactly {@code ocf.bridge.>}.
 */
public final class ClusterSubjects {

    public static final String PREFIX = "ocf.bridge.";

    /** A link's cached session is stale (relinked, unlinked, its tokens refreshed or refused); body: the link's UUID. */
    public static final String LINK_SESSION = PREFIX + "cache.link-session";

    /** A linked cloud's definition changed; body: the cloud's name. Sessions of its links are dropped. */
    public static final String LINKED_CLOUD = PREFIX + "cache.linked-cloud";

    /** Token signing keys were added or retired; empty body. Every instance re-reads them. */
    public static final String SIGNING_KEYS = PREFIX + "cache.signing-keys";

    /** A grant of the embedded server was revoked; body: the grant's UUID. Its tokens stop at once everywhere. */
    public static final String GRANT_REVOKED = PREFIX + "cache.grant-revoked";

    /**
     * Prefix of a device's request subject: the instance holding the device's connection answers Cloud API requests
     * for it there (request-reply); the rest of the subject is the device id.
     */
    public static final String DEVICE_REQUEST = PREFIX + "device.";

    /** Vendor events were committed; body: their vendor users, one per line. Event streams of those users read. */
    public static final String VENDOR_EVENTS = PREFIX + "origin.vendor-events";

    /**
     * Notifications were committed for subscriptions another instance delivers; body: their UUIDs, 16 bytes each.
     * The holder reads them at once rather than at its next scan of the outbox.
     */
    public static final String NOTIFICATIONS_COMMITTED = PREFIX + "target.notifications-committed";

    private ClusterSubjects() {
    }
}
