package org.ocfcloudbridge.targetcloud.coap;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.Token;
import org.eclipse.californium.core.observe.NotificationListener;
import org.eclipse.californium.core.network.Endpoint;
import org.eclipse.californium.elements.TlsEndpointContext;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.ocf.Protocol;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Requests from the cloud to a device over the device's own connection (Part 11 §17): GET, POST and OBSERVE of its
 * resources. Each ends in a typed outcome: the device's answer, {@code OFFLINE} (no signed-in connection, or it
 * closed under the request) or {@code TIMEOUT}. Nothing here blocks a thread while the device thinks.
 */
@ApplicationScoped
public class DeviceConnections {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(DeviceConnections.class);

    public enum Outcome { ANSWERED, OFFLINE, TIMEOUT }

    /** The device's answer (code, content format, body) or why there is none. */
    public record DeviceResponse(Outcome outcome, ResponseCode code, int contentFormat, byte[] payload) {
        static final DeviceResponse OFFLINE = new DeviceResponse(Outcome.OFFLINE, null, -1, null);
        static final DeviceResponse TIMEOUT = new DeviceResponse(Outcome.TIMEOUT, null, -1, null);

        static DeviceResponse of(Response r) {
            return new DeviceResponse(Outcome.ANSWERED, r.getCode(), r.getOptions().getContentFormat(), r.getPayload());
        }
    }

    /** A running observation; {@link #cancel()} ends it. */
    public interface Observation {
        void cancel();
    }

    private final DeviceSessions sessions;
    private final CoapGateway gateway;
    private final BridgeConfig config;
    private final Map<String, Set<Request>> pending = new ConcurrentHashMap<>();

    /** Observations by token: Californium hands notifications after the first to the endpoint's listeners. */
    private final Map<Token, Consumer<Response>> observations = new ConcurrentHashMap<>();

    private final DeviceRouting routing;

    public DeviceConnections(DeviceSessions sessions, CoapGateway gateway, BridgeConfig config, DeviceRouting routing) {
        this.sessions = sessions;
        this.gateway = gateway;
        this.config = config;
        this.routing = routing;
        sessions.onClosed(this::connectionClosed);
        NotificationListener listener = (request, response) -> {
            Consumer<Response> handler = observations.get(request.getToken());
            if (handler != null) {
                handler.accept(response);
            }
        };
        for (boolean secure : new boolean[] {false, true}) {
            Endpoint e = gateway.endpointFor(secure);
            if (e != null) {
                e.addNotificationListener(listener);
            }
        }
    }

    /** GET over the device's connection: this instance's, or in a cluster the one of the instance that holds it. */
    public CompletionStage<DeviceResponse> get(String deviceId, String href) {
        if (routed(deviceId)) {
            return routing.send(deviceId, false, href, null, -1);
        }
        return send(deviceId, Request.newGet(), href, null, -1);
    }

    /** POST over the device's connection, wherever it is (see {@link #get}). */
    public CompletionStage<DeviceResponse> post(String deviceId, String href, byte[] payload, int contentFormat) {
        if (routed(deviceId)) {
            return routing.send(deviceId, true, href, payload, contentFormat);
        }
        return send(deviceId, Request.newPost(), href, payload, contentFormat);
    }

    /** GET or POST over the device's connection on this instance only: what a routed request from another asks. */
    public CompletionStage<DeviceResponse> sendHere(String deviceId, boolean post, String href, byte[] payload, int contentFormat) {
        return post ? send(deviceId, Request.newPost(), href, payload, contentFormat) : send(deviceId, Request.newGet(), href, null, -1);
    }

    /** Not signed in here, and other instances may hold it. Observations stay local: the twin observes where it is. */
    private boolean routed(String deviceId) {
        return routing.enabled() && sessions.byDevice(deviceId).isEmpty();
    }

    /**
     * Observes a resource: {@code onNotification} gets the first answer (the current state) and every change; it gets
     * {@code OFFLINE} once when the connection goes.
     */
    /** RFC 7641 §3.4: whether notification {@code number} is newer than {@code seen}, received {@code sinceNanos} later. */
    static boolean fresher(long seen, long number, long sinceNanos) {
        long window = 1L << 23;
        return (seen < number && number - seen < window) || (seen > number && seen - number > window)
                || sinceNanos > java.util.concurrent.TimeUnit.SECONDS.toNanos(128);
    }

