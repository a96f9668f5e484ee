package org.ocfcloudbridge.target.events;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Ordered lanes for a device's changes that arrive on network threads (online, offline, new content): all changes of one
 * device run one after the other on the same lane, off the CoAP threads, so their notifications keep the order in which
 * the changes happened.
 */
@ApplicationScoped
public class DeviceLanes {

    private static final Logger LOG = Logger.getLogger(DeviceLanes.class);

    private final ExecutorService[] lanes;

    public DeviceLanes() {
        lanes = new ExecutorService[Math.max(4, Runtime.getRuntime().availableProcessors() * 2)];
        for (int i = 0; i < lanes.length; i++) {
            String name = "device-lane-" + i;
            lanes[i] = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
        }
    }

    /**
     * Fires a device's internal event so that its observers see each device's events in the order they were fired:
     * notified on the device's lane, one after the other (plain {@code fireAsync} may deliver two events of one device
     * on two threads, out of order).
     */
    public void fire(jakarta.enterprise.event.Event<DeviceEvent> events, DeviceEvent e) {
        try {
            events.fireAsync(e, jakarta.enterprise.event.NotificationOptions.ofExecutor(lanes[laneOf(e.deviceId())]));
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // Shutting down: nobody is left to tell.
        }
    }

    public int count() {
        return lanes.length;
    }

    public int laneOf(String deviceId) {
        return Math.floorMod(deviceId.hashCode(), lanes.length);
    }

    public void run(String deviceId, Runnable task) {
        runOn(laneOf(deviceId), deviceId, task);
    }

    /** Runs {@code task} on lane {@code lane}; {@code what} names it in a failure's log line. */
    public void runOn(int lane, String what, Runnable task) {
        lanes[lane].execute(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warnf("change of %s not recorded: %s", what, e.getMessage());
            }
        });
    }

    /** Lets queued changes finish (a sign-out during shutdown still reaches the database). */
    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        for (ExecutorService lane : lanes) {
            lane.shutdown();
        }
        for (ExecutorService lane : lanes) {
            lane.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
