package org.ocfcloudbridge.ops;

import java.time.Duration;

/**
 * The order of a clean stop (SIGTERM, Ctrl-C), as priorities of {@code ShutdownEvent} observers: lower runs first.
 * Nothing that can still write to the database may be cut off while it writes, and the database closes only after all
 * of them (the datasource is closed with the CDI container, after every observer; H2 does not close itself at JVM
 * exit, see {@code EmbeddedDatabaseUrl}). Threads that use the database are never interrupted: an interrupt inside
 * H2's file I/O closes the database under everybody.
 * <ol>
 *   <li>{@link #DEMO}: the demo's own devices disconnect like any device.</li>
 *   <li>{@link #GATEWAY}: the CoAP gateway stops accepting and closes every device connection; each device's offline
 *       change is handed to its lane (presence recorded, subscribers told after the restart at the latest).</li>
 *   <li>{@link #LANES}: the device lanes finish the changes queued on them.</li>
 *   <li>{@link #DELIVERIES}: notification and webhook deliveries finish the POST in flight, record its outcome, and
 *       delete the delivered rows (else they would be sent again after the restart), and give back their claims
 *       so that another instance takes that work over at once; other background work ends.</li>
 *   <li>{@link #INSTANCE}: the instance gives up its lease (its row in {@code bridge_instance}).</li>
 *   <li>{@link #CLUSTER}: the NATS connection of cluster mode flushes what it was given and closes.</li>
 * </ol>
 * Each step waits at most {@link #STEP}, so a stop takes seconds even with a receiver that does not answer; whatever
 * was cut short is still in the database and is sent after the restart (at least once).
 */
public final class StopOrder {

    public static final int DEMO = 5;
    public static final int GATEWAY = 10;
    public static final int LANES = 20;
    public static final int DELIVERIES = 30;
    public static final int BACKGROUND = 40;
    public static final int INSTANCE = 50;
    /** The cluster's bus closes last: every step before may still tell the other instances something. */
    public static final int CLUSTER = 60;

    /** The longest one step of the stop waits for work in progress. */
    public static final Duration STEP = Duration.ofSeconds(5);

    private StopOrder() {
    }

    /** Shuts an executor down and waits for its running tasks, without interrupting them; whether they all ended. */
    public static boolean drain(java.util.concurrent.ExecutorService executor, Duration atMost) {
        executor.shutdown();
        try {
            return executor.awaitTermination(atMost.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
