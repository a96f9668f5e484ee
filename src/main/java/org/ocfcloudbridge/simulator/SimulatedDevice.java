package org.ocfcloudbridge.simulator;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.ocfcloudbridge.ocf.Link;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.ocf.RdPublish;
import org.ocfcloudbridge.ocf.SessionRequest;
import org.ocfcloudbridge.ocf.SignUpRequest;
import org.ocfcloudbridge.ocf.SignUpResponse;
import org.ocfcloudbridge.ocf.TokenRefreshRequest;
import org.ocfcloudbridge.ocf.TokenRefreshResponse;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A simulated OCF device: hosts {@code /oic/d}, a binary switch and a temperature, and goes through the Part 11
 * life cycle against a cloud: sign-up, sign-in, publish, token refresh, sign-out, deregistration.
 */
public final class SimulatedDevice implements AutoCloseable {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final String di;
    private final String name;
    private volatile URI cloud;
    private final boolean insecure;
    private final CoapServer server;
    private final CloudConfResource cloudConf;
    private volatile java.util.function.Consumer<CloudConfResource.Provisioning> onProvisioned = p -> { };
    private final DeviceResource device;
    private final DeviceResource switchResource;
    private final DeviceResource temperature;
    /** Resources beyond the switch and the temperature (a dimmer, a colour), published with them. */
    private final List<DeviceResource> extras = new java.util.concurrent.CopyOnWriteArrayList<>();
    private CloudConnection connection;
    private String uid;
    private String accessToken;
    private String refreshToken;
    private long expiresIn = -1;

    public SimulatedDevice(String di, String name, URI cloud, boolean insecure) {
        this.di = di;
        this.name = name;
        this.cloud = cloud;
        this.insecure = insecure;
        ObjectNode d = JSON.objectNode();
        d.putArray("rt").add(Protocol.ResourceTypes.DEVICE).add("oic.d.light");
        d.put("di", di);
        d.put("n", name);
        d.put("icv", "ocf.2.0.5");
        d.put("dmv", "ocf.res.1.3.0");
        device = new DeviceResource("/oic/d", d, List.of("oic.if.r", "oic.if.baseline"), List.of(), false);
        ObjectNode sw = JSON.objectNode();
        sw.putArray("rt").add("oic.r.switch.binary");
        sw.put("value", false);
        switchResource = new DeviceResource("/switch", sw, List.of("oic.if.a", "oic.if.baseline"), List.of("value"), true);
        ObjectNode t = JSON.objectNode();
        t.putArray("rt").add("oic.r.temperature");
        t.put("temperature", 20.0);
        t.put("units", "C");
        temperature = new DeviceResource("/temperature", t, List.of("oic.if.s", "oic.if.baseline"), List.of(), true);
        cloudConf = new CloudConfResource(p -> onProvisioned.accept(p));
        CoapResource oic = new CoapResource("oic");
        oic.add(device);
        server = new CoapServer(CloudConnection.config());
        CloudConnection.shareThreads(server);
        server.add(oic, switchResource, temperature, cloudConf);
    }

    /**
     * Serves this device's resources on a local CoAP-over-TCP port too, as a device does for Mediators on its network;
     * returns the port.
     */
    public int startLocal() throws IOException {
        org.eclipse.californium.elements.config.Configuration cfg = CloudConnection.config();
        org.eclipse.californium.elements.tcp.netty.TcpServerConnector local =
                new org.eclipse.californium.elements.tcp.netty.TcpServerConnector(new java.net.InetSocketAddress("127.0.0.1", 0), cfg) {
                    @Override
                    protected void onNewChannelCreated(io.netty.channel.Channel ch) {
                        super.onNewChannelCreated(ch);
                        ch.pipeline().addLast(new org.ocfcloudbridge.targetcloud.coap.Signalling(16384));
                    }
                };
        org.eclipse.californium.core.network.CoapEndpoint ep = new org.eclipse.californium.core.network.CoapEndpoint.Builder()
                .setConnector(local).setConfiguration(cfg).setOptionRegistry(org.ocfcloudbridge.targetcloud.coap.CoapGateway.OPTIONS).build();
        server.addEndpoint(ep);
        server.start();
        ep.start();
        return ep.getAddress().getPort();
    }

    public CloudConfResource cloudConf() {
        return cloudConf;
    }

    /** Called when a Mediator provisions (or deprovisions) the device through its coapcloudconf resource. */
    public void onProvisioned(java.util.function.Consumer<CloudConfResource.Provisioning> listener) {
        this.onProvisioned = listener;
    }

