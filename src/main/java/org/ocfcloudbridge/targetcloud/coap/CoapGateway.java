package org.ocfcloudbridge.targetcloud.coap;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.option.IntegerOptionDefinition;
import org.eclipse.californium.core.coap.option.MapBasedOptionRegistry;
import org.eclipse.californium.core.coap.option.OptionRegistry;
import org.eclipse.californium.core.coap.option.StandardOptionRegistry;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.Endpoint;
import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.TcpConfig;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.config.BridgeConfigException;
import org.ocfcloudbridge.identity.DeviceAuthorization;
import org.ocfcloudbridge.identity.TokenVerifier;
import org.ocfcloudbridge.ocf.Protocol;
import org.ocfcloudbridge.ops.DatabaseOutage;
import org.ocfcloudbridge.ops.StopOrder;
import org.ocfcloudbridge.targetcloud.CloudIdentity;
import org.ocfcloudbridge.targetcloud.DeviceDirectory;

import javax.net.ssl.SSLContext;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The Target Cloud's device gateway (Part 11): Californium CoAP over TCP and over TLS (RFC 8323) with our signalling,
 * and the account, session, token refresh, resource directory and discovery resources.
 */
@ApplicationScoped
public class CoapGateway {

    public static final IntegerOptionDefinition OCF_ACCEPT_CONTENT_FORMAT_VERSION =
            new IntegerOptionDefinition(Protocol.CoapOptions.OCF_ACCEPT_CONTENT_FORMAT_VERSION, "OCF-Accept-Content-Format-Version", true);
    public static final IntegerOptionDefinition OCF_CONTENT_FORMAT_VERSION =
            new IntegerOptionDefinition(Protocol.CoapOptions.OCF_CONTENT_FORMAT_VERSION, "OCF-Content-Format-Version", true);
    /** OCF's options on top of the standard ones; 2049 is critical, so without it Californium would answer 4.02. */
    public static final OptionRegistry OPTIONS = new MapBasedOptionRegistry(StandardOptionRegistry.getDefaultOptionRegistry(),
            OCF_ACCEPT_CONTENT_FORMAT_VERSION, OCF_CONTENT_FORMAT_VERSION);

    private static final Logger LOG = Logger.getLogger(CoapGateway.class);

    private final BridgeConfig config;
    private final CloudIdentity identity;
    private final DeviceSessions sessions;
    private final DeviceDirectory directory;
    private final DeviceAuthorization authorization;
    private final TokenVerifier verifier;
    private final MeterRegistry metrics;
    private CoapServer server;
    private Endpoint tcp;
    private Endpoint tls;
    private ScheduledExecutorService housekeeping;
    /** The requests' database work, first come first served ({@link #devicesWork}). */
    private java.util.concurrent.ThreadPoolExecutor work;
    private ScheduledExecutorService protocolThreads;
    private ScheduledExecutorService protocolTimers;
    private volatile CompletableFuture<SSLContext> tlsContext;

    public CoapGateway(BridgeConfig config, CloudIdentity identity, DeviceSessions sessions, DeviceDirectory directory,
                       DeviceAuthorization authorization, TokenVerifier verifier, MeterRegistry metrics) {
        this.config = config;
        this.identity = identity;
        this.sessions = sessions;
        this.directory = directory;
        this.authorization = authorization;
        this.verifier = verifier;
        this.metrics = metrics;
    }

