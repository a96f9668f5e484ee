package org.ocfcloudbridge.origin.console;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.config.BridgeConfig;
import org.ocfcloudbridge.config.BridgeConfigException;
import org.ocfcloudbridge.identity.IdentityConfig;
import org.ocfcloudbridge.identity.IdentityDirectory;
import org.ocfcloudbridge.identity.OAuthService;
import org.ocfcloudbridge.identity.Secrets;
import org.ocfcloudbridge.origin.link.LinkedClouds;
import org.ocfcloudbridge.simulator.DeviceAgent;
import org.ocfcloudbridge.simulator.DeviceResource;
import org.ocfcloudbridge.simulator.SimulatedDevice;
import org.ocfcloudbridge.store.Settings;
import org.ocfcloudbridge.targetcloud.coap.CoapGateway;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The one-command demo ({@code bridge.demo.enabled=true}): both roles in this daemon, a demo user of the embedded
 * identity provider, this daemon's Target role registered as a cloud its Origin role links at, and a few simulated
 * devices of the demo user online over real CoAP on loopback, their temperature changing. What to open and click is
 * printed at start. The demo's secrets are made once and kept in the database sealed with the data key, so a restart
 * keeps the same ones.
 */
@ApplicationScoped
public class Demo {

    /** {@code bridge.demo.*}. */
    @ConfigMapping(prefix = "bridge.demo")
    public interface DemoConfig {
        @WithDefault("false")
        boolean enabled();

        @WithDefault("demo")
        String user();

        @WithDefault("3")
        int devices();
    }

    static final String CLOUD = "this-cloud";
    private static final Logger LOG = Logger.getLogger(Demo.class);

    private final DemoConfig config;
    private final BridgeConfig bridge;
    private final IdentityConfig identity;
    private final IdentityDirectory directory;
    private final OAuthService oauth;
    private final LinkedClouds clouds;
    private final Settings settings;
    private final CoapGateway gateway;
    private final List<DeviceAgent> agents = new ArrayList<>();
    /** The demo devices' switches by device id, as last written; kept in {@value #STATE_FILE} in the data folder. */
    private final java.util.Map<String, Boolean> switches = new java.util.concurrent.ConcurrentHashMap<>();
    /** Their brightness (0–100) by device id, kept with the switches. */
    private final java.util.Map<String, Integer> levels = new java.util.concurrent.ConcurrentHashMap<>();
    static final String BRIGHTNESS = "/brightness";
    private UUID demoUser;
    static final String STATE_FILE = "demo-devices.json";
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private ScheduledExecutorService scheduler;

    public Demo(DemoConfig config, BridgeConfig bridge, IdentityConfig identity, IdentityDirectory directory, OAuthService oauth,
                LinkedClouds clouds, Settings settings, CoapGateway gateway) {
        this.config = config;
        this.bridge = bridge;
        this.identity = identity;
        this.directory = directory;
        this.oauth = oauth;
        this.clouds = clouds;
        this.settings = settings;
        this.gateway = gateway;
    }

    /** After the gateway listens (priority 100). */
    void start(@Observes @Priority(200) StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        if (!bridge.target().enabled() || !bridge.origin().enabled() || !identity.embeddedEnabled()) {
            LOG.warn("demo off: it needs both roles and the embedded identity provider");
            return;
        }
        String base = bridge.publicUrl().replaceAll("/+$", "");
        String password = settings.getOrCreateSecret("demo.password", () -> Secrets.randomToken().substring(0, 12));
        UUID user = directory.userId(config.user()).orElseGet(() -> directory.createUser(config.user(), password));
        String secret = settings.getOrCreateSecret("demo.link-client-secret", Secrets::randomToken);
        String client = "bridge-demo-link";
        List<String> callback = List.of(base + "/link/callback");
        boolean moved = false;
        if (!directory.clientExists(client)) {
            directory.createClient(client, callback, List.of("r:*", "w:*"),
                    List.of(OAuthService.AUTHORIZATION_CODE, OAuthService.REFRESH_TOKEN), secret);
        } else {
            moved = directory.replaceRedirectUris(client, callback);
        }
        java.util.Optional<org.ocfcloudbridge.store.LinkedCloud> seeded = clouds.find(CLOUD);
        try {
            if (seeded.isEmpty()) {
                clouds.add(new LinkedClouds.Definition(CLOUD, base + "/api/v1", base + "/oauth2/authorize", base + "/oauth2/token",
                        client, secret, "r:* w:*", null, null));
            } else if (clouds.relocate(CLOUD, base + "/api/v1", base + "/oauth2/authorize", base + "/oauth2/token") || moved) {
                // Restarted under another bridge.public-url: the entry the demo made still named the old one, and
                // linking and every call into the Target went there.
                LOG.infof("demo: bridge.public-url is now %s (the demo last ran at %s): cloud %s and its client's redirect URI"
                        + " follow it; the linked accounts' subscriptions are renewed with the new eventsUrl at their next sync",
                        base, seeded.get().apiUrl.replaceAll("/api/v1$", ""), CLOUD);
            }
        } catch (LinkedClouds.Invalid e) {
            // The demo opens loopback only: a public URL elsewhere on a private network needs its network opened.
            throw new BridgeConfigException("bridge.public-url", "is where the demo links to, but " + e.getMessage());
        }
        demoUser = user;
        startDevices();
        LOG.infof("%n%n  Demo ready. Open %s/ and sign in as \"%s\" with password \"%s\".%n"
                + "  Click \"Link an OCF Cloud: %s\": you sign in again, this time at the Target Cloud whose account you link"
                + " (in this demo the same daemon and the same user),%n  and Allow the bridge to use your devices: the demo"
                + " user's %d devices appear.%n  Flip a switch, move a lamp's brightness; the temperatures change every 3 s.%n", base, config.user(),
                password, CLOUD, config.devices());
    }