    /** The cloud to connect to from now on (a Mediator's {@code cis}). */
    public void cloud(URI cloud) {
        this.cloud = cloud;
    }

    public String di() {
        return di;
    }

    public String uid() {
        return uid;
    }

    public String accessToken() {
        return accessToken;
    }

    public DeviceResource switchResource() {
        return switchResource;
    }

    public DeviceResource temperature() {
        return temperature;
    }

    /** Hosts one more resource at a top-level href (before {@link #publish}, which then publishes it too). */
    public SimulatedDevice with(DeviceResource extra) {
        extras.add(extra);
        server.add(extra);
        return this;
    }

    /** A resource added with {@link #with}, by href. */
    public DeviceResource resource(String href) {
        return extras.stream().filter(r -> r.href().equals(href)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no resource " + href));
    }

    /** Opens (or reopens) the connection to the cloud, serving this device's resources over it. */
    public void connect() throws IOException {
        close();
        if (cloud == null) {
            throw new IOException("not provisioned: no cloud to connect to");
        }
        connection = CloudConnection.attach(cloud, CloudConnection.ssl(insecure, null), server);
    }

    public CloudConnection connection() {
        return connection;
    }

    public void signUp(String code, String authProvider) throws IOException {
        SignUpRequest r = new SignUpRequest();
        r.di = di;
        r.accesstoken = code;
        r.authprovider = authProvider;
        r.devicetype = "device";
        SignUpResponse a = CloudConnection.decode(expect(connection.post(Protocol.CoapPaths.ACCOUNT, r), ResponseCode.CHANGED,
                "sign-up"), SignUpResponse.class);
        uid = a.uid;
        accessToken = a.accesstoken;
        refreshToken = a.refreshtoken;
        expiresIn = a.expiresin == null ? -1 : a.expiresin;
    }

    public void signIn() throws IOException {
        SessionRequest s = new SessionRequest();
        s.uid = uid;
        s.di = di;
        s.accesstoken = accessToken;
        s.login = true;
        expect(connection.post(Protocol.CoapPaths.SESSION, s), ResponseCode.CHANGED, "sign-in");
    }

    public void signOut() throws IOException {
        SessionRequest s = new SessionRequest();
        s.uid = uid;
        s.di = di;
        s.accesstoken = accessToken;
        s.login = false;
        expect(connection.post(Protocol.CoapPaths.SESSION, s), ResponseCode.CHANGED, "sign-out");
    }

    public List<Link> publish(long ttl) throws IOException {
        RdPublish p = new RdPublish();
        p.di = di;
        p.n = name;
        p.ttl = ttl;
        p.links = new ArrayList<>(List.of(device.link(), switchResource.link(), temperature.link()));
        extras.forEach(r -> p.links.add(r.link()));
        return CloudConnection.decode(expect(connection.post(Protocol.CoapPaths.RESOURCE_DIRECTORY + "?rt=" + Protocol.ResourceTypes.RD_PUBLISH, p),
                ResponseCode.CHANGED, "publish"), RdPublish.class).links;
    }

    public void refresh() throws IOException {
        TokenRefreshRequest r = new TokenRefreshRequest();
        r.uid = uid;
        r.di = di;
        r.refreshtoken = refreshToken;
        r.granttype = "refresh_token";
        TokenRefreshResponse t = CloudConnection.decode(expect(connection.post(Protocol.CoapPaths.TOKEN_REFRESH, r),
                ResponseCode.CHANGED, "token refresh"), TokenRefreshResponse.class);
        accessToken = t.accesstoken;
        refreshToken = t.refreshtoken;
        expiresIn = t.expiresin == null ? -1 : t.expiresin;
    }

    public void deregister() throws IOException {
        expect(connection.delete(Protocol.CoapPaths.ACCOUNT + "?di=" + di + "&uid=" + uid), ResponseCode.DELETED, "deregistration");
    }

    /** A sensor reading changes; observers (the cloud's twin) are notified. */
    public void setTemperature(double celsius) {
        temperature.update(Map.of("temperature", JSON.numberNode(celsius)));
    }

    private static CoapResponse expect(CoapResponse r, ResponseCode code, String what) throws IOException {
        if (r.getCode() != code) {
            throw new CloudRefusal(what, r.getCode(), r.getResponseText());
        }
        return r;
    }

    /** Seconds the current access token is valid for, as the cloud said (-1: no expiry). */
    public long expiresIn() {
        return expiresIn;
    }

    /** Closes the cloud connection (the local interface, if any, stays). */
    @Override
    public void close() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    /** Closes everything, the local interface included. */
    public void shutdown() {
        close();
        server.destroy();
    }
}
