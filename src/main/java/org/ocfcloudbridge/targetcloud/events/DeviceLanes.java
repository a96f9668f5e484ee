package org.ocfcloudbridge.targetcloud.events;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.ops.StopOrder;

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
        try {
            lanes[lane].execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warnf("change of %s not recorded: %s", what, e.getMessage());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            // The lanes have drained (the daemon stops): a device online now is reported offline after the restart.
            LOG.debugf("stopping: change of %s left", what);
        }
    }

    /**
     * Lets queued changes finish (a sign-out or a connection closed by the stop still reaches the database), after the
     * gateway closed and before deliveries stop ({@link StopOrder}).
     */
    void stop(@Observes @Priority(StopOrder.LANES) ShutdownEvent event) {
        long end = System.nanoTime() + StopOrder.STEP.toNanos();
        for (ExecutorService lane : lanes) {
            lane.shutdown();
        }
        for (ExecutorService lane : lanes) {
            try {
                if (!lane.awaitTermination(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    LOG.infof("stopping: device changes still queued after %s are left (devices are offline after the restart)",
                            StopOrder.STEP);
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
