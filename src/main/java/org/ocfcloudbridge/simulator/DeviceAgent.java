package org.ocfcloudbridge.simulator;

import io.netty.channel.Channel;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.ocfcloudbridge.targetcloud.coap.Signalling;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link SimulatedDevice} the way iotivity-lite runs a device: sign up once, then sign in, publish, ping every
 * interval (no Pong within 4 s: reconnect), refresh the token before it expires, and after a lost connection
 * reconnect with growing, jittered delays and sign in again (not up).
 */
public final class DeviceAgent {

    public enum State { STARTING, ONLINE, RECONNECTING, FAILED, STOPPED }

    private static final long PONG_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(4);
    private static final long[] BACKOFF_SECONDS = {1, 2, 4, 8, 16, 32, 60};

    private final SimulatedDevice device;
    private final ScheduledExecutorService scheduler;
    private final long pingSeconds;
    private volatile State state = State.STARTING;
    private volatile String lastError;
    private volatile int reconnects;
    private int attempt;
    private ScheduledFuture<?> pinger;
    private ScheduledFuture<?> refresher;

    public DeviceAgent(SimulatedDevice device, ScheduledExecutorService scheduler, long pingSeconds) {
        this(device, scheduler, pingSeconds, List.of());
    }

    /**
     * An agent that, when it cannot reach its cloud to reconnect, moves on to the next of {@code clouds} (the
     * instances of one clustered cloud, as a device behind a load balancer would be sent to a live one).
     */
    public DeviceAgent(SimulatedDevice device, ScheduledExecutorService scheduler, long pingSeconds, List<URI> clouds) {
        this.device = device;
        this.scheduler = scheduler;
        this.pingSeconds = pingSeconds;
        this.clouds = List.copyOf(clouds);
    }

    private final List<URI> clouds;
    private int cloudIndex;

    /** The next cloud of the list, after one that did not answer. */
    private void nextCloud() {
        if (clouds.size() > 1) {
            cloudIndex = (cloudIndex + 1) % clouds.size();
            device.cloud(clouds.get(cloudIndex));
        }
    }

    public State state() {
        return state;
    }

    public String lastError() {
        return lastError;
    }

    public int reconnects() {
        return reconnects;
    }

    public SimulatedDevice device() {
        return device;
    }

    /**
     * Waits for a Mediator: serves the device's resources on a local port and registers with whatever cloud the
     * Mediator writes into {@code /CoapCloudConfResURI}, moving {@code cps}/{@code clec} as iotivity-lite does.
     * Returns the local port.
     */
    public int startUnprovisioned() throws IOException {
        device.onProvisioned(p -> scheduler.execute(() -> provisioned(p)));
        return device.startLocal();
    }

    private synchronized void provisioned(CloudConfResource.Provisioning p) {
        CloudConfResource conf = device.cloudConf();
        cancelTimers();
        if (p.cis().isEmpty()) {
            if (state == State.ONLINE) {
                try {
                    device.deregister();
                } catch (IOException | RuntimeException e) {
                    lastError = "deregistration: " + e.getMessage();
                }
            }
            state = State.STOPPED;
            device.close();
            conf.state(CloudConfResource.UNINITIALIZED, CloudConfResource.NO_ERROR);
            return;
        }
        conf.state(CloudConfResource.REGISTERING, CloudConfResource.NO_ERROR);
        device.cloud(URI.create(p.cis()));
        try {
            device.connect();
        } catch (IOException | RuntimeException e) {
            fail(e);
            conf.state(CloudConfResource.FAILED, CloudConfResource.CONNECT_FAILED);
            return;
        }
        try {
            device.signUp(p.at(), p.apn().isEmpty() ? null : p.apn());
        } catch (IOException | RuntimeException e) {
            fail(e);
            conf.state(CloudConfResource.FAILED, e instanceof CloudRefusal ? CloudConfResource.ERROR_RESPONSE
                    : CloudConfResource.CONNECT_FAILED);
            return;
        }
        conf.state(CloudConfResource.REGISTERED, CloudConfResource.NO_ERROR);
        try {
            online();
        } catch (CloudRefusal e) {
            fail(e);
            conf.state(CloudConfResource.FAILED, e.code == ResponseCode.UNAUTHORIZED ? CloudConfResource.UNAUTHORIZED
                    : CloudConfResource.ERROR_RESPONSE);
        } catch (IOException | RuntimeException e) {
            fail(e);
            conf.state(CloudConfResource.FAILED, CloudConfResource.CONNECT_FAILED);
        }
    }