    /**
     * Priority 11, right after {@link CloudIdentity} (10) has the sid the self-signed certificate names. Reading or making
     * the TLS pair and building the SSLContext (JSSE and Bouncy Castle loading, an EC key on the first start: 5.8% of
     * start-up in a profile) runs on a thread of its own while the start-up observers between here and {@link #start}
     * (20 to 95: keys, seeding, event delivery) do their work; {@link #start} waits for it before the listeners bind.
     */
    void prepareTls(@Observes @Priority(11) StartupEvent event) {
        if (!config.target().enabled()) {
            return;
        }
        CompletableFuture<SSLContext> result = new CompletableFuture<>();
        tlsContext = result;
        Thread builder = new Thread(() -> {
            try {
                result.complete(sslContext());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "coap-tls-setup");
        // A start-up that fails elsewhere first exits without waiting for this thread.
        builder.setDaemon(true);
        builder.start();
    }

    void start(@Observes @Priority(100) StartupEvent event) throws Exception {
        if (!config.target().enabled()) {
            return;
        }
        SSLContext ssl = awaitTls();
        BridgeConfig.Coap coap = config.coap();
        CoapConfig.register();
        TcpConfig.register();
        Configuration cfg = Configuration.createStandardWithoutFile();
        // Our own idle check (GatewayConnectors) closes silent connections: Californium's would not see Pings, which our
        // signalling handler answers, and would drop a device that only pings between requests.
        cfg.set(TcpConfig.TCP_CONNECTION_IDLE_TIMEOUT, (int) TimeUnit.DAYS.toSeconds(7), TimeUnit.SECONDS);
        int idleSeconds = (int) Math.max(1, coap.idleTimeout().toSeconds());
        cfg.set(TcpConfig.TLS_CLIENT_AUTHENTICATION_MODE, CertificateAuthenticationMode.valueOf(coap.tls().clientAuth().name()));
        cfg.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, coap.maxMessageSize());

        work = devicesWork();
        server = new CoapServer(cfg);
        tcp = endpoint(new GatewayConnectors.Tcp(new InetSocketAddress(coap.bindAddress(), coap.tcpPort()), cfg,
                coap.maxMessageSize(), idleSeconds, sessions), cfg);
        tls = endpoint(new GatewayConnectors.Tls(ssl, new InetSocketAddress(coap.bindAddress(), coap.tlsPort()), cfg,
                coap.maxMessageSize(), idleSeconds, sessions), cfg);
        server.addEndpoint(tcp);
        server.addEndpoint(tls);

        CoapResource oic = new CoapResource("oic");
        CoapResource sec = new CoapResource("sec");
        sec.add(new AccountResource(work, authorization, verifier, directory, sessions, Optional.empty()));
        sec.add(new SessionResource(work, verifier, authorization, directory, sessions));
        sec.add(new TokenRefreshResource(work, authorization, directory));
        oic.add(sec);
        oic.add(new ResourceDirectoryResource(work, directory, sessions));
        oic.add(new ResourceDiscoveryResource(work, directory, sessions));
        server.add(oic);
        // Our own protocol-stage threads, set before the endpoints start (CoapServer sets them on start otherwise).
        // Each connection's messages handled in the order they came (ConnectionOrderedExecutor says why).
        protocolThreads = new ConnectionOrderedExecutor(Math.max(2, Runtime.getRuntime().availableProcessors()),
                named("coap-protocol"));
        protocolTimers = Executors.newSingleThreadScheduledExecutor(named("coap-timers"));
        server.setExecutors(protocolThreads, protocolTimers, false);
        // Started one by one so that a port in use stops start-up with the key that names it (CoapServer would log
        // a stack trace and carry on with the endpoints that did start).
        bind(tcp, "bridge.coap.tcp-port", coap.tcpPort());
        bind(tls, "bridge.coap.tls-port", coap.tlsPort());
        server.start();

        Gauge.builder("bridge.coap.connections", sessions, DeviceSessions::openConnections)
                .description("open CoAP connections (TCP and TLS)").register(metrics);
        Gauge.builder("bridge.devices.online", sessions, DeviceSessions::onlineDevices)
                .description("devices signed in on an open connection").register(metrics);
        housekeeping = Executors.newSingleThreadScheduledExecutor(named("coap-housekeeping"));
        housekeeping.scheduleWithFixedDelay(this::expireLinks, 5, 5, TimeUnit.SECONDS);
        LOG.infof("device gateway listening: coap+tcp on %d, coaps+tcp on %d", tcpPort(), tlsPort());
    }

    /**
     * First of the ordered stop ({@link StopOrder}): no new connections, and every open one closed, so each signed-in
     * device's offline change is on its lane before the lanes finish. The link housekeeping finishes its run.
     */
    void stop(@Observes @Priority(StopOrder.GATEWAY) ShutdownEvent event) {
        if (housekeeping != null) {
            StopOrder.drain(housekeeping, StopOrder.STEP);
        }
        if (server != null) {
            server.destroy();
            server = null;
            // A closed connection's listener runs on its event loop a moment later.
            long end = System.nanoTime() + StopOrder.STEP.toNanos();
            while (sessions.openConnections() > 0 && System.nanoTime() - end < 0) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (work != null) {
            // The connections are closed: requests still waiting would answer nobody (their devices ask again after
            // the restart) and could outlive the database; the ones a worker has taken finish, so their writes land.
            work.getQueue().clear();
            StopOrder.drain(work, StopOrder.STEP);
        }
        if (protocolThreads != null) {
            protocolThreads.shutdownNow();
            protocolTimers.shutdownNow();
        }
    }

    /** Requests waiting for a worker past this answer 5.03 with Max-Age at once (overload) instead of queueing more. */
    static final int QUEUED_REQUESTS = 100_000;

    /**
     * The workers that answer devices' requests (sign-up, sign-in, refresh, publish, discovery), fed from one
     * first-come-first-served queue; {@code bridge.coap.workers}, by default four per core and at most half the
     * database pool. On the shared worker pool (200 threads) a sign-up storm parked 200 requests on the pool's 20
     * connections, which the pool hands out in no order: some waited past its 5 s acquisition timeout and were answered
     * 5.03 "cannot reach its database" while later ones came and went (bench/devices.sh 3000, 2026-12-04: 37 of 3,000).
     * Here a request waits its turn; the other half of the pool is left to the device lanes, notification delivery and
     * the HTTP API. Measured 2026-12-05 (devices.sh 3000, 256 devices at once): sign-up p99 3.9 s with 252 answers past
     * the 2 s deadline on the shared pool; 2.2 s and 61 with 10 workers; 1.8 s and none with 6.
     */
    private java.util.concurrent.ThreadPoolExecutor devicesWork() {
        int pool = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue("quarkus.datasource.jdbc.max-size", Integer.class).orElse(20);
        int workers = config.coap().workers().orElse(
                Math.max(2, Math.min(pool / 2, 4 * Runtime.getRuntime().availableProcessors())));
        LOG.debugf("%d CoAP workers", workers);
        return new java.util.concurrent.ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(QUEUED_REQUESTS), named("coap-worker"));
    }

    private static java.util.concurrent.ThreadFactory named(String name) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private final DatabaseOutage.Job linkExpiry = new DatabaseOutage.Job(LOG, "expiring published links");

    private void expireLinks() {
        try {
            int n = directory.expire();
            linkExpiry.worked();
            if (n > 0) {
                LOG.debugf("%d published links expired", n);
            }
        } catch (RuntimeException e) {
            // The database may be away a while: one line when this starts failing, one when it works again.
            linkExpiry.failed(e);
        }
    }

    private static void bind(Endpoint endpoint, String key, int port) {
        try {
            endpoint.start();
        } catch (java.io.IOException | RuntimeException e) {
            throw new BridgeConfigException(key, "cannot listen on port " + port + " (in use?): " + e.getMessage());
        }
    }

    private static Endpoint endpoint(org.eclipse.californium.elements.Connector connector, Configuration cfg) {
        return new CoapEndpoint.Builder().setConnector(connector).setConfiguration(cfg).setOptionRegistry(OPTIONS).build();
    }

    /** The context {@link #prepareTls} builds; its failure is thrown here as it was thrown there (one line, the key named). */
    private SSLContext awaitTls() throws Exception {
        CompletableFuture<SSLContext> pending = tlsContext;
        if (pending == null) {
            // Started without the early step (it only runs with the Target role on): build it here.
            return sslContext();
        }
        try {
            return pending.get();
        } catch (ExecutionException failed) {
            Throwable cause = failed.getCause();
            if (cause instanceof Exception e) {
                throw e;
            }
            throw (Error) cause;
        }
    }

    private SSLContext sslContext() throws Exception {
        BridgeConfig.Tls t = config.coap().tls();
        Path cert;
        Path key;
        String certKey = "bridge.coap.tls.certificate";
        String keyKey = "bridge.coap.tls.key";
        if (t.certificate().isPresent() != t.key().isPresent()) {
            throw new BridgeConfigException("bridge.coap.tls.certificate", "and bridge.coap.tls.key must be set together");
        }
        if (t.certificate().isPresent()) {
            cert = readable(t.certificate().get(), certKey);
            key = readable(t.key().get(), keyKey);
        } else {
            String host = URI.create(config.publicUrl()).getHost();
            Path[] pair = TlsMaterial.selfSigned(Path.of(config.dataDir()), identity.sid(), TlsMaterial.defaultHostNames(host));
            cert = pair[0];
            key = pair[1];
            // Our own pair in the data folder: if it was damaged, the folder is what to look at.
            certKey = "bridge.data-dir";
            keyKey = "bridge.data-dir";
        }
        Path anchors = t.trustAnchors().map(a -> readable(a, "bridge.coap.tls.trust-anchors")).orElse(null);
        if (anchors == null && t.clientAuth() != BridgeConfig.ClientAuth.NONE) {
            throw new BridgeConfigException("bridge.coap.tls.client-auth", "needs bridge.coap.tls.trust-anchors");
        }
        List<X509Certificate> chain = pem(certKey, cert, TlsMaterial::readCertificates);
        if (chain.isEmpty()) {
            throw new BridgeConfigException(certKey, "cannot be used: " + cert + " holds no PEM certificate");
        }
        PrivateKey privateKey = pem(keyKey, key, TlsMaterial::readPrivateKey);
        List<X509Certificate> trusted = null;
        if (anchors != null) {
            trusted = pem("bridge.coap.tls.trust-anchors", anchors, TlsMaterial::readCertificates);
            if (trusted.isEmpty()) {
                throw new BridgeConfigException("bridge.coap.tls.trust-anchors", "cannot be used: " + anchors + " holds no PEM certificate");
            }
        }
        return TlsMaterial.serverContext(chain, privateKey, trusted);
    }

    private interface PemReader<T> {
        T read(Path file) throws Exception;
    }

    /** A PEM file that cannot be parsed stops start-up with the key that named it and the parser's reason. */
    private static <T> T pem(String key, Path file, PemReader<T> reader) {
        try {
            return reader.read(file);
        } catch (Exception e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip().lines().findFirst().orElse("");
            throw new BridgeConfigException(key, "cannot be used: " + (why.contains(file.toString()) ? why : file + ": " + why));
        }
    }

    private static Path readable(String file, String key) {
        Path p = Path.of(file);
        if (!Files.isReadable(p)) {
            throw new BridgeConfigException(key, "names a file that cannot be read: " + file);
        }
        return p;
    }

    public int tcpPort() {
        return tcp == null ? -1 : tcp.getAddress().getPort();
    }

    public int tlsPort() {
        return tls == null ? -1 : tls.getAddress().getPort();
    }

    /** The TCP or TLS endpoint, for requests from the cloud to devices over their own connections. */
    public Endpoint endpointFor(boolean secure) {
        return secure ? tls : tcp;
    }
}
