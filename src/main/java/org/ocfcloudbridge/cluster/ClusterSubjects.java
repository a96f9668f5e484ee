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

    private ClusterSubjects() {
    }
}