    /** Signs the device up with {@code code}, then keeps it online. */
    public void start(String code, String authProvider) {
        scheduler.execute(() -> {
            try {
                device.connect();
                device.signUp(code, authProvider);
                online();
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        });
    }

    private synchronized void online() throws IOException {
        device.signIn();
        device.publish(0);
        state = State.ONLINE;
        attempt = 0;
        Channel ch = device.connection().channel();
        if (ch != null) {
            // Not on the netty thread: lost() takes the agent lock, and closing a connection waits for that thread.
            ch.closeFuture().addListener(f -> {
                try {
                    scheduler.execute(() -> lost("connection closed"));
                } catch (java.util.concurrent.RejectedExecutionException stopped) {
                    // The agent stopped (the daemon's stop closes the connection too): nothing to reconnect. A check of
                    // isShutdown() first left a window, and a SIGTERM of `bin/bridge --demo` logged Netty's warning
                    // with this stack trace.
                }
            });
        }
        pinger = scheduler.scheduleWithFixedDelay(this::ping, pingSeconds, pingSeconds, TimeUnit.SECONDS);
        scheduleRefresh();
    }

    private void ping() {
        Channel ch = device.connection() == null ? null : device.connection().channel();
        if (ch == null || !ch.isActive()) {
            lost("no connection");
            return;
        }
        long sent = System.nanoTime();
        Signalling.ping(ch);
        scheduler.schedule(() -> {
            Long pong = ch.attr(Signalling.LAST_PONG).get();
            if (pong == null || pong < sent) {
                ch.close();
            }
        }, PONG_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
    }

    /** iotivity-lite's rule: lifetime > 1 h → 10 min early; > 240 s → 2 min; > 20 s → 10 s. */
    private void scheduleRefresh() {
        long life = device.expiresIn();
        if (life <= 0) {
            return;
        }
        long early = life > 3600 ? 600 : life > 240 ? 120 : life > 20 ? 10 : 0;
        refresher = scheduler.schedule(() -> {
            try {
                device.refresh();
                scheduleRefresh();
            } catch (IOException | RuntimeException e) {
                device.cloudConf().state(CloudConfResource.FAILED, CloudConfResource.REFRESH_FAILED);
                lost("refresh failed: " + e.getMessage());
            }
        }, Math.max(1, life - early), TimeUnit.SECONDS);
    }

    private synchronized void lost(String why) {
        if (state != State.ONLINE) {
            return;
        }
        state = State.RECONNECTING;
        lastError = why;
        cancelTimers();
        reconnect();
    }

    private void reconnect() {
        long base = BACKOFF_SECONDS[Math.min(attempt, BACKOFF_SECONDS.length - 1)];
        attempt++;
        long delayMillis = base * 500 + ThreadLocalRandom.current().nextLong(base * 500 + 1);
        scheduler.schedule(() -> {
            if (state == State.STOPPED) {
                return;
            }
            try {
                reconnects++;
                device.connect();
                try {
                    online();
                } catch (CloudRefusal e) {
                    if (e.code != ResponseCode.UNAUTHORIZED) {
                        throw e;
                    }
                    device.refresh();
                    online();
                }
            } catch (CloudRefusal e) {
                fail(e);
            } catch (IOException | RuntimeException e) {
                lastError = e.getMessage();
                nextCloud();
                reconnect();
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    /** The agent could not even start, e.g. no device code could be had for it. */
    public void failed(Exception e) {
        fail(e);
    }

    private void fail(Exception e) {
        state = State.FAILED;
        lastError = e.getMessage();
        cancelTimers();
    }

    private void cancelTimers() {
        if (pinger != null) {
            pinger.cancel(false);
        }
        if (refresher != null) {
            refresher.cancel(false);
        }
    }

    public void stop() {
        state = State.STOPPED;
        cancelTimers();
        device.shutdown();
    }
}
