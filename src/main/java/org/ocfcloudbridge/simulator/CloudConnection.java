package org.ocfcloudbridge.simulator;

import io.netty.channel.Channel;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.TcpConfig;
import org.eclipse.californium.elements.exception.ConnectorException;
import org.ocfcloudbridge.ocf.OcfCodec;
import org.ocfcloudbridge.ocf.OcfFormat;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A device's connection to an OCF Cloud over CoAP over TCP or TLS (RFC 8323), with the same signalling handler the
 * gateway uses. It sends requests as the device; later it also serves the cloud's requests over the same connection.
 */
public final class CloudConnection implements AutoCloseable {

    private static final OcfCodec CODEC = OcfCodec.get();

    private final URI cloud;
    private final CoapEndpoint endpoint;
    private final CoapServer server;
    private final boolean ownServer;
    private final DeviceSideConnector connector;
    private static final int MAX_MESSAGE_SIZE = 16384;

    private CloudConnection(URI cloud, CoapEndpoint endpoint, CoapServer server, boolean ownServer, DeviceSideConnector connector) {
        this.cloud = cloud;
        this.endpoint = endpoint;
        this.server = server;
        this.ownServer = ownServer;
        this.connector = connector;
    }

    /**
     * @param cloud    {@code coap+tcp://host:port} or {@code coaps+tcp://host:port}
     * @param insecure accept any server certificate (a simulator talking to a cloud with a self-signed one)
     */
    public static CloudConnection open(URI cloud, boolean insecure) throws IOException {
        return open(cloud, insecure, List.of());
    }

    /** Opens the connection and serves {@code resources} to the cloud over it (the device side of Part 11 §17). */
    public static CloudConnection open(URI cloud, boolean insecure, List<Resource> resources) throws IOException {
        return open(cloud, ssl(insecure, null), resources);
    }

    /** As above with the device's own TLS context, e.g. one that presents its identity certificate. */
    public static CloudConnection open(URI cloud, SSLContext tls, List<Resource> resources) throws IOException {
        CoapServer server = new CoapServer(config());
        shareThreads(server);
        resources.forEach(server::add);
        return attach(cloud, tls, server, true);
    }

    /**
     * Connects a device whose resources live in {@code server} (which may also serve a local interface to
     * Mediators): the cloud connection becomes one more endpoint of that server.
     */
    public static CloudConnection attach(URI cloud, SSLContext tls, CoapServer server) throws IOException {
        return attach(cloud, tls, server, false);
    }

    static Configuration config() {
        CoapConfig.register();
        TcpConfig.register();
        Configuration cfg = Configuration.createStandardWithoutFile();
        cfg.set(TcpConfig.TCP_CONNECTION_IDLE_TIMEOUT, 3600, TimeUnit.SECONDS);
        cfg.set(TcpConfig.TCP_WORKER_THREADS, 1);
        return cfg;
    }

    private static CloudConnection attach(URI cloud, SSLContext tls, CoapServer server, boolean ownServer) throws IOException {
        boolean secure;
        if ("coaps+tcp".equals(cloud.getScheme())) {
            secure = true;
        } else if ("coap+tcp".equals(cloud.getScheme())) {
            secure = false;
        } else {
            throw new IllegalArgumentException("not a coap+tcp or coaps+tcp URI: " + cloud);
        }
        int port = cloud.getPort() > 0 ? cloud.getPort() : secure ? 5684 : 5683;
        DeviceSideConnector connector = new DeviceSideConnector(new InetSocketAddress(cloud.getHost(), port),
                secure ? tls : null, MAX_MESSAGE_SIZE);
        CoapEndpoint endpoint = new CoapEndpoint.Builder().setConnector(connector).setConfiguration(config())
                .setOptionRegistry(CoapGateway.OPTIONS).build();
        server.addEndpoint(endpoint);
        server.start();
        try {
            endpoint.start();
        } catch (IOException e) {
            endpoint.destroy();
            server.getEndpoints().remove(endpoint);
            if (ownServer) {
                server.destroy();
            }
            throw e;
        }
        return new CloudConnection(cloud, endpoint, server, ownServer, connector);
    }

    /**
     * Every simulated device's CoAP stack runs on the same few threads: a {@link CoapServer} otherwise starts its own
     * pools, which a process running thousands of devices cannot afford.
     */
    static void shareThreads(CoapServer server) {
        server.setExecutors(Threads.MAIN, Threads.SECONDARY, true);
    }

    private static final class Threads {
        static final ScheduledExecutorService MAIN = Executors.newScheduledThreadPool(
                Math.max(2, Runtime.getRuntime().availableProcessors()), daemon("simulator-coap"));
        static final ScheduledExecutorService SECONDARY = Executors.newScheduledThreadPool(1, daemon("simulator-timers"));

        private static ThreadFactory daemon(String name) {
            AtomicInteger n = new AtomicInteger();
            return r -> {
                Thread t = new Thread(r, name + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
        }
    }

    /** The raw connection, for pings and for tests that cut it. */
    public Channel channel() {
        return connector.channel();
    }

    public CoapResponse post(String pathAndQuery, Object body) throws IOException {
        Request r = Request.newPost();
        r.setPayload(CODEC.encode(body, OcfFormat.OCF_CBOR));
        r.getOptions().setContentFormat(Protocol.MediaTypes.OCF_CBOR_FORMAT);
        return send(r, pathAndQuery);
    }

    public CoapResponse postRaw(String pathAndQuery, byte[] payload, int contentFormat) throws IOException {
        Request r = Request.newPost();
        r.setPayload(payload);
        if (contentFormat >= 0) {
            r.getOptions().setContentFormat(contentFormat);
        }
        return send(r, pathAndQuery);
    }

    public CoapResponse get(String pathAndQuery) throws IOException {
        return send(Request.newGet(), pathAndQuery);
    }

    public CoapResponse delete(String pathAndQuery) throws IOException {
        return send(Request.newDelete(), pathAndQuery);
    }

    private CoapResponse send(Request r, String pathAndQuery) throws IOException {
        r.setURI(cloud.resolve(pathAndQuery));
        // As an OCF device does: it speaks OCF 1.0 content and accepts it.
        r.getOptions().addOption(CoapGateway.OCF_ACCEPT_CONTENT_FORMAT_VERSION.create(Protocol.CoapOptions.OCF_VERSION_1_0_0));
        CoapClient client = new CoapClient().setEndpoint(endpoint).setTimeout(10_000L);
        try {
            CoapResponse resp = client.advanced(r);
            if (resp == null) {
                throw new IOException("no answer to " + r.getCode() + " " + pathAndQuery);
            }
            return resp;
        } catch (ConnectorException e) {
            throw new IOException(e);
        } finally {
            client.shutdown();
        }
    }

    public static <T> T decode(CoapResponse r, Class<T> type) {
        return CODEC.decode(r.getPayload(), type, OcfFormat.OCF_CBOR);
    }

    @Override
    public void close() {
        if (ownServer) {
            server.destroy();
        } else {
            endpoint.destroy();
            server.getEndpoints().remove(endpoint);
        }
    }

    /** A client TLS context; {@code keyManagers} present the device's identity certificate (mutual TLS). */
    public static SSLContext ssl(boolean insecure, javax.net.ssl.KeyManager[] keyManagers) throws IOException {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            TrustManager[] trust = insecure ? new TrustManager[] {new X509TrustManager() {
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }} : null;
            ctx.init(keyManagers, trust, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }
}
