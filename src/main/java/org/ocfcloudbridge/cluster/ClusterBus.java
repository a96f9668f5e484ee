package org.ocfcloudbridge.cluster;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Consumer;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.JetStreamStatusException;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.Headers;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.config.BridgeConfigException;
import org.ocfcloudbridge.ops.StopOrder;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The instances' bus in cluster mode ({@code bridge.cluster.nats-url}): one NATS connection per instance, which
 * reconnects for ever. Without cluster mode every method is a no-op, so callers need not ask.
 *
 * <p>Messages are fire-and-forget (core NATS): an instance that is away while one is sent misses it. That is why
 * {@link #whenMessagesMayHaveBeenMissed} listeners run on every (re)connection: whoever keeps state that messages keep
 * fresh drops it there.
 */
@ApplicationScoped
public class ClusterBus {

    static final String KEY = "bridge.cluster.nats-url";
    /** The build-time database kind, readable at run time. */
    public static final String DATABASE_KIND = "quarkus.datasource.db-kind";
    /** Which instance sent a message: its own messages come back to an instance's subscriptions, and are ignored. */
    static final String INSTANCE_HEADER = "Bridge-Instance";
    /** How long start-up waits for a first connection before going on without one (it keeps trying). */
    static final Duration FIRST_CONNECTION = Duration.ofSeconds(10);

    private static final Logger LOG = Logger.getLogger(ClusterBus.class);

    /** What an instance does with another instance's message; runs on the bus's own thread, one message at a time. */
    @FunctionalInterface
    public interface Handler {
        void handle(byte[] body);
    }

    /**
     * What an instance answers to another instance's request; runs on the bus's thread, so it must not block: the
     * answer is sent when the stage completes.
     */
    @FunctionalInterface
    public interface Responder {
        CompletionStage<byte[]> answer(byte[] body);
    }

    /** How a request ended: answered, nobody listens on its subject, or no answer in time (or no bus to send it on). */
    public enum ReplyStatus { ANSWERED, NO_RESPONDERS, NO_ANSWER }

    /** The answer to a request; {@code body} only when {@link ReplyStatus#ANSWERED}. */
    public record Reply(ReplyStatus status, byte[] body) {
        static final Reply NO_RESPONDERS = new Reply(ReplyStatus.NO_RESPONDERS, null);
        static final Reply NO_ANSWER = new Reply(ReplyStatus.NO_ANSWER, null);
    }

    private record Subscription(String subject, Handler handler) {
    }

    private final Optional<ClusterConfig> config;
    private final String instanceId;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final List<Runnable> missed = new CopyOnWriteArrayList<>();
    /** Subjects this instance answers requests on (e.g. one per device whose connection it holds). */
    private final Map<String, Responder> responders = new ConcurrentHashMap<>();
    /**
     * Their subscriptions on the dispatcher: one made with its own handler is ended only through its object
     * ({@code Dispatcher.unsubscribe(String)} ends only the dispatcher's default-handler subscriptions).
     */
    private final Map<String, io.nats.client.Subscription> answering = new ConcurrentHashMap<>();
    private final CountDownLatch firstConnection = new CountDownLatch(1);
    private final Object lock = new Object();
    private volatile List<String> servers = List.of();
    private volatile Connection connection;
    private Dispatcher dispatcher;
    private boolean lost;
    private volatile boolean stopping;

    /** The bus of this instance, under its id among the instances ({@link Instances#id()}). */
    @jakarta.inject.Inject
    public ClusterBus(ClusterConfig config, Instances instances) {
        this.config = Optional.of(config);
        this.instanceId = instances.id();
    }

    /** A bus outside CDI on the given servers, under an id of its own (tests: two instances in one process). */
    ClusterBus(List<String> servers) {
        this.config = Optional.empty();
        this.instanceId = UUID.randomUUID().toString();
        this.servers = List.copyOf(servers);
    }

    void start(@Observes @Priority(2) StartupEvent event) {
        List<String> urls = verify(config.orElseThrow().natsUrl(),
                ConfigProvider.getConfig().getOptionalValue(DATABASE_KIND, String.class).orElse("h2"));
        if (urls.isEmpty()) {
            return;
        }
        servers = urls;
        connect();
    }

    /**
     * The configured servers, checked: cluster mode shares the database, which the embedded H2 cannot.
     *
     * @return the URLs, empty without cluster mode
     */
    public static List<String> verify(Optional<List<String>> configured, String databaseKind) {
        List<String> urls = new ArrayList<>();
        for (String u : configured.orElse(List.of())) {
            if (!u.isBlank()) {
                urls.add(u.strip());
            }
        }
        if (configured.isPresent() && urls.isEmpty()) {
            throw new BridgeConfigException(KEY, "is empty: give one NATS URL or more, or leave it out for a single instance");
        }
        if (urls.isEmpty()) {
            return List.of();
        }
        for (String u : urls) {
            if (!natsUrl(u)) {
                throw new BridgeConfigException(KEY, "must be nats://host:port or tls://host:port URLs, comma-separated (not "
                        + redacted(u) + ")");
            }
        }
        if (!"postgresql".equalsIgnoreCase(databaseKind)) {
            throw new BridgeConfigException(KEY, "needs the PostgreSQL build (instances share its database); this build uses "
                    + databaseKind + ": build with -Ppostgresql or leave " + KEY + " out for a single instance");
        }
        return List.copyOf(urls);
    }

    /**
     * A server URL for a log line or an error: a user and password or a token in it ({@code nats://user:pw@host:4222},
     * how a server with authentication is given) become {@code ***}.
     */
    static String redacted(String url) {
        if (url == null) {
            return "";
        }
        int scheme = url.indexOf("://");
        int at = url.lastIndexOf('@');
        if (at < 0 || (scheme >= 0 && at < scheme)) {
            return url;
        }
        return (scheme >= 0 ? url.substring(0, scheme + 3) : "") + "***" + url.substring(at);
    }

    private static String redacted(List<String> urls) {
        return String.join(",", urls.stream().map(ClusterBus::redacted).toList());
    }

    private static boolean natsUrl(String u) {
        try {
            URI uri = new URI(u);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("nats") || scheme.equals("tls")) && uri.getHost() != null
                    && (uri.getPath() == null || uri.getPath().isEmpty()) && uri.getQuery() == null && uri.getFragment() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** Connects in the background; waits for the first connection at most {@link #FIRST_CONNECTION}. */
    void connect() {
        Options options = new Options.Builder()
                .servers(servers.toArray(String[]::new))
                .connectionName("ocf-cloud-bridge " + instanceId)
                .maxReconnects(-1)
                .reconnectWait(Duration.ofSeconds(1))
                .connectionTimeout(Duration.ofSeconds(5))
                .connectionListener(this::connectionEvent)
                // A request to a subject nobody listens on ends at once with a 503 status rather than a cancellation
                // that looks like a timeout: "the device is not held by any instance" is told apart from "its
                // instance did not answer".
                .reportNoResponders()
                .errorListener(new QuietErrors())
                .build();
        try {
            Nats.connectAsynchronously(options, true);
            if (!firstConnection.await(FIRST_CONNECTION.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warnf("cluster: no NATS server of %s answers yet; starting without the bus, trying on", redacted(servers));
                synchronized (lock) {
                    lost = true;
                }
            } else {
                // One round trip, so that the server has this instance's subscriptions when start-up goes on: what
                // another instance sends from then on reaches it.
                try {
                    connection.flush(Duration.ofSeconds(5));
                } catch (java.util.concurrent.TimeoutException | IllegalStateException notYet) {
                    LOG.debugf("cluster: first flush: %s", notYet.toString());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void connectionEvent(Connection c, ConnectionListener.Events event) {
        switch (event) {
            case CONNECTED, RECONNECTED -> {
                boolean wasLost;
                synchronized (lock) {
                    connection = c;
                    if (dispatcher == null) {
                        dispatcher = c.createDispatcher();
                        subscriptions.forEach(s -> dispatcher.subscribe(s.subject(), deliver(s.handler())));
                        responders.forEach((subject, r) -> answering.put(subject, dispatcher.subscribe(subject, replying(r))));
                    }
                    wasLost = lost;
                    lost = false;
                }
                if (wasLost) {
                    LOG.infof("cluster: NATS server %s reached again", redacted(c.getConnectedUrl()));
                } else {
                    LOG.infof("cluster: connected to NATS server %s as instance %s", redacted(c.getConnectedUrl()), instanceId);
                }
                // Whatever was published while this instance was away (or before it connected) is gone for it.
                missed.forEach(ClusterBus::runQuietly);
                firstConnection.countDown();
            }
            case DISCONNECTED -> {
                boolean first;
                synchronized (lock) {
                    first = !lost && !stopping;
                    lost = true;
                }
                if (first) {
                    LOG.warnf("cluster: lost the NATS server; reconnecting to %s", redacted(servers));
                }
            }
            default -> {
            }
        }
    }

    /** Whether this daemon runs in cluster mode. */
    public boolean enabled() {
        return !servers.isEmpty();
    }

    /** Whether the bus is connected now (false without cluster mode). */
    public boolean connected() {
        Connection c = connection;
        return c != null && c.getStatus() == Connection.Status.CONNECTED;
    }

    /** This instance's id (the one of its lease); its own messages carry it and are not handed back to it. */
    public String instanceId() {
        return instanceId;
    }

    /**
     * Sends {@code body} to every other instance subscribed to {@code subject}; a no-op without cluster mode. While
     * the server is away the client keeps what is sent and flushes it on reconnection; before the first connection
     * the message is dropped (the others drop their caches when this instance connects, see
     * {@link #whenMessagesMayHaveBeenMissed}).
     */
    public void publish(String subject, byte[] body) {
        Connection c = connection;
        if (c == null) {
            if (enabled()) {
                LOG.debugf("cluster: not connected yet, %s not sent", subject);
            }
            return;
        }
        Headers headers = new Headers().put(INSTANCE_HEADER, instanceId);
        try {
            c.publish(subject, headers, body);
        } catch (IllegalStateException closed) {
            LOG.debugf("cluster: connection closed, %s not sent", subject);
        }
    }

    /** Hands other instances' messages on {@code subject} to {@code handler}; a no-op without cluster mode. */
    public void subscribe(String subject, Handler handler) {
        if (!enabled()) {
            return;
        }
        synchronized (lock) {
            subscriptions.add(new Subscription(subject, handler));
            if (dispatcher != null) {
                dispatcher.subscribe(subject, deliver(handler));
            }
        }
    }

    /**
     * Runs {@code listener} whenever the bus (re)connects: messages sent while this instance was not connected are
     * lost to it, so state they keep fresh must be dropped or re-read. A no-op without cluster mode.
     */
    public void whenMessagesMayHaveBeenMissed(Runnable listener) {
        if (enabled()) {
            missed.add(listener);
        }
    }

    /**
     * Answers other instances' requests on {@code subject} with {@code responder} until {@link #stopAnswering}; a
     * no-op without cluster mode. Subscriptions outlive reconnections (the client renews them).
     */
    public void answer(String subject, Responder responder) {
        if (!enabled()) {
            return;
        }
        synchronized (lock) {
            if (responders.put(subject, responder) == null && dispatcher != null) {
                answering.put(subject, dispatcher.subscribe(subject, replying(responder)));
            }
        }
    }

    /** Stops answering requests on {@code subject}. */
    public void stopAnswering(String subject) {
        if (!enabled()) {
            return;
        }
        synchronized (lock) {
            io.nats.client.Subscription subscription = answering.remove(subject);
            if (responders.remove(subject) != null && dispatcher != null && subscription != null) {
                try {
                    dispatcher.unsubscribe(subscription);
                } catch (IllegalStateException closed) {
                    LOG.debugf("cluster: dispatcher closed, %s not unsubscribed", subject);
                }
            }
        }
    }

    /**
     * Asks whichever other instance answers on {@code subject}; never blocks. Ends {@code NO_RESPONDERS} at once
     * when none listens, {@code NO_ANSWER} after {@code timeout} or without a connection.
     */
    public CompletionStage<Reply> request(String subject, byte[] body, Duration timeout) {
        Connection c = connection;
        if (c == null || c.getStatus() != Connection.Status.CONNECTED) {
            return CompletableFuture.completedFuture(Reply.NO_ANSWER);
        }
        Headers headers = new Headers().put(INSTANCE_HEADER, instanceId);
        CompletableFuture<Message> sent;
        try {
            sent = c.requestWithTimeout(subject, headers, body, timeout);
        } catch (IllegalStateException closed) {
            return CompletableFuture.completedFuture(Reply.NO_ANSWER);
        }
        return sent.handle((m, failure) -> {
            if (failure == null) {
                return new Reply(ReplyStatus.ANSWERED, m.getData() == null ? new byte[0] : m.getData());
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            return cause instanceof JetStreamStatusException ? Reply.NO_RESPONDERS : Reply.NO_ANSWER;
        });
    }

    private io.nats.client.MessageHandler replying(Responder responder) {
        return (Message m) -> {
            Headers h = m.getHeaders();
            String replyTo = m.getReplyTo();
            if (replyTo == null || (h != null && instanceId.equals(h.getFirst(INSTANCE_HEADER)))) {
                return;
            }
            CompletionStage<byte[]> answer;
            try {
                answer = responder.answer(m.getData() == null ? new byte[0] : m.getData());
            } catch (RuntimeException e) {
                LOG.warnf("cluster: a request on %s could not be answered: %s", m.getSubject(), e.toString());
                return;
            }
            answer.whenComplete((body, failure) -> {
                Connection c = connection;
                if (failure != null || body == null || c == null) {
                    return; // the asking instance times out, as if this one were gone
                }
                try {
                    c.publish(replyTo, body);
                } catch (IllegalStateException closed) {
                    LOG.debugf("cluster: connection closed, answer on %s not sent", m.getSubject());
                }
            });
        };
    }

    private io.nats.client.MessageHandler deliver(Handler handler) {
        return (Message m) -> {
            Headers h = m.getHeaders();
            if (h != null && instanceId.equals(h.getFirst(INSTANCE_HEADER))) {
                return;
            }
            try {
                handler.handle(m.getData() == null ? new byte[0] : m.getData());
            } catch (RuntimeException e) {
                LOG.warnf("cluster: a message on %s could not be applied: %s", m.getSubject(), e.toString());
            }
        };
    }

    private static void runQuietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warnf("cluster: dropping state after a reconnection failed: %s", e.toString());
        }
    }

    void stop(@Observes @Priority(StopOrder.CLUSTER) ShutdownEvent event) {
        close();
    }

    /** Sends what is still buffered (bounded) and closes; the last thing to stop, as every step before may publish. */
    void close() {
        stopping = true;
        Connection c = connection;
        if (c == null) {
            return;
        }
        try {
            c.flush(StopOrder.STEP);
        } catch (Exception notFlushed) {
            LOG.debugf("cluster: not flushed at stop: %s", notFlushed.toString());
        }
        try {
            c.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The client reports every failed reconnection attempt; the connection events above say it once. */
    private static final class QuietErrors implements ErrorListener {
        @Override
        public void errorOccurred(Connection conn, String error) {
            LOG.debugf("cluster: NATS error: %s", error);
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            LOG.debugf("cluster: NATS client: %s", exp.toString());
        }

        @Override
        public void slowConsumerDetected(Connection conn, Consumer consumer) {
            LOG.warn("cluster: this instance is too slow for the bus's messages; some are dropped");
        }
    }
}
