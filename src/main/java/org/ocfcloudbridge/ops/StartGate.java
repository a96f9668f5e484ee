package org.ocfcloudbridge.ops;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Opens when every start-up step has run. Background threads started during the start (notification deliveries,
 * webhooks) wait here before their first database work: when a later step fails (the CoAP port is taken), the daemon
 * closes the database under them, and a transaction they had open then logs warnings and errors around the one line
 * that says why the start failed.
 */
@ApplicationScoped
public class StartGate {

    private final CountDownLatch open = new CountDownLatch(1);

    /** After every other start-up observer (the demo's, at 200, is the last of ours). */
    void started(@Observes @Priority(10_000) StartupEvent event) {
        open.countDown();
    }

    /**
     * Waits until the start has finished; returns false if {@code running} turns false first (the daemon stops, or
     * never finished starting).
     */
    public boolean awaitStarted(BooleanSupplier running) {
        try {
            while (running.getAsBoolean()) {
                if (open.await(100, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }
}