    /**
     * Starts the demo's devices with the state kept in the data folder, and their readings. Also what a restart of the
     * devices alone does: everything they held comes from the file again.
     */
    synchronized void startDevices() {
        Saved saved = load();
        switches.clear();
        switches.putAll(saved.switches());
        levels.clear();
        levels.putAll(saved.brightness());
        scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "demo-devices");
            t.setDaemon(true);
            return t;
        });
        URI coap = URI.create("coap+tcp://127.0.0.1:" + gateway.tcpPort());
        for (int i = 0; i < config.devices(); i++) {
            String di = settings.getOrCreate("demo.device." + i, () -> UUID.randomUUID().toString());
            SimulatedDevice d = new SimulatedDevice(di, "Demo lamp " + (i + 1), coap, false);
            // A switch left on comes back on: the demo's devices keep what was written to them in the data folder.
            Boolean on = switches.get(di);
            if (on != null) {
                d.switchResource().update(java.util.Map.of("value", com.fasterxml.jackson.databind.node.BooleanNode.valueOf(on)));
            }
            d.switchResource().onWrite(r -> remember(di, r.path("value").asBoolean(false), null));
            // A dimmable lamp: the page shows its brightness as a slider.
            com.fasterxml.jackson.databind.node.ObjectNode b = JSON.createObjectNode();
            b.putArray("rt").add(org.ocfcloudbridge.ocf.Protocol.ResourceTypes.LIGHT_BRIGHTNESS);
            b.put("brightness", levels.getOrDefault(di, 80));
            DeviceResource brightness = new DeviceResource(BRIGHTNESS, b, List.of("oic.if.a", "oic.if.baseline"),
                    List.of("brightness"), true);
            brightness.onWrite(r -> remember(di, null, r.path("brightness").asInt()));
            d.with(brightness);
            DeviceAgent a = new DeviceAgent(d, scheduler, 20);
            agents.add(a);
            a.start(oauth.issueDeviceCode(demoUser).code(), null);
        }
        scheduler.scheduleWithFixedDelay(() -> agents.stream().filter(a -> a.state() == DeviceAgent.State.ONLINE)
                .forEach(a -> a.device().setTemperature(Math.round((19 + ThreadLocalRandom.current().nextDouble() * 6) * 10) / 10.0)),
                3, 3, TimeUnit.SECONDS);
    }

    /** The demo's devices leave like any device (at the stop, or for a restart of the devices alone). */
    synchronized void stopDevices() {
        agents.forEach(DeviceAgent::stop);
        agents.clear();
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    /** The running demo devices (tests restart them and look at what they hold). */
    synchronized List<SimulatedDevice> devices() {
        return agents.stream().map(DeviceAgent::device).toList();
    }

    private java.nio.file.Path stateFile() {
        return java.nio.file.Path.of(bridge.dataDir()).resolve(STATE_FILE);
    }

    /** What the demo's devices keep across restarts: switches and brightness by device id. */
    record Saved(java.util.Map<String, Boolean> switches, java.util.Map<String, Integer> brightness) {
    }

    private Saved load() {
        java.nio.file.Path f = stateFile();
        if (!java.nio.file.Files.isRegularFile(f)) {
            return new Saved(java.util.Map.of(), java.util.Map.of());
        }
        try {
            com.fasterxml.jackson.databind.JsonNode root = JSON.readTree(f.toFile());
            java.util.Map<String, Boolean> sw = new java.util.HashMap<>();
            root.path("switches").fields().forEachRemaining(e -> sw.put(e.getKey(), e.getValue().asBoolean()));
            java.util.Map<String, Integer> levels = new java.util.HashMap<>();
            root.path("brightness").fields().forEachRemaining(e -> levels.put(e.getKey(), Math.max(0, Math.min(100, e.getValue().asInt()))));
            return new Saved(sw, levels);
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warnf("the demo devices' saved state in %s is unreadable (%s); they start switched off", f, e.getMessage());
            return new Saved(java.util.Map.of(), java.util.Map.of());
        }
    }

    /** Writes the whole state to a temporary file and moves it in place, so a crash leaves the old or the new one. */
    private synchronized void remember(String di, Boolean on, Integer level) {
        if (on != null) {
            switches.put(di, on);
        }
        if (level != null) {
            levels.put(di, level);
        }
        java.nio.file.Path f = stateFile();
        java.nio.file.Path tmp = f.resolveSibling(STATE_FILE + ".tmp");
        try {
            com.fasterxml.jackson.databind.node.ObjectNode root = JSON.createObjectNode();
            com.fasterxml.jackson.databind.node.ObjectNode sw = root.putObject("switches");
            new java.util.TreeMap<>(switches).forEach(sw::put);
            com.fasterxml.jackson.databind.node.ObjectNode br = root.putObject("brightness");
            new java.util.TreeMap<>(levels).forEach(br::put);
            java.nio.file.Files.write(tmp, JSON.writeValueAsBytes(root));
            java.nio.file.Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException e) {
            LOG.warnf("cannot save the demo devices' state in %s: %s", f, e.getMessage());
        }
    }

    /** First of the stop ({@link org.ocfcloudbridge.ops.StopOrder}): the demo's devices leave like any device. */
    void stop(@Observes @Priority(org.ocfcloudbridge.ops.StopOrder.DEMO) ShutdownEvent event) {
        stopDevices();
    }
}
