package org.ocfcloudbridge.targetcloud.coap;

import io.netty.channel.Channel;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import org.eclipse.californium.elements.EndpointContext;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.cluster.Instances;
import org.ocfcloudbridge.targetcloud.events.DeviceLanes;
import org.ocfcloudbridge.targetcloud.events.PresenceJournal;
import org.ocfcloudbridge.targetcloud.events.DeviceEvent;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is on which connection. A connection becomes a device's session when the device signs in (Part 11 §13); the
 * device is online exactly while that connection is open and signed in. Nothing here survives a restart: every device
 * is offline until it signs in again.
 */
@ApplicationScoped
public class DeviceSessions {

    private static final Logger LOG = Logger.getLogger(DeviceSessions.class);

    /** A signed-in connection. {@code context} addresses requests from the cloud to the device over it. */
    public record Session(String connectionId, String deviceId, String ownerId, EndpointContext context, Instant signedInAt,
                          Instant tokenExpiresAt) {
    }

    private final Map<String, Channel> connections = new ConcurrentHashMap<>();
    private final Map<String, Session> byConnection = new ConcurrentHashMap<>();
    private final Map<String, Session> byDevice = new ConcurrentHashMap<>();
    private final Event<DeviceEvent> events;
    private final PresenceJournal presence;
    private final DeviceLanes lanes;
    private final List<Consumer<String>> closeListeners = new CopyOnWriteArrayList<>();
    private final List<BiConsumer<String, Boolean>> presenceListeners = new CopyOnWriteArrayList<>();

    private final Instances instances;

    public DeviceSessions(Event<DeviceEvent> events, PresenceJournal presence, DeviceLanes lanes, Instances instances) {
        this.lanes = lanes;
        this.events = events;
        this.presence = presence;
        this.instances = instances;
    }

    @jakarta.annotation.PostConstruct
    void followLease() {
        // After this instance's lease ran out a survivor may have marked its devices offline: those still signed in
        // here are online, and held here, again.
        instances.onReregistered(() -> byDevice.keySet().forEach(presence::stillHere));
    }

    void opened(Channel channel) {
        connections.put(channel.id().asShortText(), channel);
    }

    /** Called with the connection id whenever a connection closes. */
    public void onClosed(Consumer<String> listener) {
        closeListeners.add(listener);
    }

    void closed(Channel channel) {
        String id = channel.id().asShortText();
        Session s;
        // With signIn, under the channel's monitor: a sign-in either binds before this and is undone here, or sees the
        // connection gone and binds nothing.
        synchronized (channel) {
            connections.remove(id);
            s = byConnection.remove(id);
        }
        for (Consumer<String> l : closeListeners) {
            l.accept(id);
        }
        if (s != null && byDevice.remove(s.deviceId(), s)) {
            LOG.debugf("device %s offline: connection closed", s.deviceId());
            offline(s.deviceId(), s.ownerId());
        }
    }

    /**
     * Called with the device id and {@code true} when a device's session starts here, {@code false} when it ends; on
     * the thread that changed it, so a listener must not block.
     */
    public void onPresence(BiConsumer<String, Boolean> listener) {
        presenceListeners.add(listener);
    }

    private void online(String deviceId, String ownerId) {
        presenceListeners.forEach(l -> l.accept(deviceId, true));
        presence.changed(deviceId, true);
        lanes.fire(events, DeviceEvent.of(DeviceEvent.Type.ONLINE, deviceId, ownerId));
    }

    private void offline(String deviceId, String ownerId) {
        presenceListeners.forEach(l -> l.accept(deviceId, false));
        presence.changed(deviceId, false);
        lanes.fire(events, DeviceEvent.of(DeviceEvent.Type.OFFLINE, deviceId, ownerId));
    }

    public int openConnections() {
        return connections.size();
    }

    public int onlineDevices() {
        return byDevice.size();
    }

    /**
     * Binds the connection to the device; a previous connection of the same device is closed (it reconnected). False,
     * and nothing bound, when the connection has closed meanwhile: a sign-in waits its turn for a worker (in a storm, for
     * seconds), and one bound after its connection's close would leave the device online, observed over a dead
     * connection, until it came back.
     */
    public boolean signIn(String connectionId, String deviceId, String ownerId, EndpointContext context, Instant tokenExpiresAt) {
        Channel channel = connections.get(connectionId);
        if (channel == null) {
            return false;
        }
        Session s = new Session(connectionId, deviceId, ownerId, context, Instant.now(), tokenExpiresAt);
        Session previousOnConnection;
        Session previous;
        synchronized (channel) {
            if (!connections.containsKey(connectionId)) {
                return false;
            }
            previousOnConnection = byConnection.put(connectionId, s);
            previous = byDevice.put(deviceId, s);
            if (previous == null) {
                // Inside: a close that comes next reports offline after this (both only queue their work).
                online(deviceId, ownerId);
            }
        }
        if (previousOnConnection != null && !previousOnConnection.deviceId().equals(deviceId)
                && byDevice.remove(previousOnConnection.deviceId(), previousOnConnection)) {
            // The connection now speaks for another device: the one it spoke for is no longer online.
            offline(previousOnConnection.deviceId(), previousOnConnection.ownerId());
        }
        if (previous != null && !previous.connectionId().equals(connectionId)) {
            byConnection.remove(previous.connectionId(), previous);
            Channel old = connections.get(previous.connectionId());
            if (old != null) {
                old.close();
            }
        }
        return true;
    }

    /** Sign-out ({@code login:false}) or deregistration: the connection stays open but is no longer the device's. */
    public void signOut(String connectionId) {
        Session s = byConnection.remove(connectionId);
        if (s != null && byDevice.remove(s.deviceId(), s)) {
            offline(s.deviceId(), s.ownerId());
        }
    }

    /** Ends a device's session wherever it is (deregistration from elsewhere). */
    public void drop(String deviceId) {
        Session s = byDevice.get(deviceId);
        if (s != null) {
            signOut(s.connectionId());
        }
    }

    /** Closes the device's connection (the device is expected to reconnect and sign in again). */
    public boolean disconnect(String deviceId) {
        Session s = byDevice.get(deviceId);
        Channel ch = s == null ? null : connections.get(s.connectionId());
        if (ch == null) {
            return false;
        }
        ch.close();
        return true;
    }

    public Optional<Session> byConnection(String connectionId) {
        return Optional.ofNullable(byConnection.get(connectionId));
    }

    public Optional<Session> byDevice(String deviceId) {
        return Optional.ofNullable(byDevice.get(deviceId));
    }

    public boolean isOnline(String deviceId) {
        return byDevice.containsKey(deviceId);
    }
}