    public Observation observe(String deviceId, String href, Consumer<DeviceResponse> onNotification) {
        Request r = Request.newGet();
        r.setObserve();
        CompletableFuture<DeviceResponse> ignored = new CompletableFuture<>();
        // The first answer comes to the request's observer, later ones to the endpoint listener; never twice.
        Set<Response> delivered = java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>());
        // A connection's notifications come here one at a time in the order they arrived (ConnectionOrderedExecutor).
        // One older than the newest seen so far (RFC 7641 §3.4) is still dropped, as the twin keeps the last it is
        // given: over TCP that takes a device that numbers its notifications out of order.
        long[] newest = {-1, 0};
        Consumer<Response> deliver = response -> {
            synchronized (delivered) {
                if (!delivered.add(response)) {
                    return;
                }
                Integer number = response.getOptions().getObserve();
                long now = System.nanoTime();
                // The same number again is passed on: some stacks (Californium among them) stamp every notification
                // built after a change with that change's number, so it carries that change or a later state.
                if (number != null && newest[0] >= 0 && number != newest[0] && !fresher(newest[0], number, now - newest[1])) {
                    LOG.debugf("device %s %s: notification %d older than %d, dropped", deviceId, href, number, newest[0]);
                    return;
                }
                if (number != null) {
                    newest[0] = number;
                    newest[1] = now;
                }
                onNotification.accept(DeviceResponse.of(response));
            }
        };
        Request sent = prepare(deviceId, r, href, null, -1, new MessageObserverAdapter() {
            @Override
            public void onResponse(Response response) {
                if (response.getToken() != null) {
                    observations.putIfAbsent(response.getToken(), deliver);
                }
                deliver.accept(response);
            }

            @Override
            public void onCancel() {
                onNotification.accept(DeviceResponse.OFFLINE);
            }

            @Override
            protected void failed() {
                onNotification.accept(DeviceResponse.OFFLINE);
            }
        }, ignored);
        if (sent == null) {
            onNotification.accept(DeviceResponse.OFFLINE);
            return () -> { };
        }
        if (sent.getToken() != null) {
            observations.put(sent.getToken(), deliver);
        }
        return () -> {
            forget(sent);
            if (sent.getToken() != null) {
                observations.remove(sent.getToken());
            }
            sent.cancel();
        };
    }

    private CompletionStage<DeviceResponse> send(String deviceId, Request r, String href, byte[] payload, int contentFormat) {
        CompletableFuture<DeviceResponse> result = new CompletableFuture<>();
        Request sent = prepare(deviceId, r, href, payload, contentFormat, new MessageObserverAdapter() {
            @Override
            public void onResponse(Response response) {
                result.complete(DeviceResponse.of(response));
            }

            @Override
            public void onTimeout() {
                result.complete(DeviceResponse.TIMEOUT);
            }

            @Override
            public void onCancel() {
                result.complete(DeviceResponse.OFFLINE);
            }

            @Override
            protected void failed() {
                result.complete(DeviceResponse.OFFLINE);
            }
        }, result);
        if (sent == null) {
            return CompletableFuture.completedFuture(DeviceResponse.OFFLINE);
        }
        long timeout = config.coap().requestTimeout().toMillis();
        return result.completeOnTimeout(DeviceResponse.TIMEOUT, timeout, TimeUnit.MILLISECONDS)
                .whenComplete((v, e) -> {
                    forget(sent);
                    if (v != null && v.outcome() == Outcome.TIMEOUT) {
                        sent.cancel();
                    }
                });
    }

    private Request prepare(String deviceId, Request r, String href, byte[] payload, int contentFormat,
                            MessageObserverAdapter observer, CompletableFuture<DeviceResponse> result) {
        DeviceSessions.Session s = sessions.byDevice(deviceId).orElse(null);
        if (s == null) {
            return null;
        }
        Endpoint endpoint = gateway.endpointFor(s.context() instanceof TlsEndpointContext);
        r.setDestinationContext(s.context());
        r.getOptions().setUriPath(href.startsWith("/") ? href.substring(1) : href);
        r.getOptions().setAccept(Protocol.MediaTypes.OCF_CBOR_FORMAT);
        r.getOptions().addOption(CoapGateway.OCF_ACCEPT_CONTENT_FORMAT_VERSION.create(Protocol.CoapOptions.OCF_VERSION_1_0_0));
        if (payload != null) {
            r.setPayload(payload);
            r.getOptions().setContentFormat(contentFormat);
            if (contentFormat == Protocol.MediaTypes.OCF_CBOR_FORMAT) {
                r.getOptions().addOption(CoapGateway.OCF_CONTENT_FORMAT_VERSION.create(Protocol.CoapOptions.OCF_VERSION_1_0_0));
            }
        }
        r.addMessageObserver(observer);
        pending.computeIfAbsent(s.connectionId(), k -> ConcurrentHashMap.newKeySet()).add(r);
        r.setUserContext(Map.of("connection", s.connectionId()));
        endpoint.sendRequest(r);
        return r;
    }

    private void forget(Request r) {
        Object connection = r.getUserContext() == null ? null : r.getUserContext().get("connection");
        if (connection != null) {
            Set<Request> set = pending.get(connection.toString());
            if (set != null) {
                set.remove(r);
            }
        }
    }

    /** Californium says nothing when a connection closes under a request: end those requests here, at once. */
    private void connectionClosed(String connectionId) {
        Set<Request> set = pending.remove(connectionId);
        if (set != null) {
            set.forEach(r -> {
                if (r.getToken() != null) {
                    observations.remove(r.getToken());
                }
                r.cancel();
            });
        }
    }
}
